"""The pages: the field form (stored once, photos kept), the order's answer and signatures,
decisions; each route's permission matrix, refusals changing nothing."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from oreledger.inspections.models import (
    ClassificationDecision,
    Finding,
    Inspection,
    InspectionPhoto,
    OrderAnswer,
    OrderSignoff,
    RectificationOrder,
)
from oreledger.inspections.queries import checklists_for, items_for
from oreledger.inspections.tests.support import build_loop, build_visit, inspect, today
from oreledger.registry.models import Enterprise, Site
from oreledger.registry.tests.factories import SiteFactory
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

WATCH = [Inspection, Finding, InspectionPhoto, RectificationOrder, OrderAnswer, OrderSignoff,
         ClassificationDecision, Enterprise, Site]  # fmt: skip
LICENCE = "采矿许可证在有效期内"


@pytest.fixture
def loop(world):
    return build_loop(world)


@pytest.fixture
def site(world):
    return SiteFactory(code="HC-M-201", enterprise=world.user("enterprise_user").enterprise)


def _form(loop, site, key, failing=LICENCE):
    data = {"submission_key": str(key)}
    files = {}
    for item in items_for(checklists_for(loop.campaign, site.enterprise.industry)):
        fail = item.text == failing
        data[f"outcome_{item.pk}"] = "fail" if fail else "pass"
        data[f"note_{item.pk}"] = "许可证过期" if fail else ""
        if fail:
            files[f"photo_{item.pk}"] = SimpleUploadedFile(
                "licence.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg"
            )
    return {**data, **files}


def test_the_field_form_stores_a_resent_submission_once(world, loop, site) -> None:
    url = reverse("inspections:inspect", args=[loop.campaign.pk, site.code])
    client = world.client("department_officer")
    page = client.get(url)
    assert page.status_code == 200
    assert (
        'data-testid="procedures-check"' in page.content.decode()
        or "procedures" in page.content.decode()
    )
    key = uuid.uuid4()
    first = client.post(url, _form(loop, site, key), HTTP_ACCEPT="application/json")
    again = client.post(url, _form(loop, site, key), HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["url"] == again.json()["url"]
    assert (Inspection.objects.count(), Finding.objects.count()) == (1, 1)
    assert InspectionPhoto.objects.count() == 1


def test_the_field_form_says_what_is_missing_and_stores_nothing(world, loop, site) -> None:
    url = reverse("inspections:inspect", args=[loop.campaign.pk, site.code])
    data = _form(loop, site, uuid.uuid4())
    [note] = [k for k, v in data.items() if k.startswith("note_") and v]
    data[note] = ""
    response = world.client("department_officer").post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "note_required"
    assert Inspection.objects.count() == 0


def _photo_of(data, upload):
    [name] = [k for k in data if k.startswith("photo_")]
    return {**data, name: upload}


def test_the_field_form_refuses_a_file_renamed_as_a_photo(
    world, loop, site, settings, tmp_path
) -> None:
    # given a form whose failed item carries a script renamed licence.jpg
    settings.MEDIA_ROOT = tmp_path
    url = reverse("inspections:inspect", args=[loop.campaign.pk, site.code])
    script = SimpleUploadedFile("licence.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
    data = _photo_of(_form(loop, site, uuid.uuid4()), script)
    # when the inspector sends it
    response = world.client("department_officer").post(url, data, HTTP_ACCEPT="application/json")
    # then it is refused, naming the file in Chinese, and nothing is stored
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "photo_not_image"
    assert error["message"] == "照片 licence.jpg 不是 JPEG、PNG 或 WebP 图片。"
    assert (Inspection.objects.count(), InspectionPhoto.objects.count()) == (0, 0)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_the_field_form_refuses_a_photo_over_the_limit(world, loop, site, settings) -> None:
    # given a JPEG one byte over a 1 MiB limit
    settings.OL_UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * (1024 * 1024 - 2))
    url = reverse("inspections:inspect", args=[loop.campaign.pk, site.code])
    data = _photo_of(_form(loop, site, uuid.uuid4()), big)
    # when the inspector sends it, then it is refused for its size and nothing is stored
    response = world.client("department_officer").post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "照片 big.jpg 超过 1 MiB。"
    assert Inspection.objects.count() == 0


@pytest.mark.parametrize(("name", "fmt"), [("licence.jpg", "JPEG"), ("licence.png", "PNG")])
def test_the_field_form_keeps_a_real_photo(
    world, loop, site, settings, tmp_path, name, fmt
) -> None:
    # given a form whose failed item carries a photo drawn with Pillow
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, fmt)
    url = reverse("inspections:inspect", args=[loop.campaign.pk, site.code])
    data = _photo_of(_form(loop, site, uuid.uuid4()), SimpleUploadedFile(name, buffer.getvalue()))
    # when the inspector sends it
    response = world.client("department_officer").post(url, data, HTTP_ACCEPT="application/json")
    # then the inspection is stored with the photo's bytes
    assert response.status_code == 201
    photo = InspectionPhoto.objects.get()
    with photo.image.open("rb") as stored:
        assert stored.read() == buffer.getvalue()


def test_the_loop_through_the_pages(world, loop, site) -> None:
    inspection = inspect(world, loop, site, {LICENCE: "许可证过期"})
    operator = world.client("haicheng_operator")
    response = operator.post(
        reverse("inspections:order_new", args=[inspection.pk]),
        {"target": "补办许可证", "measures": "停产补办", "responsible_person": "周工",
         "deadline": (today() + datetime.timedelta(days=20)).isoformat()},
    )  # fmt: skip
    order = RectificationOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    answer = world.client("enterprise_user").post(
        reverse("inspections:order_action", args=[order.number, "answer"]),
        {"text": "已补办", "evidence": SimpleUploadedFile("证明.pdf", b"%PDF-1.4")},
    )
    assert answer.status_code == 302
    sign = reverse("inspections:order_action", args=[order.number, "sign"])
    officer = world.client("department_officer")
    asked = officer.post(sign, {"note": "核验通过"})
    assert (
        asked.status_code == 200
        and OrderSignoff.objects.filter(signed_at__isnull=False).count() == 0
    )
    officer.post(sign, {"note": "核验通过", "confirmed": "1"})
    order.refresh_from_db()
    site.refresh_from_db()
    assert (order.status, site.status) == ("closed", "operating")
    page = operator.get(order.get_absolute_url()).content.decode()
    assert "核验通过" in page and "已补办" in page


def _site_in_dashiqiao(world):
    from oreledger.registry.tests.factories import EnterpriseFactory

    return SiteFactory(code="DSQ-M-900", enterprise=EnterpriseFactory(region=world.dashiqiao))


def test_the_matrix_of_the_record_pages(world, loop, site) -> None:
    inspection = inspect(world, loop, site, {LICENCE: "过期"})
    check_matrix(
        world,
        lambda c: c.get(reverse("inspections:campaign_detail", args=[loop.campaign.pk])),
        {"province_officer": 200, "haicheng_operator": 200, "dashiqiao_operator": 404,
         "department_officer": 200, "enterprise_user": 404, "anonymous": 302},
        watch=WATCH,
    )  # fmt: skip
    check_matrix(
        world,
        lambda c: c.get(reverse("inspections:inspection_detail", args=[inspection.pk])),
        {"province_officer": 200, "haicheng_operator": 200, "dashiqiao_operator": 404,
         "department_officer": 200, "enterprise_user": 200, "anonymous": 302},
        watch=WATCH,
    )  # fmt: skip
    check_matrix(
        world,
        lambda c: c.post(
            reverse("inspections:order_new", args=[inspection.pk]),
            {"target": "补办", "measures": "补办", "responsible_person": "周工",
             "deadline": (today() + datetime.timedelta(days=5)).isoformat()},
        ),
        {"province_officer": 302, "haicheng_operator": 302, "dashiqiao_operator": 404,
         "department_officer": 403, "enterprise_user": 403, "anonymous": 302},
        watch=WATCH,
    )  # fmt: skip
    order = RectificationOrder.objects.get()
    assert order.issued_by == world.user("province_officer")
    order_url = reverse("inspections:order_action", args=[order.number, "answer"])
    check_matrix(
        world,
        lambda c: c.post(order_url, {"text": "越权回复"}),
        {"province_officer": 403, "haicheng_operator": 403, "dashiqiao_operator": 404,
         "department_officer": 403, "enterprise_user": 302, "anonymous": 302},
        watch=WATCH,
    )  # fmt: skip
    check_matrix(
        world,
        lambda c: c.post(reverse("inspections:decision_new", args=[site.enterprise.uscc]),
                         {"classification": "shut_eliminate", "reason": "越权", "confirmed": "1"}),
        {"province_officer": 302, "haicheng_operator": 302, "dashiqiao_operator": 404,
         "department_officer": 403, "enterprise_user": 403, "anonymous": 302},
        watch=WATCH,
    )  # fmt: skip
    assert ClassificationDecision.objects.count() == 2


def test_an_outsider_cannot_open_the_field_form(world, loop) -> None:
    outside = _site_in_dashiqiao(world)
    url = reverse("inspections:inspect", args=[loop.campaign.pk, outside.code])
    response = world.client("haicheng_operator").get(url)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["inspections:campaign_list", "inspections:order_list", "inspections:decision_list"]
)
def test_the_lists_show_and_export(world, loop, site, name) -> None:
    inspect(world, loop, site)
    client = world.client("haicheng_operator")
    assert client.get(reverse(name)).status_code == 200
    export = client.get(reverse(name) + "?export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_order_list_offers_the_overdue_orders(world) -> None:
    # given three Haicheng orders: one past its deadline, one past it but closed, one within it
    enterprise = world.user("enterprise_user").enterprise
    operator = world.user("haicheng_operator")
    late, closed, on_time = (
        build_visit(world, SiteFactory(code=f"HC-M-20{n}", enterprise=enterprise), operator).order
        for n in (1, 2, 3)
    )
    yesterday = today() - datetime.timedelta(days=1)
    RectificationOrder.objects.filter(pk__in=[late.pk, closed.pk]).update(deadline=yesterday)
    RectificationOrder.objects.filter(pk=closed.pk).update(status="closed")
    RectificationOrder.objects.filter(pk=on_time.pk).update(deadline=today())
    client = world.client("haicheng_operator")
    # when the county filters the order list on 已逾期
    page = client.get(reverse("inspections:order_list"), {"status": "overdue"})
    # then exactly the open order past its deadline is listed, the choice shown selected
    assert [order.number for order in page.context["object_list"]] == [late.number]
    assert '<option value="overdue" selected>已逾期</option>' in page.content.decode()
    # and a stored status still filters as before
    page = client.get(reverse("inspections:order_list"), {"status": "closed"})
    assert [order.number for order in page.context["object_list"]] == [closed.number]
