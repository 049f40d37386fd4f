"""The demo's joint inspections: every campaign under way has its visits, the orders are in
every state, and the chemical park's campaign has taken decisions of all four kinds."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from oreledger.demo.checklists import CHEMICAL_CAMPAIGN, MAGNESITE_CAMPAIGN
from oreledger.demo.fieldwork import DECISIONS, create_demo_fieldwork
from oreledger.inspections.models import (
    Campaign,
    ClassificationDecision,
    Finding,
    Inspection,
    RectificationOrder,
)
from oreledger.simulator.tests.test_simulator import _load_tiny_province

pytestmark = pytest.mark.django_db


@pytest.fixture
def fieldwork(tmp_path: Any) -> dict[str, int]:
    _load_tiny_province(tmp_path)
    return create_demo_fieldwork(seed=5, now=timezone.now())


def test_every_campaign_under_way_has_visits_findings_and_orders(fieldwork: dict[str, int]) -> None:
    # given the demo bundle's three campaigns (magnesite in two counties, the chemical park)
    names = sorted(Campaign.objects.values_list("name", "region__code"))
    assert names == [(CHEMICAL_CAMPAIGN, "210882"), (MAGNESITE_CAMPAIGN, "210381"),
                     (MAGNESITE_CAMPAIGN, "210882")]  # fmt: skip
    # then each has its visits, and the counts are the rows
    assert fieldwork == {
        "campaigns": 3,
        "inspections": Inspection.objects.count(),
        "findings": Finding.objects.count(),
        "orders": RectificationOrder.objects.count(),
        "decisions": ClassificationDecision.objects.count(),
    }
    for campaign in Campaign.objects.all():
        assert campaign.inspections.exists(), campaign
    # and the park's twenty plants were all visited, through the chemical checklists
    park = Campaign.objects.get(name=CHEMICAL_CAMPAIGN)
    assert park.inspections.count() == 20
    assert set(park.inspections.values_list("enterprise__industry", flat=True)) == {"chemical"}
    # and orders stand issued, answered and closed, some of them overdue
    assert set(RectificationOrder.objects.values_list("status", flat=True)) == {
        "issued", "answered", "closed",
    }  # fmt: skip
    today = timezone.localdate()
    assert RectificationOrder.objects.exclude(status="closed").filter(deadline__lt=today).exists()


def test_the_park_s_campaign_took_decisions_of_all_four_kinds(fieldwork: dict[str, int]) -> None:
    park = Campaign.objects.get(name=CHEMICAL_CAMPAIGN)
    decided = list(park.decisions.order_by("pk").values_list("classification", flat=True))
    assert decided == [classification for classification, _ in DECISIONS]
    shut = park.decisions.get(classification="shut_eliminate").enterprise
    assert shut.status == "shut_down"
    assert set(shut.sites.values_list("status", flat=True)) == {"shut_down"}
