"""A large list export's pages: its progress while the job writes it, then the file."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from oreledger.core.columns import XLSX
from oreledger.core.exports import may_download
from oreledger.core.models import ExportRun


def _own_run(request: HttpRequest, run_uuid: uuid.UUID) -> ExportRun:
    """The run, if the person asked for it; anyone else's run is a 404 like a missing one."""
    user: Any = request.user
    return get_object_or_404(ExportRun, uuid=run_uuid, actor=user)


@login_required
def export_run(request: HttpRequest, run_uuid: uuid.UUID) -> HttpResponse:
    """The export's progress (the fragment polls itself), then its download link."""
    run = _own_run(request, run_uuid)
    context = {
        "run": run,
        "title": _("Export: %(title)s") % {"title": run.title},
        "keep_hours": settings.OL_EXPORT_KEEP_HOURS,
    }
    if request.headers.get("HX-Request") or request.GET.get("fragment"):
        return render(request, "core/export_progress.html", context)
    return render(request, "core/export_run.html", context)


@login_required
def export_file(request: HttpRequest, run_uuid: uuid.UUID) -> HttpResponseBase:
    """The finished workbook, for the person who asked for it only."""
    run = _own_run(request, run_uuid)
    if not may_download(run, request.user):
        raise Http404
    # FileResponse closes the file once it is sent.
    workbook = Path(run.file_path).open("rb")  # noqa: SIM115
    response = FileResponse(workbook, as_attachment=True, filename=run.file_name)
    response["Content-Type"] = XLSX
    response["Cache-Control"] = "no-store, private"
    return response
