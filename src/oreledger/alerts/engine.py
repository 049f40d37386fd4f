"""The rule engine's core: effective thresholds per region, and raising deduplicated alerts.

Every rule — in the ticket transaction, in a job, at a heartbeat scan — ends in
`raise_alert`, which applies the rule's effective version, the dedupe window and the
deadline by severity, and counts each occurrence exactly once (its `occurrence` key).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from oreledger.alerts.catalogue import BY_CODE, spec, strictest
from oreledger.alerts.choices import EventKind, Severity
from oreledger.alerts.models import Alert, AlertEvent, DeadlinePolicy, RuleVersion
from oreledger.core.audit import announce_changes
from oreledger.core.prepared import (
    any_of,
    columns,
    for_update,
    insert,
    insert_untaken,
    load,
    run,
    update,
)

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


# Providers of the region codes whose alerts another platform raises (federation, on the hub:
# its county nodes); none on a node or a standalone platform.
_ELSEWHERE: list[Callable[[], Iterable[str]]] = []


def register_raised_elsewhere(provider: Callable[[], Iterable[str]]) -> None:
    """Have `provider()` name regions whose record rules run on another platform (from an
    app's ready())."""
    if provider not in _ELSEWHERE:
        _ELSEWHERE.append(provider)


def raised_elsewhere(region: Any, cache: dict[Any, Any]) -> bool:
    """True on the hub for a region a county node serves: the node runs its rules on its own
    records and the alerts arrive federated (raised here too, each would count twice)."""
    key = "alerts.elsewhere"
    if key not in cache:
        cache[key] = frozenset(code for provider in _ELSEWHERE for code in provider())
    codes: frozenset[str] = cache[key]
    return bool(codes) and region is not None and not codes.isdisjoint(region_chain(region))


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
        .order_by("rule", "-number")
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
    key = open_key(rule, subject_type, subject_ref, dedupe_extra)
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
            count=F("count") + 1,
            last_seen=Greatest(F("last_seen"), at),
            updated_at=now,
            version=F("version") + 1,
        )
        event = AlertEvent.objects.create(
            alert_id=current.pk,
            kind=EventKind.SEEN_AGAIN,
            at=now,
            data={"refs": refs, "evidence": evidence, "seen_at": at.isoformat()},
            occurrence_key=occurrence,
        )
        Raised([current.pk], [event]).announce()
        return current
    if current is not None:
        # Stale: it stays open for whoever handles it, but repeats now open a new alert (the
        # key is this platform's own: nothing that travels changed).
        Alert.objects.filter(pk=current.pk).update(open_key=None, updated_at=now)
    alert = _new_alert(rule, region, subject_type, subject_ref, at, refs, evidence, effective)
    alert.open_key = key
    alert.deadline = now + datetime.timedelta(hours=deadline_hours(effective.severity, cache))
    for name, value in extra.items():
        setattr(alert, name, value)
    alert.save(force_insert=True)
    event = AlertEvent.objects.create(
        alert=alert,
        kind=EventKind.RAISED,
        at=now,
        data={"seen_at": at.isoformat()},
        occurrence_key=occurrence,
    )
    Raised([alert], [event]).announce()
    return alert


def _new_alert(
    rule: str,
    region: Any,
    subject_type: str,
    subject_ref: str,
    at: datetime.datetime,
    refs: dict[str, Any],
    evidence: dict[str, Any],
    effective: Effective,
) -> Alert:
    alert_id = uuid.uuid4()
    return Alert(
        # One identity here and on the hub (the id travels; the UUID names it on the wire).
        id=alert_id,
        uuid=alert_id,
        rule=rule,
        rule_version=effective.version,
        version_number=effective.version.number,
        severity=effective.severity,
        region=region,
        subject_type=subject_type,
        subject_ref=subject_ref[:80],
        refs=refs,
        evidence=evidence,
        first_seen=at,
        last_seen=at,
    )


def open_key(rule: str, subject_type: str, subject_ref: str, dedupe_extra: str = "") -> str:
    """What an open alert takes repeats by: one rule on one subject (and an extra key)."""
    return f"{rule}|{subject_type}|{subject_ref}{dedupe_extra}"[:200]


@dataclass(frozen=True)
class Occurrence:
    """One finding to raise (what `raise_alert` takes), kept until its batch is written."""

    rule: str
    region: Any
    subject_type: str
    subject_ref: str
    at: datetime.datetime
    refs: dict[str, Any]
    evidence: dict[str, Any]
    occurrence: str
    enterprise_id: int | None = None
    site_id: int | None = None
    lat: Any = None
    lon: Any = None
    dedupe_extra: str = ""

    @property
    def key(self) -> str:
        """The open alert it repeats on."""
        return open_key(self.rule, self.subject_type, self.subject_ref, self.dedupe_extra)


# Whole rows: a changed alert's full state goes to the federation outbox.
_HELD = [f.attname for f in Alert._meta.concrete_fields]


@dataclass
class Raised:
    """What raising wrote: the alerts whose state changed (objects, or ids to read) and their
    new events, until they are announced."""

    alerts: list[Any] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)

    def announce(self) -> None:
        """Tell the change listeners (the federation outbox), alerts first, then their events:
        a county's alert reaches the hub before its timeline does."""
        ids = [a for a in self.alerts if not isinstance(a, Alert)]
        alerts = {a.pk: a for a in self.alerts if isinstance(a, Alert)}
        if ids:
            alerts.update({a.pk: a for a in Alert.objects.filter(pk__in=ids)})
        # One announcement (one outbox append), in this order.
        if alerts or self.events:
            announce_changes([*alerts.values(), *self.events], "update")
        self.alerts, self.events = [], []


def raise_together(
    found: list[Occurrence], cache: dict[Any, Any], raised: Raised | None = None
) -> int:
    """Raise a batch's findings as `raise_alert` would one by one; how many were counted.

    A constant number of statements whatever the number of findings: the open alerts they
    repeat on are locked in one statement (by id: two batches never wait on each other
    crosswise), decided in memory, then written in three (repeats and superseded alerts,
    new alerts, their events). Each occurrence must be new (a ticket's findings are: the
    ticket is stored once). A new alert whose subject another transaction opened meanwhile
    becomes a repeat on that one (two more statements, only then). What changed is added to
    `raised`, for the caller to announce once what the alerts refer to was announced.
    """
    now = timezone.now()
    live = []
    occurrences = set()
    for item in found:
        if item.occurrence in occurrences:
            continue  # counted once, as raise_alert counts it
        occurrences.add(item.occurrence)
        effective = effective_rules(item.region, cache).get(item.rule)
        if effective is not None and effective.enabled:
            live.append((item, effective))
    if not live:
        return 0
    held = _lock_open({item.key for item, _effective in live})
    current: dict[str, Alert] = dict(held)
    dirty: set[Any] = set()  # ids of the held alerts that change
    counted: set[Any] = set()  # of those, the ones counted again (a new version)
    fresh: list[Alert] = []
    events: list[AlertEvent] = []
    for item, effective in live:
        alert = current.get(item.key)
        window = datetime.timedelta(hours=spec(item.rule).window_hours)
        if alert is not None and alert.last_seen >= item.at - window:
            alert.count += 1
            alert.last_seen = max(alert.last_seen, item.at)
            alert.updated_at = now
            dirty.add(alert.pk)
            if not alert._state.adding and alert.pk not in counted:  # a stored alert
                alert.version += 1
                counted.add(alert.pk)
            events.append(_seen_again(alert, item, now))
            continue
        if alert is not None:
            # Stale: it stays open for whoever handles it; repeats open a new alert.
            alert.open_key, alert.updated_at = None, now
            dirty.add(alert.pk)
        alert = _new_alert(
            item.rule,
            item.region,
            item.subject_type,
            item.subject_ref,
            item.at,
            item.refs,
            item.evidence,
            effective,
        )
        alert.open_key = item.key
        alert.deadline = now + datetime.timedelta(hours=deadline_hours(effective.severity, cache))
        alert.enterprise_id, alert.site_id = item.enterprise_id, item.site_id
        alert.lat, alert.lon = item.lat, item.lon
        current[item.key] = alert
        fresh.append(alert)
        events.append(
            AlertEvent(
                alert=alert,
                kind=EventKind.RAISED,
                at=now,
                data={"seen_at": item.at.isoformat()},
                occurrence_key=item.occurrence,
            )
        )
    # Superseded keys are freed before the new alerts take them.
    changed = [a for a in held.values() if a.pk in dirty]
    update(changed, ["open_key", "last_seen", "count", "updated_at", "version"])
    inserted = insert_untaken(fresh, "open_key")
    merged: list[Alert] = []
    if len(inserted) < len(fresh):
        merged = _merge_taken([a for a in fresh if a not in inserted], events, now)
    for event in events:
        event.alert_id = event.alert.pk
    insert(events)
    if raised is not None:
        raised.alerts.extend([*(a for a in changed if a.pk in counted), *inserted, *merged])
        raised.events.extend(events)
    return len(events)


def _seen_again(alert: Alert, item: Occurrence, now: datetime.datetime) -> AlertEvent:
    return AlertEvent(
        alert=alert,
        kind=EventKind.SEEN_AGAIN,
        at=now,
        data={"refs": item.refs, "evidence": item.evidence, "seen_at": item.at.isoformat()},
        occurrence_key=item.occurrence,
    )


def _lock_open(keys: set[str]) -> dict[str, Alert]:
    """The open alerts of these keys, locked in ascending id."""
    where, params = any_of("open_key", sorted(keys))
    sql = (
        f"SELECT {columns(Alert, _HELD)} FROM alerts_alert WHERE {where}"  # noqa: S608
        f" ORDER BY id{for_update()}"
    )
    return {a.open_key: a for a in load(Alert, _HELD, run(sql, params).rows) if a.open_key}


def _merge_taken(
    lost: list[Alert], events: list[AlertEvent], now: datetime.datetime
) -> list[Alert]:
    """New alerts whose subject a concurrent transaction opened first: count them there;
    returns the alerts written.

    (Should that alert have been closed meanwhile, the new one is kept without a key.)
    """
    winners = _lock_open({str(a.open_key) for a in lost})
    kept = []
    for alert in lost:
        winner = winners.get(str(alert.open_key))
        if winner is None:
            alert.open_key = None
            kept.append(alert)
            continue
        winner.count += alert.count
        winner.last_seen = max(winner.last_seen, alert.last_seen)
        winner.updated_at = now
        for event in events:
            if event.alert is alert:
                event.alert = winner
                event.kind = EventKind.SEEN_AGAIN
    for winner in winners.values():
        winner.version += 1  # one new version, however many lost alerts merge into it
    update(list(winners.values()), ["last_seen", "count", "updated_at", "version"])
    insert_untaken(kept, "open_key")
    return [*winners.values(), *kept]


@dataclass(frozen=True)
class Finding:
    """One occurrence a record rule found: what `raise_alert` needs besides the rule and cache."""

    region: Any
    subject_type: str
    subject_ref: str
    at: datetime.datetime
    refs: dict[str, Any]
    evidence: dict[str, Any]
    occurrence: str | None = None
    enterprise_id: int | None = None
    site_id: int | None = None
    lat: Any = None
    lon: Any = None
    # Keeps apart open alerts of one subject (e.g. two targets of one campaign).
    dedupe_extra: str = ""


@dataclass(frozen=True)
class RecordRule:
    """A rule that reads recorded rows and yields its findings; `run_rule` raises them.

    `find(now, cache, **scope)` reads the rule's window; the cache carries the effective rules
    of each region so that a run reads each region's configuration once.
    """

    code: str
    find: Callable[..., Iterable[Finding]]


RECORD_RULES: dict[str, RecordRule] = {}


def register_record_rule(code: str) -> Callable[[Callable[..., Iterable[Finding]]], RecordRule]:
    """Register the decorated finder as the record rule `code` (imported in ready())."""

    def register(find: Callable[..., Iterable[Finding]]) -> RecordRule:
        rule = RECORD_RULES[code] = RecordRule(code, find)
        return rule

    return register


def run_rule(rule: RecordRule | str, *, now: datetime.datetime | None = None, **scope: Any) -> int:
    """Raise every finding of one record rule; how many alerts were opened or counted."""
    record_rule = RECORD_RULES[rule] if isinstance(rule, str) else rule
    cache: dict[Any, Any] = {}
    raised = 0
    for found in record_rule.find(now or timezone.now(), cache, **scope):
        if raised_elsewhere(found.region, cache):
            continue
        alert = raise_alert(
            rule=record_rule.code,
            region=found.region,
            subject_type=found.subject_type,
            subject_ref=found.subject_ref,
            at=found.at,
            refs=found.refs,
            evidence=found.evidence,
            occurrence=found.occurrence,
            cache=cache,
            enterprise_id=found.enterprise_id,
            site_id=found.site_id,
            lat=found.lat,
            lon=found.lon,
            dedupe_extra=found.dedupe_extra,
        )
        raised += alert is not None
    return raised
