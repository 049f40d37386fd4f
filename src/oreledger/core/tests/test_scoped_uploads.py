"""Every stored upload is served only through a view scoped like its record's page.

Assessment evidence, appeal attachments, inspection photos and order-answer evidence: each
file is answered to exactly the personas who may open the record's page, is 404 to everyone
else (nothing changes), and is never reachable under the media directory.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oreledger.appeals.models import Entry
from oreledger.appeals.tests.support import routed
from oreledger.assessment import services as assessment
from oreledger.assessment.models import Evidence
from oreledger.assessment.queries import Period
from oreledger.inspections.models import InspectionPhoto, InspectionResult, OrderAnswer
from oreledger.inspections.tests.support import build_visit
from oreledger.registry.tests.factories import SiteFactory
from testkit.matrix import check_matrix
from testkit.personas import PERSONAS, Province

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files land in a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _who_sees(world: Province, page: str) -> dict[str, int]:
    """Per persona, what the download must answer: 200 to whoever opens the record's page,
    the login redirect to the anonymous visitor, 404 to everyone else."""
    expected = {}
    for name in PERSONAS:
        status = world.client(name).get(page).status_code
        expected[name] = 200 if status == 200 else (302 if name == "anonymous" else 404)
    return expected


def _served_only_to_its_readers(
    world: Province,
    page: str,
    url: str,
    content: bytes,
    stored: Any,
    expected: dict[str, int] | None = None,
) -> None:
    expected = expected or _who_sees(world, page)
    # the record's own county sees it, the other county does not, anonymous is sent to log in
    assert (expected["haicheng_operator"], expected["dashiqiao_operator"]) == (200, 404)
    assert expected["anonymous"] == 302
    responses = check_matrix(world, lambda client: client.get(url), expected)
    assert responses["haicheng_operator"].getvalue() == content
    assert responses["haicheng_operator"]["X-Content-Type-Options"] == "nosniff"
    # the page links to the scoped view, never to the stored file's own path
    body = world.client("haicheng_operator").get(page).content.decode()
    assert f'href="{url}"' in body and stored.name not in body
    # and the media directory is not served at any address, even to its county
    for path in ("/" + stored.name, "/media/" + stored.name):
        for client in (Client(), world.client("haicheng_operator")):
            # (a page answers: not found, or the sign-in page for the anonymous visitor)
            answer = client.get(path, follow=True)
            assert answer["Content-Type"].startswith("text/html")
            assert content not in answer.content


def test_assessment_evidence(world: Province) -> None:
    # given Haicheng's funding entry with its PDF
    entry = assessment.submit_evidence(
        actor=world.user("haicheng_operator"),
        region=world.haicheng,
        kind="funding",
        period=Period.parse("quarter", "2026-Q1"),
        planned=Decimal(100),
        actual=Decimal(80),
        evidence="财政拨款文件",
        attachment=ContentFile(PDF, name="拨款文件.pdf"),
    )
    entry = Evidence.objects.get(pk=entry.pk)
    url = reverse("assessment:evidence_attachment", args=[entry.pk])
    # when each persona asks for the PDF, then only those who see the entries get it
    # (the entries page lists each county's own: whoever may view an entry of Haicheng is
    # the province and every government role there, not an enterprise)
    readers = {"province_officer": 200, "haicheng_operator": 200, "dashiqiao_operator": 404,
               "department_officer": 200, "enterprise_user": 404, "anonymous": 302}  # fmt: skip
    page = reverse("assessment:evidence")
    _served_only_to_its_readers(world, page, url, PDF, entry.attachment, readers)


def test_appeal_attachment(world: Province) -> None:
    # given an appeal of the Haicheng enterprise with an answer carrying a PDF
    appeal = routed(world, timezone.now() - datetime.timedelta(hours=1))
    line = Entry(appeal=appeal, kind="answer", at=timezone.now(), text="已处理")
    line.attachment.save("答复.pdf", ContentFile(PDF))
    url = reverse("appeals:entry_attachment", args=[appeal.number, line.pk])
    # when each persona asks for it, then only those who see the appeal get it
    page = reverse("appeals:appeal_detail", args=[appeal.number])
    _served_only_to_its_readers(world, page, url, PDF, line.attachment)


def _visit(world: Province) -> Any:
    site = SiteFactory(code="HC-M-301", enterprise=world.user("enterprise_user").enterprise)
    return build_visit(world, site, world.user("haicheng_operator"))


def test_inspection_photo(world: Province) -> None:
    # given a Haicheng inspection with a photo of one result
    visit = _visit(world)
    photo = InspectionPhoto(result=InspectionResult.objects.filter(inspection=visit.inspection)[0])
    photo.image.save("现场.jpg", ContentFile(JPEG))
    url = reverse("inspections:inspection_photo", args=[visit.inspection.pk, photo.pk])
    # when each persona asks for it, then only those who see the inspection get it
    page = reverse("inspections:inspection_detail", args=[visit.inspection.pk])
    _served_only_to_its_readers(world, page, url, JPEG, photo.image)


def test_order_answer_evidence(world: Province) -> None:
    # given a Haicheng order answered by the enterprise with a PDF
    visit = _visit(world)
    answer = OrderAnswer(
        order=visit.order, text="已苫盖", answered_by=world.user("enterprise_user")
    )
    answer.evidence.save("整改照片.pdf", ContentFile(PDF))
    url = reverse("inspections:answer_evidence", args=[visit.order.number, answer.pk])
    # when each persona asks for it, then only those who see the order get it
    page = reverse("inspections:order_detail", args=[visit.order.number])
    _served_only_to_its_readers(world, page, url, PDF, answer.evidence)


def test_a_photo_is_not_found_through_another_inspection(world: Province) -> None:
    # given a photo of one inspection and a second inspection the same county can see
    first, second = (
        _visit(world),
        build_visit(
            world,
            SiteFactory(code="HC-M-302", enterprise=world.user("enterprise_user").enterprise),
            world.user("haicheng_operator"),
        ),
    )
    photo = InspectionPhoto(result=InspectionResult.objects.filter(inspection=first.inspection)[0])
    photo.image.save("现场.jpg", ContentFile(JPEG))
    # when it is asked for under the other inspection, then it does not exist there
    url = reverse("inspections:inspection_photo", args=[second.inspection.pk, photo.pk])
    assert world.client("haicheng_operator").get(url).status_code == 404
