"""The briefing's chain-head section: the latest signed checkpoint of the week, by county.

Every station's ticket chain and every quota account's ledger chain has its head signed
daily outside the database (`core.checkpoints`); the briefing prints the latest checkpoint
signed by the week's end — how many heads, of how many tickets and entries, per county —
and whether the chains hold those heads now, compared as `verify-chain` and `verify-ledger`
compare them (the hash stored now at each checkpointed head's position).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from oreledger.accounts.models import Region
from oreledger.briefings.sections import COUNT, Column, Table, Week, register_section
from oreledger.core import checkpoints
from oreledger.core.localtime import local_day
from oreledger.dashboards.scope import Scope
from oreledger.quotas import integrity
from oreledger.quotas.models import QuotaAccount
from oreledger.registry.models import Station
from oreledger.weighing import chain

_COUNTS = ("stations", "tickets", "accounts", "entries", "departed")


def _latest(week: Week) -> checkpoints.Checkpoint | None:
    """The last checkpoint file of a day up to the week's end (its name is its local day)."""
    kept = [p for p in checkpoints.checkpoint_files() if p.stem <= week.until.isoformat()]
    return checkpoints.read_checkpoint(kept[-1]) if kept else None


def _departed(heads: checkpoints.Heads, hashes_at: Callable[..., Any]) -> set[str]:
    """The keys whose chain no longer holds the signed head at its position."""
    wanted = {key: {length} for key, (length, _head) in heads.items() if length}
    now = hashes_at(wanted) if wanted else {}
    return {
        key
        for key, (length, head) in heads.items()
        if length and now.get(key, {}).get(length) != head
    }


def _none(verdict: str) -> dict[str, Any]:
    """The section when no checkpoint can be read: nothing counted, the reason as verdict."""
    return {"found": False, "total": {"day": "—", "heads": 0, "verdict": verdict}, "rows": []}


def _counties(scope: Scope) -> list[Region]:
    region = scope.region or Region.objects.get(parent__isnull=True)
    if region.level == "county":
        return [region]
    counties = Region.objects.for_user(scope.user).filter(
        level="county", path__startswith=region.path
    )
    return list(counties.order_by("code"))


@register_section(
    "checkpoints",
    gettext_lazy("Chain-head checkpoints"),
    order=90,
    tables=(
        Table(
            gettext_lazy("Latest checkpoint"),
            "total",
            (
                Column(gettext_lazy("Checkpoint of"), "day"),
                Column(gettext_lazy("Chain heads"), "heads", COUNT),
                Column(gettext_lazy("Verified against the chains"), "verdict"),
            ),
        ),
        Table(
            gettext_lazy("Chain heads by county"),
            "rows",
            (
                Column(gettext_lazy("County"), "name"),
                Column(gettext_lazy("Station chains"), "stations", COUNT),
                Column(gettext_lazy("Tickets in them"), "tickets", COUNT),
                Column(gettext_lazy("Quota account chains"), "accounts", COUNT),
                Column(gettext_lazy("Entries in them"), "entries", COUNT),
                Column(gettext_lazy("Departed from the checkpoint"), "departed", COUNT),
            ),
        ),
    ),
)
def chain_checkpoints(scope: Scope, week: Week) -> dict[str, Any]:
    """The latest checkpoint by the week's end: its heads per county, and whether they hold."""
    region = scope.region or Region.objects.get(parent__isnull=True)
    try:
        checkpoint = _latest(week)
    except checkpoints.CheckpointForged:
        return _none(_("Signature invalid"))
    if checkpoint is None:
        return _none(_("No checkpoint"))
    stations = checkpoint.chains.get(chain.CHAIN, {})
    accounts = checkpoint.chains.get(integrity.CHAIN, {})
    # Where each head lies: a station's region, an account's region (a county or above).
    station_at = dict(
        Station.objects.filter(code__in=list(stations)).values_list("code", "region__path")
    )
    account_at = {
        str(pk): path
        for pk, path in QuotaAccount.objects.filter(
            pk__in=[int(k) for k in accounts if k.isdigit()]
        ).values_list("pk", "region__path")
    }
    stations = {k: v for k, v in stations.items() if station_at.get(k, "").startswith(region.path)}
    accounts = {k: v for k, v in accounts.items() if account_at.get(k, "").startswith(region.path)}
    departed = _departed(stations, chain.hashes_at) | {
        f"account:{k}" for k in _departed(accounts, integrity.hashes_at)
    }
    places: list[tuple[str, str, str]] = [(c.code, c.name, c.path) for c in _counties(scope)]
    if region.level != "county":
        # Heads above the counties (the province's or a city's own accounts) in a row of theirs.
        places.append((region.code, _("%(name)s (own level)") % {"name": region.name}, ""))
    rows = {code: dict.fromkeys(_COUNTS, 0) for code, _name, _path in places}

    def place_of(path: str) -> str:
        return next((code for code, _n, at in places if at and path.startswith(at)), region.code)

    for key, (length, _head) in stations.items():
        row = rows[place_of(station_at[key])]
        row["stations"] += 1
        row["tickets"] += length
        row["departed"] += key in departed
    for key, (length, _head) in accounts.items():
        row = rows[place_of(account_at[key])]
        row["accounts"] += 1
        row["entries"] += length
        row["departed"] += f"account:{key}" in departed
    shown = [
        {"code": code, "name": name, **rows[code]}
        for code, name, path in places
        if path or any(rows[code].values())
    ]
    return {
        "found": True,
        "taken_at": local_day(checkpoint.taken_at).isoformat(),
        "total": {
            "day": checkpoint.name,
            "heads": len(stations) + len(accounts),
            "departed": len(departed),
            "equal": not departed,
            "verdict": pgettext("checkpoint", "Equal")
            if not departed
            else pgettext("checkpoint", "Departed"),
        },
        "rows": shown,
    }
