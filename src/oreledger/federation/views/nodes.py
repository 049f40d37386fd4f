"""The province's federation page: per node its contact, backlog, lag and refused batches."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from oreledger.core.permissions import VIEW, may
from oreledger.federation.models import Node
from oreledger.federation.queries import node_rows


@login_required
def node_list(request: HttpRequest) -> HttpResponse:
    """The node table; a restored node says what to do."""
    if not may(request.user, VIEW, Node):
        raise Http404
    rows = node_rows(Node.objects.for_user(request.user, VIEW))
    return render(request, "federation/node_list.html", {"title": _("County nodes"), "rows": rows})
