"""Uploads are size-limited and typed by their content, not by their name."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import translation

from oreledger.appeals.forms import RaiseForm, TextForm
from oreledger.core.bundle_views import BundleUploadForm
from oreledger.core.uploads import EVIDENCE, PHOTO, WORKBOOK, check_upload
from oreledger.inspections.forms import AnswerForm

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kinds", "kind"),
    [
        ("现场照片.JPG", JPEG, PHOTO, "jpeg"),
        ("photo.png", PNG, PHOTO, "png"),
        ("整改报告.pdf", PDF, EVIDENCE, "pdf"),
        ("台账.xlsx", _xlsx(), WORKBOOK, "xlsx"),
    ],
)
def test_a_file_whose_content_and_name_agree_is_accepted(
    name: str, content: bytes, kinds: tuple[str, ...], kind: str
) -> None:
    # when an upload is checked
    upload = SimpleUploadedFile(name, content)
    # then its kind is named, and the file is left at its start for whoever saves it
    assert check_upload(upload, kinds=kinds) == kind
    assert upload.tell() == 0


@pytest.mark.parametrize(
    ("name", "content", "kinds"),
    [
        ("photo.jpg", b"<script>alert(1)</script>", PHOTO),  # a script named as a photo
        ("photo.html", JPEG, PHOTO),  # a photo named as a page
        ("report.pdf", PNG, EVIDENCE),  # one kind named as another
        ("book.xlsx", _zip("evil.sh"), WORKBOOK),  # a zip that is not a workbook
        ("book.xlsx", _zip("word/document.xml"), WORKBOOK),  # a document named as a workbook
        ("empty.jpg", b"", PHOTO),
    ],
)
def test_a_file_whose_content_is_not_an_allowed_kind_is_refused(
    name: str, content: bytes, kinds: tuple[str, ...]
) -> None:
    # when it is checked
    with translation.override("zh-hans"), pytest.raises(forms.ValidationError) as refused:
        check_upload(SimpleUploadedFile(name, content), kinds=kinds)
    # then it is refused, in Chinese, naming the accepted kinds
    assert refused.value.code == "wrong_type"
    assert refused.value.messages == [f"请选择以下类型之一的文件：{', '.join(kinds)}。"]


@override_settings(OL_UPLOAD_MAX_BYTES=1024 * 1024)
def test_a_file_over_the_limit_is_refused_before_its_content_is_read() -> None:
    # given a JPEG one byte over 1 MiB
    upload = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (1024 * 1024 - len(JPEG) + 1))
    # when it is checked
    with translation.override("zh-hans"), pytest.raises(forms.ValidationError) as refused:
        check_upload(upload, kinds=PHOTO)
    # then it is refused for its size
    assert refused.value.code == "too_large"
    assert refused.value.messages == ["文件超过 1 MiB。"]


@pytest.mark.parametrize(
    ("form", "data", "field"),
    [
        (RaiseForm, {"category": "finance", "description": "贷款"}, "attachment"),
        (TextForm, {"text": "已答复"}, "attachment"),
        (AnswerForm, {"text": "已整改"}, "evidence"),
    ],
)
def test_the_appeal_and_rectification_forms_check_their_files(
    form: type[forms.Form], data: dict[str, str], field: str
) -> None:
    # given a page disguised as a photo, and a real photo
    page = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>")
    photo = SimpleUploadedFile("photo.jpg", JPEG)
    # when each is sent with the form
    refused = form(data=data, files={field: page})
    accepted = form(data=data, files={field: photo})
    # then the page is refused on its field and the photo accepted
    assert not refused.is_valid()
    assert [e.code for e in refused.errors.as_data()[field]] == ["wrong_type"]
    assert accepted.is_valid(), accepted.errors


def test_the_bundle_upload_refuses_a_renamed_file_as_a_workbook() -> None:
    # given a text file named as a workbook, and a real workbook
    fake = SimpleUploadedFile("province.xlsx", "region_code,name\n210000,辽宁省\n".encode())
    real = SimpleUploadedFile("province.xlsx", _xlsx())
    # when each is uploaded as the province bundle
    refused = BundleUploadForm(data={}, files={"file": fake})
    accepted = BundleUploadForm(data={}, files={"file": real})
    # then only the workbook is taken
    assert not refused.is_valid()
    assert [e.code for e in refused.errors.as_data()["file"]] == ["wrong_type"]
    assert accepted.is_valid(), accepted.errors
