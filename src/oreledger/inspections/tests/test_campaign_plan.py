"""Planning a campaign on its pages: create and edit with groups and targets, audited; who
may; bad input changes nothing; progress is computed, never typed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from oreledger.accounts.models import DepartmentKind
from oreledger.core.models import ObjectChange
from oreledger.inspections.forms import TargetForm
from oreledger.inspections.models import Campaign, CampaignTarget, InspectionGroup
from oreledger.inspections.queries import campaign_progress
from oreledger.inspections.tests.support import build_loop, inspect, today
from oreledger.registry.tests.factories import SiteFactory
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

WATCH = [Campaign, CampaignTarget, InspectionGroup, ObjectChange]


def _plan(world, *, name="菱镁行业联合执法专项行动", groups=(), targets=(), region=None, **extra):
    kinds = DepartmentKind.objects.filter(code__in=["natural_resources", "ecology_environment"])
    data = {
        "name": name,
        "legal_basis": "《辽宁省菱镁行业整合整治方案》",
        "starts_on": (today() - datetime.timedelta(days=1)).isoformat(),
        "ends_on": (today() + datetime.timedelta(days=90)).isoformat(),
        "enterprise_kinds": ["mine_operator", "processor"],
        "departments": [k.pk for k in kinds],
        "groups-TOTAL_FORMS": str(len(groups) + 1),
        "groups-INITIAL_FORMS": "0",
        "targets-TOTAL_FORMS": str(len(targets) + 1),
        "targets-INITIAL_FORMS": "0",
        **extra,
    }
    if region is not None:
        data["region"] = region.pk
    for n, group in enumerate(groups):
        data.update({f"groups-{n}-{k}": v for k, v in group.items()})
    for n, target in enumerate(targets):
        data.update({f"targets-{n}-{k}": v for k, v in target.items()})
    # the blank rows as a browser posts them: every field present and empty
    data.update({f"targets-{len(targets)}-{k}": "" for k in ("kind", "goal_pct", "due_on")})
    data.update({f"groups-{len(groups)}-{k}": "" for k in ("name", "leader")})
    return data


def _group(world, name="第一检查组", leader="haicheng_operator", members=("department_officer",)):
    return {
        "name": name,
        "leader": world.user(leader).pk,
        "members": [world.user(m).pk for m in members],
    }


TARGETS = [
    {"kind": "inspected", "goal_pct": "100", "due_on": "2099-06-30"},
    {"kind": "findings_closed", "goal_pct": "80", "due_on": "2099-08-31"},
]


def test_the_province_office_launches_a_campaign_with_groups_and_targets(world) -> None:
    client = world.client("province_officer")
    assert client.get(reverse("inspections:campaign_new")).status_code == 200
    data = _plan(world, region=world.haicheng, groups=[_group(world)], targets=TARGETS)
    response = client.post(reverse("inspections:campaign_new"), data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert (campaign.region, campaign.enterprise_kinds) == (
        world.haicheng,
        ["mine_operator", "processor"],
    )
    [group] = campaign.groups.all()
    assert (group.leader, list(group.members.all())) == (
        world.user("haicheng_operator"),
        [world.user("department_officer")],
    )
    assert [(t.kind, t.goal_pct, t.due_on.isoformat()) for t in campaign.targets.all()] == [
        ("inspected", 100, "2099-06-30"),
        ("findings_closed", 80, "2099-08-31"),
    ]
    audited = ObjectChange.objects.filter(action="create").values_list("object_repr", flat=True)
    assert {"菱镁行业联合执法专项行动", "第一检查组"} <= set(audited)
    assert ObjectChange.objects.filter(action="create").count() == 1 + 1 + 2


def test_progress_is_never_typed(world) -> None:
    # the target form has no field for progress, and a typed one is ignored
    assert set(TargetForm.base_fields) == {"kind", "goal_pct", "due_on"}
    data = _plan(
        world,
        region=world.haicheng,
        targets=TARGETS[:1],
        **{"targets-0-done": "999", "targets-0-progress": "100"},
    )
    world.client("haicheng_operator").post(reverse("inspections:campaign_new"), data)
    campaign = Campaign.objects.get()
    [progress] = campaign_progress(campaign)
    assert (progress.done, progress.reached) == (0, False)
    inspect(
        world,
        build_loop_for(world, campaign),
        SiteFactory(code="HC-M-501", enterprise=world.user("enterprise_user").enterprise),
    )
    [progress] = campaign_progress(campaign)
    assert progress.done == 1


def build_loop_for(world, campaign):
    """The test loop's checklists, pointed at this campaign."""
    loop = build_loop(world)
    loop.campaign = campaign
    return loop


def test_editing_changes_the_plan_and_keeps_a_visited_group(world) -> None:
    loop = build_loop(world)
    client = world.client("haicheng_operator")
    url = reverse("inspections:campaign_edit", args=[loop.campaign.pk])
    first = _plan(world, groups=[_group(world), _group(world, "第二检查组")], targets=TARGETS)
    assert client.post(url, first).status_code == 302
    shown = client.get(url).content.decode()
    # the saved dates fill the date inputs (ISO, whatever the language's date format)
    assert f'value="{Campaign.objects.get().starts_on.isoformat()}"' in shown
    # when the second group is dropped, a target changed and the name corrected
    data = _plan(
        world,
        name="菱镁行业联合执法专项行动（二期）",
        groups=[_group(world)],
        targets=[{**TARGETS[0], "goal_pct": "90"}],
    )
    assert client.post(url, data).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.name == "菱镁行业联合执法专项行动（二期）"
    assert [g.name for g in campaign.groups.all()] == ["第一检查组"]
    assert [(t.kind, t.goal_pct) for t in campaign.targets.all()] == [("inspected", 90)]
    updates = ObjectChange.objects.filter(
        action="update", object_id=str(campaign.pk), content_type__model="campaign"
    )
    update = updates.order_by("pk").last()
    assert update.before["name"] == "菱镁行业联合执法专项行动"
    assert update.after["name"] == "菱镁行业联合执法专项行动（二期）"


def test_a_group_that_inspected_cannot_be_dissolved_and_nothing_changes(world) -> None:
    loop = build_loop(world)
    client = world.client("haicheng_operator")
    url = reverse("inspections:campaign_edit", args=[loop.campaign.pk])
    client.post(url, _plan(world, groups=[_group(world)], targets=TARGETS))
    visit = inspect(
        world,
        loop,
        SiteFactory(code="HC-M-502", enterprise=world.user("enterprise_user").enterprise),
    )
    visit.group = InspectionGroup.objects.get()
    visit.save(update_fields=["group"])
    before = (
        list(CampaignTarget.objects.values_list("goal_pct", flat=True)),
        ObjectChange.objects.count(),
        Campaign.objects.get().name,
    )
    response = client.post(url, _plan(world, name="改名", targets=[]))
    assert response.status_code == 200 and "已有检查记录，不能删除" in response.content.decode()
    after = (
        list(CampaignTarget.objects.values_list("goal_pct", flat=True)),
        ObjectChange.objects.count(),
        Campaign.objects.get().name,
    )
    assert after == before


def test_a_leader_from_another_county_is_refused(world) -> None:
    client = world.client("province_officer")
    data = _plan(
        world,
        region=world.haicheng,
        groups=[_group(world, leader="dashiqiao_operator", members=())],
    )
    response = client.post(reverse("inspections:campaign_new"), data)
    assert response.status_code == 200
    assert "组长和组员必须在专项行动所在地区工作" in response.content.decode()
    assert Campaign.objects.count() == 0 and InspectionGroup.objects.count() == 0


def test_the_plan_pages_matrix(world) -> None:
    check_matrix(
        world,
        lambda c: c.get(reverse("inspections:campaign_new")),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 200,
            "department_officer": 403,
            "enterprise_user": 403,
            "anonymous": 302,
        },
        watch=WATCH,
    )
    check_matrix(
        world,
        lambda c: c.post(
            reverse("inspections:campaign_new"),
            _plan(world, name="越权行动", region=world.haicheng),
        ),
        {
            "province_officer": 302,
            "haicheng_operator": 302,
            "dashiqiao_operator": 200,
            "department_officer": 403,
            "enterprise_user": 403,
            "anonymous": 302,
        },
        watch=WATCH,
    )
    assert Campaign.objects.filter(name="越权行动").count() == 2
    campaign = build_loop(world).campaign
    url = reverse("inspections:campaign_edit", args=[campaign.pk])
    check_matrix(
        world,
        lambda c: c.get(url),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 403,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=WATCH,
    )
    check_matrix(
        world,
        lambda c: c.post(url, _plan(world, name="越权修改")),
        {
            "province_officer": 302,
            "haicheng_operator": 302,
            "dashiqiao_operator": 404,
            "department_officer": 403,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=WATCH,
    )
