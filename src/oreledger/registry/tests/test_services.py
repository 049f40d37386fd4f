"""Registry services: each bad input of issue 3 is refused with its code, nothing saved."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from oreledger.accounts.models import DepartmentKind
from oreledger.core.errors import DomainError
from oreledger.core.models import ObjectChange
from oreledger.registry import services
from oreledger.registry.errors import InvalidRecord, NotYours
from oreledger.registry.identifiers import make_uscc
from oreledger.registry.models import Enterprise, Permit, PermitRequirement, PermitType
from oreledger.registry.tests.conftest import snapshot_counts

pytestmark = pytest.mark.django_db

SELF_INTERSECTING = {
    "type": "Polygon",
    "coordinates": [
        [[122.60, 40.80], [122.70, 40.90], [122.70, 40.80], [122.60, 40.90], [122.60, 40.80]]
    ],
}
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[122.60, 40.80], [122.70, 40.80], [122.70, 40.90], [122.60, 40.90], [122.60, 40.80]]
    ],
}


def refusal(call: Callable[[], Any]) -> InvalidRecord:
    """Run a service that must refuse; assert nothing was written; return the refusal."""
    before = snapshot_counts()
    with pytest.raises(InvalidRecord) as caught:
        call()
    assert snapshot_counts() == before
    return caught.value


def bad_uscc() -> str:
    good = make_uscc("210381", 7001)
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def test_wrong_checksum_is_refused_in_both_languages(world) -> None:
    # given a province officer and a USCC whose last character is mistyped
    actor, code = world.user("province_officer"), bad_uscc()
    # when they register it
    error = refusal(
        lambda: services.create_enterprise(
            actor=actor, uscc=code, name="错码公司", kind="mine_operator", region=world.haicheng
        )
    )
    # then the USCC field carries the checksum code, in Chinese and in English
    assert error.code == "uscc_checksum"
    assert error.field_codes() == {"uscc": ["uscc_checksum"]}
    assert error.message_in("zh-hans") == (
        f"{code} 不是有效的统一社会信用代码：校验码不符（是否输入有误？）。"
    )
    assert error.message_in("en") == (
        f"{code} is not a valid unified social credit code: the check character does not "
        "match (is there a typing error?)."
    )


def test_malformed_plate_is_refused(world, records) -> None:
    actor = world.user("haicheng_operator")
    error = refusal(
        lambda: services.create_vehicle(
            actor=actor, plate="辽C1234", owner=records.hc, axles=6, tare_kg=16000
        )
    )
    assert error.field_codes() == {"plate": ["plate_format"]}
    assert error.message_in("zh-hans").startswith("辽C1234 不是有效的车牌号")
    assert error.message_in("en").startswith("辽C1234 is not a mainland vehicle plate")


def test_self_intersecting_boundary_is_refused(world, records) -> None:
    actor = world.user("haicheng_operator")
    error = refusal(
        lambda: services.create_site(
            actor=actor,
            enterprise=records.hc,
            code="HC-M-009",
            kind="mine",
            name="蝴蝶矿",
            lat="40.85",
            lon="122.65",
            boundary=SELF_INTERSECTING,
        )
    )
    assert error.field_codes() == {"boundary": ["boundary_self_intersection"]}
    assert error.message_in("zh-hans") == "范围的第 1 个环自相交或自接触。"
    assert error.message_in("en") == "Ring 1 of the boundary crosses or touches itself."


def test_validity_reversed_is_refused(world, records) -> None:
    actor = world.user("haicheng_operator")
    error = refusal(
        lambda: services.create_permit(
            actor=actor,
            number="BAD-001",
            type="business_licence",
            holder=records.hc,
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2025, 1, 1),
        )
    )
    assert error.field_codes() == {"valid_to": ["validity_reversed"]}
    assert error.message_in("zh-hans") == "有效期止早于有效期起。"
    assert error.message_in("en") == "The end of validity is before its start."


def test_unknown_region_is_refused(world) -> None:
    actor = world.user("province_officer")
    error = refusal(
        lambda: services.create_enterprise(
            actor=actor,
            uscc=make_uscc("210381", 7002),
            name="无名公司",
            kind="trader",
            region="999999",
        )
    )
    assert error.field_codes() == {"region": ["unknown_region"]}
    assert error.message_in("zh-hans") == "未知地区 999999，或不在您的辖区内。"
    assert error.message_in("en") == "Unknown region 999999, or outside your jurisdiction."


def test_a_region_outside_the_jurisdiction_is_unknown_too(world) -> None:
    actor = world.user("haicheng_operator")
    error = refusal(
        lambda: services.create_enterprise(
            actor=actor,
            uscc=make_uscc("210882", 7003),
            name="越界公司",
            kind="trader",
            region=world.dashiqiao,
        )
    )
    assert error.field_codes() == {"region": ["unknown_region"]}


def test_unknown_department_is_refused(world, records) -> None:
    actor = world.user("haicheng_operator")
    error = refusal(
        lambda: services.create_permit(
            actor=actor,
            number="DEPT-001",
            type="business_licence",
            holder=records.hc,
            department="ministry_of_magic",
            valid_from=datetime.date(2025, 1, 1),
            valid_to=datetime.date(2030, 1, 1),
        )
    )
    assert error.field_codes() == {"department": ["unknown_department"]}
    assert error.message_in("zh-hans") == "未知部门 ministry_of_magic。"
    assert error.message_in("en") == "Unknown department ministry_of_magic."


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (
            lambda w, r: services.create_enterprise(
                actor=w.user("province_officer"),
                uscc=r.hc.uscc,
                name="重复",
                kind="trader",
                region=w.haicheng,
            ),
            "uscc",
        ),
        (
            lambda w, r: services.create_site(
                actor=w.user("province_officer"),
                enterprise=r.hc,
                code="HC-M-001",
                kind="mine",
                name="重复",
                lat="40.9",
                lon="122.7",
            ),
            "code",
        ),
        (
            lambda w, r: services.create_station(
                actor=w.user("province_officer"),
                code="HC-ST-001",
                name="重复",
                region=None,
                site=r.hc_site,
                lat="40.9",
                lon="122.7",
            ),
            "code",
        ),
        (
            lambda w, r: services.create_vehicle(
                actor=w.user("province_officer"),
                plate="辽C·10001",
                owner=r.hc,
                axles=6,
                tare_kg=15000,
            ),
            "plate",
        ),
        (
            lambda w, r: services.create_permit(
                actor=w.user("province_officer"),
                number=r.hc_permit.number,
                type="business_licence",
                holder=r.hc,
                valid_from=datetime.date(2025, 1, 1),
                valid_to=datetime.date(2030, 1, 1),
            ),
            "number",
        ),
    ],
    ids=["enterprise", "site", "station", "vehicle", "permit"],
)
def test_duplicate_key_is_a_field_error(world, records, make, field) -> None:
    error = refusal(lambda: make(world, records))
    assert error.field_codes() == {field: ["unique"]}
    assert "已" in error.message_in("zh-hans")
    assert "already" in error.message_in("en")


def test_site_far_from_its_county_is_refused(located, records) -> None:
    # given Haicheng's centre at 40.88N 122.68E
    actor = located.user("haicheng_operator")
    # when a site is typed with latitude and longitude swapped into Shenyang's latitude
    error = refusal(
        lambda: services.create_site(
            actor=actor,
            enterprise=records.hc,
            code="HC-M-010",
            kind="mine",
            name="远矿",
            lat="41.80",
            lon="123.43",
        )
    )
    # then the coordinates are refused as outside the county
    assert error.field_codes() == {"lat": ["outside_county"]}
    assert error.message_in("en") == (
        "These coordinates are more than 60 km from the centre of Haicheng: "
        "check latitude and longitude."
    )
    assert error.message_in("zh-hans") == "该坐标距海城市中心超过 60 公里：请核对纬度和经度。"


def test_site_inside_its_county_is_saved_with_audit(located, records) -> None:
    actor = located.user("haicheng_operator")
    site = services.create_site(
        actor=actor,
        enterprise=records.hc,
        code="HC-M-011",
        kind="mine",
        name="近矿",
        lat="40.85",
        lon="122.65",
        boundary=SQUARE,
        hours_from=7 * 60,
        hours_to=19 * 60,
    )
    assert (site.region, site.permitted_hours, site.version) == (located.haicheng, "07:00-19:00", 1)
    change = ObjectChange.objects.get(object_id=str(site.pk), content_type__model="site")
    assert (change.action, change.actor) == ("create", actor)


def test_status_change_needs_a_reason_and_is_kept_in_history(world, records) -> None:
    actor = world.user("haicheng_operator")
    error = refusal(
        lambda: services.change_enterprise_status(
            actor=actor, enterprise=records.hc, status="suspended", reason="  "
        )
    )
    assert error.field_codes() == {"reason": ["reason_required"]}
    changed = services.change_enterprise_status(
        actor=actor,
        enterprise=records.hc,
        status="rectifying",
        classification="retain_upgrade",
        reason="联合执法检查发现问题",
    )
    assert (changed.status, changed.classification, changed.version) == (
        "rectifying",
        "retain_upgrade",
        2,
    )
    change = ObjectChange.objects.filter(object_id=str(records.hc.pk)).first()
    assert change is not None
    assert change.reason == "联合执法检查发现问题"
    assert (change.before["status"], change.after["status"]) == ("operating", "rectifying")


def test_blacklisting_keeps_the_reason(world, records) -> None:
    vehicle = services.blacklist_vehicle(
        actor=world.user("haicheng_operator"), vehicle=records.hc_vehicle, reason="超载三次"
    )
    assert (vehicle.status, vehicle.blacklist_reason, vehicle.version) == (
        "blacklisted",
        "超载三次",
        2,
    )
    back = services.reinstate_vehicle(
        actor=world.user("haicheng_operator"), vehicle=vehicle, reason="整改完成"
    )
    assert (back.status, back.blacklist_reason, back.version) == ("registered", "", 3)


def test_enterprise_user_may_not_register(world) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_enterprise(
            actor=world.user("enterprise_user"),
            uscc=make_uscc("210381", 7004),
            name="自报",
            kind="trader",
            region=world.haicheng,
        )
    assert (caught.value.code, caught.value.status) == ("forbidden", 403)
    assert not Enterprise.objects.filter(name="自报").exists()


def test_department_officer_records_only_own_department_permits(world, records) -> None:
    officer = world.user("department_officer")  # Haicheng natural resources
    permit = services.create_permit(
        actor=officer,
        number="CK-2025-01",
        type="mining_licence",
        holder=records.hc,
        site=records.hc_site,
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2030, 1, 1),
        scope_t=600_000,
        mineral="magnesite",
    )
    assert permit.department == officer.department
    assert permit.region == world.haicheng
    error = refusal(
        lambda: services.create_permit(
            actor=officer,
            number="EIA-2025-01",
            type="eia_approval",
            holder=records.hc,
            site=records.hc_site,
            valid_from=datetime.date(2025, 1, 1),
            valid_to=datetime.date(2030, 1, 1),
        )
    )
    assert error.field_codes() == {"department": ["own_department_only"]}


def test_permit_validity_state_is_set_on_save(world, records) -> None:
    today = timezone.localdate()
    permit = services.create_permit(
        actor=world.user("haicheng_operator"),
        number="BL-EXP",
        type="business_licence",
        holder=records.hc,
        valid_from=today - datetime.timedelta(days=300),
        valid_to=today + datetime.timedelta(days=10),
    )
    assert permit.validity_state == "expiring"
    suspended = services.change_permit_status(
        actor=world.user("haicheng_operator"), permit=permit, status="suspended", reason="停产"
    )
    assert suspended.validity_state == "suspended_revoked"


def test_province_edits_the_catalogue_without_code(world) -> None:
    officer = world.user("province_officer")
    permit_type = services.create_permit_type(
        actor=officer,
        code="water_permit",
        name_zh="取水许可证",
        name_en="Water permit",
        department_kind="natural_resources",
        holder="site",
    )
    requirement = services.add_permit_requirement(
        actor=officer, applies_to="site", holder_kind="plant", permit_type="water_permit"
    )
    assert permit_type.department_kind == DepartmentKind.objects.get(code="natural_resources")
    assert requirement.permit_type == permit_type
    duplicate = refusal(
        lambda: services.add_permit_requirement(
            actor=officer, applies_to="site", holder_kind="plant", permit_type="water_permit"
        )
    )
    assert duplicate.code == "duplicate"
    # and a county operator may not add to the catalogue: refused for the role, nothing written
    with pytest.raises(NotYours):
        services.create_permit_type(
            actor=world.user("haicheng_operator"),
            code="x",
            name_zh="x",
            name_en="x",
            department_kind="transport",
            holder="site",
        )
    assert not PermitType.objects.filter(code="x").exists()
    services.remove_permit_requirement(actor=officer, requirement=requirement)
    assert not PermitRequirement.objects.filter(permit_type=permit_type).exists()
    assert PermitType.objects.filter(code="water_permit").exists()
    assert Permit.objects.count() == 0
