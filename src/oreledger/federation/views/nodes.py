"""The province's federation page: per node its contact, backlog, lag and refused batches;
sorted, filtered and exported like every other table."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from oreledger.core.cells import CODE, COUNT, Kind
from oreledger.core.display import local_date, local_time
from oreledger.core.exports import export_response
from oreledger.core.listing import Column, ExportSource, sort_key, sorted_rows, table_rows
from oreledger.core.permissions import VIEW, may
from oreledger.federation.models import Node
from oreledger.federation.queries import NodeState, lag_in_words, node_states

TITLE = _("County nodes")
# Times in Asia/Shanghai as every page writes them; the lag in words, sorted by its seconds.
LOCAL_TIME = Kind("local_time", local_time, local_time, nowrap=True)
LAG = Kind("lag", lag_in_words, lag_in_words, numeric=True, nowrap=True)
STATES = {
    "": _("All nodes"),
    "attention": _("Needing attention"),
    "restored": _("Restored from an older backup"),
}


def _checkpoint(state: NodeState) -> str | None:
    if state.checkpoint_day is None:
        return None
    return str(_("%(day)s, %(heads)s chain heads")) % {
        "day": local_date(state.checkpoint_day),
        "heads": state.checkpoint_heads,
    }


COLUMNS = (
    Column("code", _("Code"), order_by="code", kind=CODE),
    Column("name", _("Name"), order_by="name", kind=CODE),
    Column("state", _("State"), order_by="state", kind=CODE),
    Column("last_contact", _("Last contact"), order_by="last_contact", kind=LOCAL_TIME),
    Column("node_last_seq", _("Node's last seq"), order_by="node_last_seq", kind=COUNT),
    Column("acked_seq", _("Acked seq"), order_by="acked_seq", kind=COUNT),
    Column("backlog", _("Backlog"), order_by="backlog", kind=COUNT),
    Column("lag_seconds", _("Lag"), order_by="lag_seconds", kind=LAG),
    Column("refused_batches", _("Refused batches"), order_by="refused_batches", kind=COUNT),
    Column("checkpoint", _("Newest checkpoint"), value=_checkpoint),
    Column("error_sentence", _("Last error")),
)


def _states(request: HttpRequest) -> list[NodeState]:
    """The nodes the province may see, filtered by the query and in the order it asks."""
    if not may(request.user, VIEW, Node):
        raise Http404
    states = node_states(Node.objects.for_user(request.user, VIEW))
    wanted = request.GET.get("state", "")
    if wanted == "attention":
        states = [s for s in states if s.needs_attention]
    elif wanted == "restored":
        states = [s for s in states if s.restored]
    text = request.GET.get("q", "").strip()
    if text:
        states = [s for s in states if text in s.code or text in s.name]
    return sorted_rows(states, COLUMNS, sort_key(request, COLUMNS))


def node_export_source(request: HttpRequest) -> ExportSource:
    """The node table as the page shows it, for export."""
    states = _states(request)
    return ExportSource(TITLE, COLUMNS, states, len(states))


@login_required
def node_list(request: HttpRequest) -> HttpResponse:
    """The node table; a restored node says what the county must do."""
    if request.GET.get("export") == "xlsx":
        _states(request)  # the scope check before any export is started
        return export_response(request, lambda: node_export_source(request))
    states = _states(request)
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("export", None)
    export = request.GET.copy()
    export["export"] = "xlsx"
    context: dict[str, Any] = {
        "title": TITLE,
        "columns": COLUMNS,
        "rows": table_rows(COLUMNS, states),
        "sort": sort_key(request, COLUMNS),
        "query": query.urlencode(),
        "export_query": export.urlencode(),
        "states": STATES,
        "state": request.GET.get("state", ""),
        "q": request.GET.get("q", ""),
    }
    return render(request, "federation/node_list.html", context)


node_list.export_source = node_export_source  # type: ignore[attr-defined]
