"""The rule engine's core: effective thresholds per region, and raising deduplicated alerts.

Every rule — in the ticket transaction, in a job, at a heartbeat scan — ends in
`raise_alert`, which applies the rule's effective version, the dedupe window and the
deadline by severity, and counts each occurrence exactly once (its `occurrence` key).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from oreledger.alerts.catalogue import BY_CODE, spec, strictest
from oreledger.alerts.choices import EventKind, Severity
from oreledger.alerts.models import Alert, AlertEvent, DeadlinePolicy, RuleVersion

DEFAULT_DEADLINE_HOURS: dict[str, int] = {
    Severity.HIGH: 24,
    Severity.MEDIUM: 72,
    Severity.LOW: 24 * 7,
}


@dataclass(frozen=True)
class Effective:
    """A rule's thresholds as they apply in one region, and the version that set them."""

    version: RuleVersion
    params: dict[str, Any]
    severity: str
    enabled: bool


def region_chain(region: Any) -> list[str]:
    """Region codes from the province down to `region`."""
    return [code for code in region.path.strip("/").split("/") if code]


def effective_rules(region: Any, cache: dict[Any, Any] | None = None) -> dict[str, Effective]:
    """Every rule's effective version in `region`: the nearest region's, never looser.

    One query per region and cache (a ticket batch, a job run).
    """
    cache = {} if cache is None else cache
    key = ("alerts.effective", region.pk)
    if key in cache:
        found: dict[str, Effective] = cache[key]
        return found
    chain = region_chain(region)
    latest: dict[tuple[str, str], RuleVersion] = {}
    rows = (
        RuleVersion.objects.filter(Q(region__code__in=chain) | Q(region__isnull=True))
        .select_related("region")
        .order_by("rule", "-version")
    )
    for row in rows:
        latest.setdefault((row.rule, row.region.code if row.region else ""), row)
    result: dict[str, Effective] = {}
    for code in BY_CODE:
        # The catalogue's defaults, then the province, then each level down: each may only
        # tighten what is above it (a county's version is never looser in effect).
        versions = [latest[(code, c)] for c in ["", *chain] if (code, c) in latest]
        if not versions:
            continue
        params: dict[str, Any] = {}
        enabled = True
        for depth, version in enumerate(versions):
            above_province = depth == 0 or (depth == 1 and versions[0].region is None)
            params = (
                {**params, **version.params}
                if above_province
                else strictest(code, version.params, params)
            )
            enabled = version.enabled if above_province else enabled and version.enabled
        nearest = versions[-1]
        result[code] = Effective(nearest, params, nearest.severity, enabled)
    cache[key] = result
    return result


def deadline_hours(severity: str, cache: dict[Any, Any]) -> int:
    """The deadline of a severity (DeadlinePolicy, else the defaults)."""
    key = "alerts.deadlines"
    if key not in cache:
        table = dict(DEFAULT_DEADLINE_HOURS)
        table.update(dict(DeadlinePolicy.objects.values_list("severity", "hours")))
        cache[key] = table
    return int(cache[key].get(severity, 72))


def raise_alert(
    *,
    rule: str,
    region: Any,
    subject_type: str,
    subject_ref: str,
    at: datetime.datetime,
    refs: dict[str, Any],
    evidence: dict[str, Any],
    occurrence: str | None = None,
    cache: dict[Any, Any] | None = None,
    enterprise_id: int | None = None,
    site_id: int | None = None,
    lat: Any = None,
    lon: Any = None,
    dedupe_extra: str = "",
) -> Alert | None:
    """Open an alert, or count a repeat on the open one; None if disabled or already counted."""
    cache = {} if cache is None else cache
    effective = effective_rules(region, cache).get(rule)
    if effective is None or not effective.enabled:
        return None
    clean_refs = {k: v for k, v in refs.items() if v not in (None, "")}
    key = f"{rule}|{subject_type}|{subject_ref}{dedupe_extra}"[:200]
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _raise(
                    rule,
                    region,
                    subject_type,
                    subject_ref,
                    at,
                    clean_refs,
                    evidence,
                    occurrence,
                    cache,
                    effective,
                    key,
                    {"enterprise_id": enterprise_id, "site_id": site_id, "lat": lat, "lon": lon},
                )
        except IntegrityError:
            # Either this occurrence was counted meanwhile (done), or another transaction
            # opened the alert first (retry once: this time it is a repeat).
            if occurrence and AlertEvent.objects.filter(occurrence_key=occurrence).exists():
                return None
            if attempt:
                raise
    return None


def _raise(
    rule: str,
    region: Any,
    subject_type: str,
    subject_ref: str,
    at: datetime.datetime,
    refs: dict[str, Any],
    evidence: dict[str, Any],
    occurrence: str | None,
    cache: dict[Any, Any],
    effective: Effective,
    key: str,
    extra: dict[str, Any],
) -> Alert:
    now = timezone.now()
    window = datetime.timedelta(hours=spec(rule).window_hours)
    current = Alert.objects.filter(open_key=key).only("pk", "last_seen").first()
    if current is not None and current.last_seen >= at - window:
        Alert.objects.filter(pk=current.pk).update(
            count=F("count") + 1, last_seen=Greatest(F("last_seen"), at), updated_at=now
        )
        AlertEvent.objects.create(
            alert_id=current.pk,
            kind=EventKind.SEEN_AGAIN,
            at=now,
            data={"refs": refs, "evidence": evidence, "seen_at": at.isoformat()},
            occurrence_key=occurrence,
        )
        return current
    if current is not None:
        # Stale: it stays open for whoever handles it, but repeats now open a new alert.
        Alert.objects.filter(pk=current.pk).update(open_key=None, updated_at=now)
    alert = Alert.objects.create(
        rule=rule,
        rule_version=effective.version,
        version_number=effective.version.version,
        severity=effective.severity,
        region=region,
        subject_type=subject_type,
        subject_ref=subject_ref[:80],
        open_key=key,
        refs=refs,
        evidence=evidence,
        first_seen=at,
        last_seen=at,
        deadline=now + datetime.timedelta(hours=deadline_hours(effective.severity, cache)),
        **extra,
    )
    AlertEvent.objects.create(
        alert=alert,
        kind=EventKind.RAISED,
        at=now,
        data={"seen_at": at.isoformat()},
        occurrence_key=occurrence,
    )
    return alert
