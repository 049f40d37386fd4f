"""Uploaded files: a size limit, and a type read from the content rather than the name.

A file is accepted when its first bytes are those of a kind the field takes (JPEG, PNG,
WebP, PDF, an Office Open XML workbook or document) and its name's extension is one of
that kind's, so a script renamed `photo.jpg` or a photo named `report.html` is refused.

Stored files live under MEDIA_ROOT (in OL_VAR_DIR, outside the static root) and no URL
serves that directory: each is answered by `stored_file_response` from a view that first
finds its record in the caller's jurisdiction (to anyone else it does not exist: 404).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

# kind -> (extensions, a test of the first bytes)
_MAGIC = {
    "jpeg": ((".jpg", ".jpeg"), lambda head: head.startswith(b"\xff\xd8\xff")),
    "png": ((".png",), lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "webp": ((".webp",), lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    "pdf": ((".pdf",), lambda head: head.startswith(b"%PDF-")),
    "xlsx": ((".xlsx",), lambda head: head.startswith(b"PK\x03\x04")),
    "docx": ((".docx",), lambda head: head.startswith(b"PK\x03\x04")),
}
# An Office file is a zip; which one it is, its parts say.
_OOXML_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}

# What a stored file of each kind is served as.
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

PHOTO = ("jpeg", "png", "webp")
EVIDENCE = (*PHOTO, "pdf", "xlsx", "docx")
WORKBOOK = ("xlsx",)


def _is_ooxml(upload: Any, kind: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return _OOXML_PART[kind] in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


def kind_of(upload: Any, kinds: Iterable[str]) -> str | None:
    """The kind among `kinds` that both the file's first bytes and its extension show."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    extension = PurePath(upload.name or "").suffix.lower()
    for kind in kinds:
        extensions, looks_like = _MAGIC[kind]
        if extension in extensions and looks_like(head):
            if kind in _OOXML_PART and not _is_ooxml(upload, kind):
                continue
            return kind
    return None


def check_upload(upload: Any, *, kinds: Iterable[str], max_bytes: int | None = None) -> str:
    """The upload's kind; forms.ValidationError when too large or not of an allowed kind."""
    kinds = tuple(kinds)
    limit = max_bytes or settings.OL_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is larger than %(limit)s MiB."),
            code="too_large",
            params={"limit": limit // (1024 * 1024)},
        )
    kind = kind_of(upload, kinds)
    if kind is None:
        raise forms.ValidationError(
            _("Choose a file of one of these kinds: %(kinds)s."),
            code="wrong_type",
            params={"kinds": ", ".join(kinds)},
        )
    return kind


class UploadField(forms.FileField):
    """A file field that checks size and content (`kinds`: PHOTO, EVIDENCE, WORKBOOK)."""

    def __init__(
        self, *args: Any, kinds: Iterable[str], max_bytes: int | None = None, **kwargs: Any
    ) -> None:
        self.kinds, self.max_bytes = tuple(kinds), max_bytes
        super().__init__(*args, **kwargs)
        extensions = sorted({e for kind in self.kinds for e in _MAGIC[kind][0]})
        self.widget.attrs.setdefault("accept", ",".join(extensions))

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload and upload is not initial:
            check_upload(upload, kinds=self.kinds, max_bytes=self.max_bytes)
        return upload


def stored_file_response(stored: FieldFile) -> FileResponse:
    """A stored upload as its answer: shown inline when a photo or PDF, else to save; 404
    when the file is gone. The caller has already found the record in the user's scope."""
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The kind is read again from the content: a file stored before uploads were checked
    # may be anything, and is then only offered as bytes to save, never shown.
    kind = kind_of(handle, EVIDENCE)
    response = FileResponse(
        handle,
        as_attachment=kind not in (*PHOTO, "pdf"),
        filename=PurePath(stored.name or "").name,
        content_type=CONTENT_TYPES[kind] if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
