"""The province-bundle import of the registry sheets (docs/specs/province-bundle.md)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook

from oreledger.accounts.models import Department, Region, User
from oreledger.core.bundle import BundleReport, format_errors, import_bundle, sheet_schemas
from oreledger.core.models import ObjectChange
from oreledger.core.workbook import write_sheet
from oreledger.registry.identifiers import make_uscc
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle
from oreledger.registry.tests.factories import EnterpriseFactory

MINE_USCC = make_uscc("210381", 11)
HAULIER_USCC = make_uscc("210381", 12)
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[122.67, 40.87], [122.69, 40.87], [122.69, 40.89], [122.67, 40.89],
                     [122.67, 40.87]]],
}  # fmt: skip
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[122.67, 40.87], [122.69, 40.89], [122.69, 40.87], [122.67, 40.89],
                     [122.67, 40.87]]],
}  # fmt: skip
WATCHED = (Region, Enterprise, Site, Station, Vehicle, Permit, User, Department, ObjectChange)


def base_rows() -> dict[str, list[dict[str, Any]]]:
    """A small valid bundle for the `world` province: one Haicheng town, mine and truck."""
    return {
        "regions": [{"code": "210381101", "name_zh": "牌楼镇", "name_en": "Pailou",
                     "level": "town", "parent_code": "210381"}],
        "enterprises": [
            {"uscc": MINE_USCC, "name": "海城测试镁矿有限公司", "kind": "mine_operator",
             "industry": "magnesite", "region_code": "210381", "legal_rep": "王五",
             "status": "operating"},
            {"uscc": HAULIER_USCC, "name": "海城测试运输有限公司", "kind": "haulier",
             "industry": "magnesite", "region_code": "210381", "status": "operating"},
        ],
        "users": [{"username": "hc_clerk", "display_name": "海城 录入员",
                   "role": "county_operator", "region_code": "210381", "api_token": True}],
        "sites": [{"code": "HC-M-901", "enterprise_uscc": MINE_USCC, "kind": "mine",
                   "name": "测试菱镁矿", "region_code": "210381101", "lat": Decimal("40.88"),
                   "lon": Decimal("122.68"), "boundary": SQUARE, "capacity_t": 600000,
                   "permitted_hours": "06:00-22:00", "status": "operating"}],
        "stations": [{"code": "HC-ST-901", "name": "测试矿出口计量站", "site_code": "HC-M-901",
                      "region_code": "210381101", "lat": Decimal("40.891"),
                      "lon": Decimal("122.68")}],
        "vehicles": [{"plate": "辽C·90001", "owner_uscc": HAULIER_USCC, "axles": 6,
                      "tare_kg": 16000, "status": "registered"}],
        "permits": [{"number": "C2103812026000901", "type": "mining_licence",
                     "holder_uscc": MINE_USCC, "site_code": "HC-M-901",
                     "department": "natural_resources", "region_code": "210381",
                     "valid_from": datetime.date(2025, 1, 1),
                     "valid_to": datetime.date(2030, 12, 31), "status": "valid",
                     "scope_t": 600000, "mineral": "magnesite"}],
    }  # fmt: skip


def workbook(sheets: dict[str, list[dict[str, Any]]], *, headers: str = "keys") -> io.BytesIO:
    """The sheets as an .xlsx file in memory."""
    wb = Workbook()
    schemas = sheet_schemas()
    for name, rows in sheets.items():
        write_sheet(wb, schemas[name], rows, headers=headers)  # type: ignore[arg-type]
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def run(sheets: dict[str, list[dict[str, Any]]], **kwargs: Any) -> BundleReport:
    """Import the sheets as the command line does (unless told otherwise)."""
    kwargs.setdefault("actor", None)
    return import_bundle(workbook(sheets), **kwargs)


def counts() -> dict[str, int]:
    """Rows per watched table."""
    return {model.__name__: model.objects.count() for model in WATCHED}


def test_a_valid_bundle_imports_every_sheet(world: Any) -> None:
    # given the world province and a bundle of one town, two enterprises, a mine and a truck
    # when it is imported
    report = run(base_rows())
    # then every row is created, with its history, and the secrets are reported once
    assert report.ok, format_errors(report.errors)
    assert {name: o.created for name, o in report.outcomes.items()} == {
        "regions": 1, "enterprises": 2, "users": 1, "sites": 1, "stations": 1,
        "vehicles": 1, "permits": 1,
    }  # fmt: skip
    site = Site.objects.get(code="HC-M-901")
    assert (site.enterprise.uscc, site.region.path) == (
        MINE_USCC,
        "/210000/210300/210381/210381101/",
    )
    assert (site.hours_from, site.hours_to, site.boundary) == (360, 1320, SQUARE)
    assert Vehicle.objects.get().plate == "辽C90001"
    permit = Permit.objects.get()
    assert (permit.department.kind.code, permit.department.region.code) == (
        "natural_resources",
        "210381",
    )
    assert not User.objects.get(username="hc_clerk").has_usable_password()
    assert list(report.secrets["stations"]) == ["HC-ST-901"]
    assert list(report.secrets["tokens"]) == ["hc_clerk"]
    assert Station.objects.get().secret_encrypted.startswith("v1:")
    assert ObjectChange.objects.filter(action="create", object_id=str(site.pk),
                                       after__code="HC-M-901").count() == 1  # fmt: skip


def test_re_importing_the_same_bundle_changes_nothing(world: Any) -> None:
    # given an imported bundle
    assert run(base_rows()).ok
    before = counts()
    version = Enterprise.objects.get(uscc=MINE_USCC).version
    # when the same workbook is imported again
    report = run(base_rows())
    # then every row is unchanged: no audit row, no version bump, no new secret
    assert report.ok
    assert {o.created + o.updated for o in report.outcomes.values()} == {0}
    assert counts() == before
    assert Enterprise.objects.get(uscc=MINE_USCC).version == version
    assert report.secrets == {"stations": {}, "tokens": {}}


def test_a_changed_row_updates_the_record_with_history(world: Any) -> None:
    # given an imported bundle
    assert run(base_rows())
    rows = base_rows()
    rows["enterprises"][0]["name"] = "海城测试镁矿股份有限公司"
    changes = ObjectChange.objects.count()
    # when one enterprise's name changes
    report = run(rows)
    # then that record alone is updated, its version bumped, the change kept
    assert report.outcomes["enterprises"].updated == 1
    assert sum(o.updated for o in report.outcomes.values()) == 1
    enterprise = Enterprise.objects.get(uscc=MINE_USCC)
    assert (enterprise.name, enterprise.version) == ("海城测试镁矿股份有限公司", 2)
    change = ObjectChange.objects.latest("id")
    assert ObjectChange.objects.count() == changes + 1
    assert change.changed_fields() == [("name", "海城测试镁矿有限公司", "海城测试镁矿股份有限公司")]


def test_a_dry_run_writes_nothing(world: Any) -> None:
    before = counts()
    report = run(base_rows(), dry_run=True)
    assert report.ok and report.dry_run and report.outcomes == {}
    assert counts() == before


def test_chinese_label_headers_are_accepted(world: Any) -> None:
    report = import_bundle(workbook(base_rows(), headers="labels"), actor=None)
    assert report.ok, format_errors(report.errors)
    assert Site.objects.filter(code="HC-M-901").exists()


def _bad_checksum(rows: dict) -> None:
    rows["enterprises"][1]["uscc"] = HAULIER_USCC[:17] + ("0" if HAULIER_USCC[17] != "0" else "1")
    rows["vehicles"][0]["owner_uscc"] = rows["enterprises"][1]["uscc"]


def _bad(sheet: str, column: str, value: Any) -> Any:
    def change(rows: dict) -> None:
        rows[sheet][0][column] = value

    return change


def _duplicate(rows: dict) -> None:
    rows["enterprises"].append(dict(rows["enterprises"][0]))


WRONG_USCC = HAULIER_USCC[:17] + ("0" if HAULIER_USCC[17] != "0" else "1")
BAD_INPUTS = [
    pytest.param(
        _bad_checksum,
        f"enterprises!3: uscc: {WRONG_USCC} is not a valid unified social credit code: the "
        "check character does not match (is there a typing error?).",
        f"enterprises!3: uscc: {WRONG_USCC} 不是有效的统一社会信用代码："
        "校验码不符（是否输入有误？）。",
        id="checksum",
    ),
    pytest.param(
        _bad("vehicles", "plate", "辽C1234"),
        "vehicles!2: plate: 辽C1234 is not a mainland vehicle plate: expected a province "
        "abbreviation, an authority letter and 5 characters (6 for new-energy vehicles), "
        "e.g. 辽C12345.",
        "vehicles!2: plate: 辽C1234 不是有效的车牌号：应为省份简称、发牌机关字母加 5 位字符"
        "（新能源车 6 位），例如 辽C12345。",
        id="plate",
    ),
    pytest.param(
        _bad("sites", "boundary", BOW_TIE),
        "sites!2: boundary: Ring 1 of the boundary crosses or touches itself.",
        "sites!2: boundary: 范围的第 1 个环自相交或自接触。",
        id="self-intersecting-boundary",
    ),
    pytest.param(
        _bad("permits", "valid_to", datetime.date(2024, 12, 31)),
        "permits!2: valid_to: The end of validity is before its start.",
        "permits!2: valid_to: 有效期止早于有效期起。",
        id="validity-reversed",
    ),
    pytest.param(
        _bad("enterprises", "region_code", "219999"),
        "enterprises!2: region_code: Unknown region code 219999.",
        "enterprises!2: region_code: 未知的区域代码 219999。",
        id="unknown-region",
    ),
    pytest.param(
        _bad("permits", "department", "tax_bureau"),
        "permits!2: department: Unknown department tax_bureau.",
        "permits!2: department: 未知的部门 tax_bureau。",
        id="unknown-department",
    ),
    pytest.param(
        _duplicate,
        "enterprises!4: uscc: The key (uscc) repeats row 2.",
        "enterprises!4: uscc: 主键（uscc）与第 2 行重复。",
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("change", "english", "chinese"), BAD_INPUTS)
def test_bad_input_is_refused_with_its_cell_and_nothing_is_saved(
    world: Any, change: Any, english: str, chinese: str
) -> None:
    # given a bundle with one mistake
    rows = base_rows()
    change(rows)
    before = counts()
    # when it is imported, in English and in Chinese
    with translation.override("en"):
        in_english = run(rows)
    with translation.override("zh-hans"):
        in_chinese = run(rows)
    # then that one error is reported at its cell, in each language, and nothing is saved
    assert format_errors(in_english.errors) == [english]
    assert format_errors(in_chinese.errors) == [chinese]
    assert counts() == before


def test_a_reference_to_a_failed_row_is_not_reported_twice(world: Any) -> None:
    # given a mine operator whose own row is wrong, referred to by a site and a permit
    rows = base_rows()
    rows["enterprises"][0]["region_code"] = "219999"
    # when imported, only the enterprise row is reported
    with translation.override("en"):
        report = run(rows)
    assert format_errors(report.errors) == [
        "enterprises!2: region_code: Unknown region code 219999."
    ]


def test_a_county_operator_cannot_touch_another_countys_records(world: Any) -> None:
    # given a Dashiqiao enterprise
    other = EnterpriseFactory(region=world.dashiqiao, name="大石桥原名镁业有限公司")
    rows = {"enterprises": [{"uscc": other.uscc, "name": "改名镁业有限公司",
                             "kind": "mine_operator", "industry": "magnesite",
                             "region_code": "210882", "status": "operating"}]}  # fmt: skip
    before = counts()
    # when the Haicheng operator imports a row of it
    with translation.override("en"):
        report = run(rows, actor=world.user("haicheng_operator"), scope=world.haicheng)
    # then it is refused as outside their jurisdiction and the record is unchanged
    assert format_errors(report.errors) == [
        "enterprises!2: region_code: This record is outside your jurisdiction."
    ]
    assert report.errors[0].code == "outside_jurisdiction"
    assert Enterprise.objects.get(pk=other.pk).name == "大石桥原名镁业有限公司"
    assert counts() == before


def test_moving_a_haicheng_record_into_dashiqiao_is_refused_too(world: Any) -> None:
    mine = EnterpriseFactory(region=world.dashiqiao)
    rows = {"enterprises": [{"uscc": mine.uscc, "name": "搬来的企业", "kind": "mine_operator",
                             "industry": "magnesite", "region_code": "210381",
                             "status": "operating"}]}  # fmt: skip
    report = run(rows, actor=world.user("haicheng_operator"), scope=world.haicheng)
    assert [e.code for e in report.errors] == ["outside_jurisdiction"]


def test_a_blacklisted_truck_gets_the_reason_the_model_requires(world: Any) -> None:
    rows = base_rows()
    rows["vehicles"][0]["status"] = "blacklisted"
    with translation.override("en"):
        assert run(rows).ok
    vehicle = Vehicle.objects.get()
    vehicle.full_clean()
    assert vehicle.blacklist_reason == "Blacklisted in the province bundle."


def test_a_site_far_from_its_county_is_refused(world: Any) -> None:
    Region.objects.filter(code="210381").update(lat=Decimal("40.85"), lon=Decimal("122.75"))
    rows = base_rows()
    rows["sites"][0]["lat"] = Decimal("41.88")
    rows["sites"][0]["boundary"] = None
    with translation.override("en"):
        report = run(rows)
    assert format_errors(report.errors) == [
        "sites!2: lat: More than 60 km from the centre of its county: check the coordinates "
        "(latitude, longitude)."
    ]


def test_a_permit_for_another_holders_site_is_refused(world: Any) -> None:
    rows = base_rows()
    rows["permits"][0]["holder_uscc"] = HAULIER_USCC
    with translation.override("en"):
        report = run(rows)
    assert format_errors(report.errors) == [
        "permits!2: site_code: The site does not belong to the permit holder."
    ]
