"""A case note's attachment: checked by content, kept off the web, served to the case's people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oreledger.alerts.models import Case, CaseNote
from oreledger.alerts.services import open_case
from testkit.personas import Province

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files land in a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(world: Province) -> Case:
    """A Haicheng case against the persona mine."""
    operator = world.user("haicheng_operator")
    mine = world.user("enterprise_user").enterprise
    return open_case(actor=operator, title="越界开采", region=world.haicheng, enterprise=mine)


def _note(world: Province, case: Case, upload: SimpleUploadedFile) -> Any:
    client = world.client("haicheng_operator")
    url = reverse("alerts:case_action", args=[case.number, "note"])
    return client.post(url, {"text": "现场勘查", "attachment": upload})


def test_a_page_disguised_as_a_pdf_is_refused_and_nothing_is_stored(
    world: Province, case: Case, media: Path
) -> None:
    # given a web page named as a PDF
    page = SimpleUploadedFile("笔录.pdf", b"<html><script>alert(1)</script></html>")
    # when the county operator attaches it to a note
    response = _note(world, case, page)
    # then the note is refused with the reason in Chinese, and neither note nor file is stored
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "请选择以下类型之一的文件：jpeg, png, webp, pdf, xlsx, docx。"
    ]
    assert CaseNote.objects.filter(case=case).count() == 0
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_attachment_is_served_to_the_case_county_and_to_no_other(
    world: Province, case: Case, media: Path
) -> None:
    # given a PDF attached to a note of the Haicheng case
    _note(world, case, SimpleUploadedFile("勘查笔录.pdf", PDF))
    note = CaseNote.objects.get(case=case)
    url = reverse("alerts:case_note_attachment", args=[case.number, note.pk])
    # when Haicheng's operator opens it
    mine = world.client("haicheng_operator").get(url)
    # then the bytes come back as a PDF named in UTF-8, with no sniffing allowed
    assert mine.status_code == 200
    assert mine.getvalue() == PDF
    assert mine["Content-Type"] == "application/pdf"
    assert mine["Content-Disposition"] == (
        "inline; filename*=utf-8''%E5%8B%98%E6%9F%A5%E7%AC%94%E5%BD%95.pdf"
    )
    assert mine["X-Content-Type-Options"] == "nosniff"
    # and the file is kept under the media root, which the web server does not serve
    assert Path(note.attachment.path).is_relative_to(media)
    # when Dashiqiao's operator or an anonymous visitor asks for it, it does not exist
    assert world.client("dashiqiao_operator").get(url).status_code == 404
    assert world.client("anonymous").get(url).status_code == 302
    # and the case file links to the scoped view, not to a media URL
    page = world.client("haicheng_operator").get(case.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page and "/media/" not in page


def test_a_note_without_an_attachment_has_nothing_to_serve(world: Province, case: Case) -> None:
    # given a note with text only
    world.client("haicheng_operator").post(
        reverse("alerts:case_action", args=[case.number, "note"]), {"text": "电话询问"}
    )
    note = CaseNote.objects.get(case=case)
    # when its attachment is asked for, then there is none
    url = reverse("alerts:case_note_attachment", args=[case.number, note.pk])
    assert world.client("haicheng_operator").get(url).status_code == 404


def test_a_page_attached_before_the_check_is_only_offered_for_saving(
    world: Province, case: Case, media: Path
) -> None:
    # given a web page attached before uploads were checked by content
    note = CaseNote.objects.create(case=case, author_name="旧数据", text="旧附件")
    note.attachment.save("page.html", ContentFile(b"<script>alert(1)</script>"))
    url = reverse("alerts:case_note_attachment", args=[case.number, note.pk])
    # when the county opens it
    response = world.client("haicheng_operator").get(url)
    # then it comes as bytes to save, never as a page the browser would render
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
