"""Seed permit types and the required-permit matrix of docs/reference/permits.md."""

from django.db import migrations

# code, name_zh, name_en, department kind, held by, checked at the gate (docs/reference/rules.md permit_invalid)
PERMIT_TYPES = [
    ("business_licence", "营业执照", "Business licence", "market_regulation", "enterprise", False),
    ("mining_licence", "采矿许可证", "Mining licence", "natural_resources", "site", True),
    ("safety_production_licence", "安全生产许可证", "Safety production licence", "emergency_management", "site", True),
    ("eia_approval", "环境影响评价批复", "EIA approval", "ecology_environment", "site", False),
    ("pollutant_discharge_permit", "排污许可证", "Pollutant discharge permit", "ecology_environment", "site", True),
    ("project_filing", "项目备案/核准", "Project filing or approval", "development_reform", "site", False),
    ("land_use_approval", "用地批准", "Land use approval", "natural_resources", "site", False),
    ("forest_land_approval", "使用林地审核同意书", "Forest land use approval", "forestry", "site", False),
    ("construction_permit", "建筑工程施工许可证", "Construction permit", "housing_construction", "site", False),
    ("fire_acceptance", "消防验收合格意见", "Fire safety acceptance", "fire_rescue", "site", False),
    ("road_transport_licence", "道路运输经营许可证", "Road transport licence", "transport", "enterprise", False),
    ("hazardous_chemicals_licence", "危险化学品安全生产许可证", "Hazardous chemicals safety licence", "emergency_management", "enterprise", False),
    ("capacity_replacement", "产能置换批复", "Capacity replacement approval", "industry_it", "site", False),
]

# applies_to, holder kind ("*" = every enterprise), permit types
REQUIREMENTS = [
    ("enterprise", "*", ["business_licence"]),
    ("site", "mine", ["mining_licence", "safety_production_licence", "eia_approval", "pollutant_discharge_permit"]),
    ("site", "plant", ["project_filing", "land_use_approval", "eia_approval", "pollutant_discharge_permit", "construction_permit", "fire_acceptance"]),
    ("enterprise", "haulier", ["road_transport_licence"]),
    ("enterprise", "chemical", ["project_filing", "eia_approval", "pollutant_discharge_permit", "safety_production_licence", "hazardous_chemicals_licence", "fire_acceptance"]),
]


def seed(apps, schema_editor):
    DepartmentKind = apps.get_model("accounts", "DepartmentKind")
    PermitType = apps.get_model("registry", "PermitType")
    PermitRequirement = apps.get_model("registry", "PermitRequirement")
    kinds = {k.code: k for k in DepartmentKind.objects.all()}
    types = {}
    for code, zh, en, dept, holder, gate in PERMIT_TYPES:
        types[code], _ = PermitType.objects.update_or_create(
            code=code,
            defaults={"name_zh": zh, "name_en": en, "department_kind": kinds[dept],
                      "holder": holder, "required_at_gate": gate},
        )
    for applies_to, holder_kind, codes in REQUIREMENTS:
        for code in codes:
            PermitRequirement.objects.get_or_create(
                applies_to=applies_to, holder_kind=holder_kind, permit_type=types[code]
            )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("accounts", "0003_department_kinds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
