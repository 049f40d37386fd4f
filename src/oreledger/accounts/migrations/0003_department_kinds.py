"""Seed the department kinds of docs/reference/permits.md (the province may edit them later)."""

from django.db import migrations

DEPARTMENT_KINDS = [
    ("development_reform", "发展和改革局", "Development and Reform"),
    ("natural_resources", "自然资源局", "Natural Resources"),
    ("ecology_environment", "生态环境局", "Ecology and Environment"),
    ("emergency_management", "应急管理局", "Emergency Management (work safety)"),
    ("housing_construction", "住房和城乡建设局", "Housing and Construction"),
    ("fire_rescue", "消防救援大队", "Fire and Rescue"),
    ("industry_it", "工业和信息化局", "Industry and Information Technology"),
    ("market_regulation", "市场监督管理局", "Market Regulation"),
    ("transport", "交通运输局", "Transport"),
    ("public_security", "公安局", "Public Security (traffic police)"),
    ("forestry", "林业和草原局", "Forestry and Grassland"),
    ("power_supply", "供电公司", "Power supply company (joint enforcement)"),
]


def seed(apps, schema_editor):
    DepartmentKind = apps.get_model("accounts", "DepartmentKind")
    for order, (code, zh, en) in enumerate(DEPARTMENT_KINDS, start=1):
        DepartmentKind.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "ordering": order}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
