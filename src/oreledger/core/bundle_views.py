"""The province-bundle import in the web interface: upload, progress, errors or outcomes."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oreledger.core.bundle import IMPORT_SECRETS, secret_outputs
from oreledger.core.jobs import run_bundle_import
from oreledger.core.models import ImportRun
from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import COUNTY_OPERATOR, PROVINCE_OFFICE
from oreledger.core.sealing import unseal
from oreledger.core.uploads import WORKBOOK, check_upload

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
IMPORT_ROLES = (PROVINCE_OFFICE, COUNTY_OPERATOR)


def may_import(user: Any) -> bool:
    """Province office and county operators import, each within their own region."""
    return bool(
        user.is_authenticated
        and user.is_active
        and getattr(user, "role", None) in IMPORT_ROLES
        and getattr(user, "region_id", None)
    )


class BundleUploadForm(forms.Form):
    """A province-bundle workbook and whether to check it only."""

    file = forms.FileField(label=_("Workbook (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False)

    def clean_file(self) -> Any:
        """An .xlsx file of at most 20 MiB."""
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an .xlsx workbook."), code="not_xlsx")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The workbook is larger than 20 MiB."), code="too_large")
        # An .xlsx by its content too: a zip holding a workbook, not anything renamed.
        check_upload(upload, kinds=WORKBOOK, max_bytes=MAX_UPLOAD_BYTES)
        return upload


def _save_upload(upload: Any) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4()}.xlsx"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def import_label(user: Any) -> str:
    """What this person imports: the province's bundle, or their own county's (or city's)."""
    region = getattr(user, "region", None)
    if region is None or region.parent_id is None:
        return str(_("Import the province bundle"))
    return str(_("Import the %(region)s bundle") % {"region": region.name})


@login_required
def bundle_import(request: HttpRequest) -> HttpResponse:
    """The upload form; a valid upload becomes a queued import run."""
    user: Any = request.user
    if not may_import(user):
        raise PermissionDenied
    form = BundleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        path = _save_upload(form.cleaned_data["file"])
        with transaction.atomic():
            run = ImportRun.objects.create(
                actor=user,
                scope=user.region,
                file_path=str(path),
                file_name=form.cleaned_data["file"].name[:255],
                dry_run=form.cleaned_data["dry_run"],
                language=get_language() or settings.LANGUAGE_CODE,
            )
            # In the same transaction: the job exists exactly when the run does.
            run_bundle_import.enqueue(run.pk)
        return redirect("core:bundle_run", run_uuid=run.uuid)
    runs = ImportRun.objects.filter(actor=user)[:10]
    return render(
        request,
        "core/bundle_import.html",
        {"form": form, "runs": runs, "title": import_label(user)},
        status=400 if request.method == "POST" else 200,
    )


def _reveal_secrets(run: ImportRun) -> list[tuple[Any, str, str]] | None:
    """The new secrets, once: they are erased from the run as they are shown. Each is a line
    (its output's label, the station or user it belongs to, the secret)."""
    sealed = (run.secrets or {}).get("sealed")
    if not sealed:
        return None
    updated = ImportRun.objects.filter(pk=run.pk, secrets=run.secrets).update(secrets={})
    if not updated:
        return None
    revealed: dict[str, dict[str, str]] = json.loads(unseal(sealed, IMPORT_SECRETS))
    return [
        (output.label, key, secret)
        for output in secret_outputs()
        for key, secret in revealed.get(output.name, {}).items()
    ]


@login_required
def bundle_run(request: HttpRequest, run_uuid: uuid.UUID) -> HttpResponse:
    """One import run: progress while it runs, then its errors or what it did."""
    user: Any = request.user
    run = get_object_or_404(ImportRun, uuid=run_uuid, actor=user)
    context = {
        "run": run,
        "error_count": (run.outcomes or {}).get("error_count") or len(run.errors or []),
        "secrets": _reveal_secrets(run) if run.finished else None,
        "title": _("Bundle import"),
    }
    if request.headers.get("HX-Request") or request.GET.get("fragment"):
        return render(request, "core/bundle_progress.html", context)
    return render(request, "core/bundle_run.html", context)


register_menu_item(
    MenuItem(
        section=_("Data"),
        label=_("Import a bundle"),
        label_for=lambda user: import_label(user),
        url_name="core:bundle_import",
        visible=may_import,
        order=700,
    )
)
