"""Issue 15, item 14: every API list filters for real and refuses what it does not know.

Each filter of each list under /api/v1/ is asked on records that differ along it
(`core.testing.variety`); its answer must count exactly the raw rows of the province
office's jurisdiction that match, and those must be some of the rows but not all of them.
A query parameter a list does not know is a 400 naming the accepted ones, which are
exactly the parameters the OpenAPI document lists.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections, models, transaction
from django.db.models import Q
from drf_spectacular.generators import SchemaGenerator

from oreledger.accounts.models import Region, User
from oreledger.alerts.models import Alert
from oreledger.alerts.models import Case as EnforcementCase
from oreledger.appeals.models import Appeal
from oreledger.briefings.models import Briefing
from oreledger.grading.models import Assay, GradingStandard
from oreledger.inspections.models import Campaign, ClassificationDecision, Finding, Inspection
from oreledger.inspections.models import RectificationOrder as RO
from oreledger.quotas.models import QuotaAccount
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle
from oreledger.trade.models import Bid, Contract, FloorPrice, Listing
from oreledger.weighing.models import Ticket, Waybill
from oreledger.worklist.models import Task
from testkit.personas import build_province
from testkit.variety import Variety, build_variety

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
V = Variety


@pytest.fixture(scope="module")
def variety(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Variety]:
    """The varied records, built once and rolled back after the module."""
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            world = build_province()
            built = build_variety(world)
            world.api("province_officer")  # its token survives every test's rollback
            yield built
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


@dataclass(frozen=True)
class Filter:
    """One filter of one list: the query, and the raw rows it must answer with."""

    url: str
    params: Callable[[V], dict[str, str]]
    model: type[models.Model]
    # The matching rows, as a condition on the model, or their number counted in Python.
    rows: Callable[[V], Q | int]

    def base(self, v: V) -> Any:
        """The rows the province office sees in this list, unfiltered."""
        manager: Any = self.model._default_manager
        return manager.for_user(v.world.user("province_officer"))


def _local(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone(datetime.timedelta(hours=8))).isoformat()


def _ref(key: str, value: Callable[[V], str]) -> Callable[[V], int]:
    """Alerts whose references name the value (read in Python, not through the ORM)."""
    return lambda v: sum(1 for a in Alert.objects.all() if a.refs.get(key) == value(v))


def _today(v: V) -> str:
    return v.dsq.market.today.isoformat()


R, U, AL, CA = "/api/v1/regions/", "/api/v1/users/", "/api/v1/alerts", "/api/v1/cases"
GS, AS, QA = "/api/v1/grading/standards/", "/api/v1/grading/assays/", "/api/v1/quota/accounts"
EN, SI, ST = "/api/v1/enterprises/", "/api/v1/sites/", "/api/v1/stations/"
VE, PE = "/api/v1/vehicles/", "/api/v1/permits/"
CO, LI, BI, FP = "/api/v1/contracts/", "/api/v1/listings/", "/api/v1/bids/", "/api/v1/floor-prices/"
WB, TI = "/api/v1/waybills", "/api/v1/tickets"
AP = "/api/v1/appeals"
IC, IV = "/api/v1/inspections/campaigns/", "/api/v1/inspections/visits/"
IF, IO = "/api/v1/inspections/findings/", "/api/v1/inspections/orders/"
ID = "/api/v1/inspections/decisions/"


def _hc(v: V) -> dict[str, str]:
    return {"campaign": str(v.visit.campaign.pk)}


def _hc_enterprise(v: V) -> dict[str, str]:
    return {"enterprise": v.visit.order.enterprise.uscc}


def _inspection_cases() -> dict[str, Filter]:
    """Each inspections list split by the Haicheng campaign, county and enterprise."""
    lists = {"visits": (IV, Inspection), "findings": (IF, Finding), "orders": (IO, RO),
             "decisions": (ID, ClassificationDecision)}  # fmt: skip
    cases = {}
    for name, (url, model) in lists.items():
        cases[f"inspections-{name}-campaign"] = Filter(
            url, _hc, model, lambda v: Q(campaign=v.visit.campaign)
        )
        cases[f"inspections-{name}-region"] = Filter(
            url, lambda v: {"region": "210381"}, model, lambda v: Q(region=v.world.haicheng)
        )
        cases[f"inspections-{name}-enterprise"] = Filter(
            url, _hc_enterprise, model, lambda v: Q(enterprise=v.visit.order.enterprise)
        )
    return cases


WT = "/api/v1/worklist/tasks"
BR = "/api/v1/briefings"

FILTERS: dict[str, Filter] = {
    # regions
    "regions-level": Filter(R, lambda v: {"level": "county"}, Region, lambda v: Q(level="county")),
    "regions-parent": Filter(
        R, lambda v: {"parent": "210000"}, Region, lambda v: Q(parent=v.world.province)
    ),
    "regions-region": Filter(
        R, lambda v: {"region": "210300"}, Region, lambda v: Q(code__in=["210300", "210381"])
    ),
    # users
    "users-role": Filter(
        U, lambda v: {"role": "enterprise_user"}, User, lambda v: Q(role="enterprise_user")
    ),
    "users-region": Filter(
        U, lambda v: {"region": "210882"}, User, lambda v: Q(region=v.world.dashiqiao)
    ),
    "users-enterprise": Filter(
        U,
        lambda v: {"enterprise": v.dsq.market.buyer.uscc},
        User,
        lambda v: Q(enterprise=v.dsq.market.buyer),
    ),
    "users-department": Filter(
        U,
        lambda v: {"department": "natural_resources"},
        User,
        lambda v: Q(department__kind__code="natural_resources"),
    ),
    "users-active": Filter(U, lambda v: {"active": "false"}, User, lambda v: Q(is_active=False)),
    "users-q": Filter(
        U,
        lambda v: {"q": "operator"},
        User,
        lambda v: Q(username__in=["haicheng_operator", "dashiqiao_operator"]),
    ),
    # alerts
    "alerts-rule": Filter(AL, lambda v: {"rule": "overload"}, Alert, lambda v: Q(rule="overload")),
    "alerts-status": Filter(
        AL, lambda v: {"status": "acknowledged"}, Alert, lambda v: Q(status="acknowledged")
    ),
    "alerts-severity": Filter(
        AL, lambda v: {"severity": "medium"}, Alert, lambda v: Q(severity="medium")
    ),
    "alerts-region": Filter(
        AL, lambda v: {"region": "210381"}, Alert, lambda v: Q(region=v.world.haicheng)
    ),
    "alerts-since": Filter(
        AL,
        lambda v: {"since": _local(v.departed - datetime.timedelta(days=1))},
        Alert,
        lambda v: Q(first_seen__gte=v.departed - datetime.timedelta(days=1)),
    ),
    "alerts-until": Filter(
        AL,
        lambda v: {"until": _local(v.departed - datetime.timedelta(days=1))},
        Alert,
        lambda v: Q(first_seen__lt=v.departed - datetime.timedelta(days=1)),
    ),
    "alerts-site": Filter(
        AL, lambda v: {"site": "HC-M-001"}, Alert, lambda v: Q(site=v.dsq.market.mine)
    ),
    "alerts-enterprise": Filter(
        AL,
        lambda v: {"enterprise": v.dsq.enterprise.uscc},
        Alert,
        lambda v: Q(enterprise=v.dsq.enterprise),
    ),
    "alerts-station": Filter(
        AL,
        lambda v: {"station": v.dsq.haicheng_station[0]},
        Alert,
        _ref("station", lambda v: v.dsq.haicheng_station[0]),
    ),
    "alerts-plate": Filter(
        AL, lambda v: {"plate": "辽C10009"}, Alert, _ref("plate", lambda v: "辽C10009")
    ),
    "alerts-waybill": Filter(
        AL,
        lambda v: {"waybill": v.dsq.waybill.number},
        Alert,
        _ref("waybill", lambda v: v.dsq.waybill.number),
    ),
    "alerts-contract": Filter(
        AL,
        lambda v: {"contract": v.dsq.contract.number},
        Alert,
        _ref("contract", lambda v: v.dsq.contract.number),
    ),
    "alerts-case": Filter(
        AL, lambda v: {"case": v.dsq.case.number}, Alert, lambda v: Q(case=v.dsq.case)
    ),
    # cases
    "cases-status": Filter(
        CA, lambda v: {"status": "decided"}, EnforcementCase, lambda v: Q(status="decided")
    ),
    "cases-decision": Filter(
        CA, lambda v: {"decision": "warning"}, EnforcementCase, lambda v: Q(decision="warning")
    ),
    "cases-region": Filter(
        CA, lambda v: {"region": "210381"}, EnforcementCase, lambda v: Q(region=v.world.haicheng)
    ),
    "cases-enterprise": Filter(
        CA,
        lambda v: {"enterprise": v.dsq.market.seller.uscc},
        EnforcementCase,
        lambda v: Q(enterprise=v.dsq.market.seller),
    ),
    "cases-site": Filter(
        CA, lambda v: {"site": "DSQ-M-001"}, EnforcementCase, lambda v: Q(site=v.dsq.site)
    ),
    "cases-since": Filter(
        CA,
        lambda v: {"since": _local(v.case.created_at)},
        EnforcementCase,
        lambda v: Q(pk=v.case.pk),
    ),
    "cases-until": Filter(
        CA,
        lambda v: {"until": _local(v.case.created_at)},
        EnforcementCase,
        lambda v: Q(pk=v.dsq.case.pk),
    ),
    # inspections
    **_inspection_cases(),
    "inspections-campaigns-status": Filter(
        IC, lambda v: {"status": "closed"}, Campaign, lambda v: Q(status="closed")
    ),
    "inspections-campaigns-region": Filter(
        IC, lambda v: {"region": "210381"}, Campaign, lambda v: Q(region=v.world.haicheng)
    ),
    "inspections-orders-status": Filter(
        IO, lambda v: {"status": "answered"}, RO, lambda v: Q(status="answered")
    ),
    "inspections-orders-overdue": Filter(
        IO, lambda v: {"status": "overdue"}, RO, lambda v: Q(pk=v.visit.order.pk)
    ),
    "inspections-decisions-classification": Filter(
        ID,
        lambda v: {"classification": "relocate_park"},
        ClassificationDecision,
        lambda v: Q(classification="relocate_park"),
    ),
    # appeals
    "appeals-status": Filter(
        AP, lambda v: {"status": "submitted"}, Appeal, lambda v: Q(pk=v.dsq.appeal.pk)
    ),
    "appeals-category": Filter(
        AP, lambda v: {"category": "utilities"}, Appeal, lambda v: Q(pk=v.appeal.pk)
    ),
    "briefings-status": Filter(
        BR, lambda v: {"status": "issued"}, Briefing, lambda v: Q(status="issued")
    ),
    "briefings-region": Filter(
        BR, lambda v: {"region": "210882"}, Briefing, lambda v: Q(region=v.world.dashiqiao)
    ),
    "briefings-week": Filter(
        BR, lambda v: {"week": "2026-W01"}, Briefing, lambda v: Q(week="2026-W01")
    ),
    "appeals-region": Filter(
        AP, lambda v: {"region": "210882"}, Appeal, lambda v: Q(region=v.world.dashiqiao)
    ),
    # worklist
    "worklist-tasks-region": Filter(
        WT, lambda v: {"region": "210882"}, Task, lambda v: Q(region=v.world.dashiqiao)
    ),
    # grading
    "standards-code": Filter(
        GS, lambda v: {"code": "LN-NEXT"}, GradingStandard, lambda v: Q(code="LN-NEXT")
    ),
    "standards-in-force": Filter(
        GS, lambda v: {"in_force_on": _today(v)}, GradingStandard, lambda v: Q(code="LN-TEST")
    ),
    "assays-site": Filter(
        AS, lambda v: {"site": "HC-M-001"}, Assay, lambda v: Q(site=v.dsq.market.mine)
    ),
    "assays-enterprise": Filter(
        AS,
        lambda v: {"enterprise": v.dsq.enterprise.uscc},
        Assay,
        lambda v: Q(site__enterprise=v.dsq.enterprise),
    ),
    "assays-region": Filter(
        AS, lambda v: {"region": "210882"}, Assay, lambda v: Q(site__region=v.world.dashiqiao)
    ),
    "assays-grade": Filter(
        AS, lambda v: {"grade": v.assay.grade.code}, Assay, lambda v: Q(grade=v.assay.grade)
    ),
    "assays-lot": Filter(AS, lambda v: {"lot": "HC-LOT-0001"}, Assay, lambda v: Q(pk=v.assay.pk)),
    "assays-since": Filter(
        AS,
        lambda v: {"since": (v.dsq.market.today - datetime.timedelta(days=5)).isoformat()},
        Assay,
        lambda v: Q(sampled_on__gte=v.dsq.market.today - datetime.timedelta(days=5)),
    ),
    "assays-until": Filter(
        AS,
        lambda v: {"until": (v.dsq.market.today - datetime.timedelta(days=5)).isoformat()},
        Assay,
        lambda v: Q(sampled_on__lte=v.dsq.market.today - datetime.timedelta(days=5)),
    ),
    # quota accounts
    "quota-period": Filter(
        QA,
        lambda v: {"period": str(v.dsq.market.today.year + 1)},
        QuotaAccount,
        lambda v: Q(period__year=v.dsq.market.today.year + 1),
    ),
    "quota-holder-site": Filter(
        QA,
        lambda v: {"holder": "HC-M-001"},
        QuotaAccount,
        lambda v: Q(holder_site__code="HC-M-001"),
    ),
    "quota-holder-region": Filter(
        QA, lambda v: {"holder": "210381"}, QuotaAccount, lambda v: Q(holder_region__code="210381")
    ),
    "quota-mineral": Filter(
        QA, lambda v: {"mineral": "talc"}, QuotaAccount, lambda v: Q(mineral__code="talc")
    ),
    "quota-level": Filter(QA, lambda v: {"level": "mine"}, QuotaAccount, lambda v: Q(level="mine")),
    "quota-region": Filter(
        QA, lambda v: {"region": "210882"}, QuotaAccount, lambda v: Q(region=v.world.dashiqiao)
    ),
    # enterprises
    "enterprises-kind": Filter(
        EN, lambda v: {"kind": "processor"}, Enterprise, lambda v: Q(kind="processor")
    ),
    "enterprises-industry": Filter(
        EN, lambda v: {"industry": "chemical"}, Enterprise, lambda v: Q(industry="chemical")
    ),
    "enterprises-status": Filter(
        EN, lambda v: {"status": "suspended"}, Enterprise, lambda v: Q(status="suspended")
    ),
    "enterprises-classification": Filter(
        EN,
        lambda v: {"classification": "merge_reorganise"},
        Enterprise,
        lambda v: Q(classification="merge_reorganise"),
    ),
    "enterprises-region": Filter(
        EN, lambda v: {"region": "210882"}, Enterprise, lambda v: Q(region=v.world.dashiqiao)
    ),
    "enterprises-q": Filter(
        EN, lambda v: {"q": "金鼎"}, Enterprise, lambda v: Q(pk=v.dsq.enterprise.pk)
    ),
    # sites
    "sites-kind": Filter(SI, lambda v: {"kind": "plant"}, Site, lambda v: Q(kind="plant")),
    "sites-status": Filter(
        SI, lambda v: {"status": "shut_down"}, Site, lambda v: Q(status="shut_down")
    ),
    "sites-enterprise": Filter(
        SI,
        lambda v: {"enterprise": v.dsq.market.seller.uscc},
        Site,
        lambda v: Q(enterprise=v.dsq.market.seller),
    ),
    "sites-region": Filter(
        SI, lambda v: {"region": "210381"}, Site, lambda v: Q(region=v.world.haicheng)
    ),
    "sites-q": Filter(SI, lambda v: {"q": "DSQ"}, Site, lambda v: Q(code__startswith="DSQ-")),
    # stations
    "stations-site": Filter(
        ST, lambda v: {"site": "HC-M-001"}, Station, lambda v: Q(site=v.dsq.market.mine)
    ),
    "stations-enterprise": Filter(
        ST,
        lambda v: {"enterprise": v.dsq.enterprise.uscc},
        Station,
        lambda v: Q(site__enterprise=v.dsq.enterprise),
    ),
    "stations-checkpoint": Filter(
        ST, lambda v: {"checkpoint": "true"}, Station, lambda v: Q(pk=v.checkpoint.pk)
    ),
    "stations-disabled": Filter(
        ST, lambda v: {"disabled": "true"}, Station, lambda v: Q(pk=v.dsq.station.pk)
    ),
    "stations-region": Filter(
        ST, lambda v: {"region": "210882"}, Station, lambda v: Q(region=v.world.dashiqiao)
    ),
    "stations-q": Filter(ST, lambda v: {"q": "GATE"}, Station, lambda v: Q(pk=v.gate.pk)),
    # vehicles
    "vehicles-plate": Filter(
        VE, lambda v: {"plate": "辽C10003"}, Vehicle, lambda v: Q(plate="辽C10003")
    ),
    "vehicles-owner": Filter(
        VE,
        lambda v: {"owner": v.dsq.market.seller.uscc},
        Vehicle,
        lambda v: Q(owner=v.dsq.market.seller),
    ),
    "vehicles-status": Filter(
        VE, lambda v: {"status": "blacklisted"}, Vehicle, lambda v: Q(status="blacklisted")
    ),
    "vehicles-axles": Filter(VE, lambda v: {"axles": "4"}, Vehicle, lambda v: Q(axles=4)),
    "vehicles-region": Filter(
        VE, lambda v: {"region": "210882"}, Vehicle, lambda v: Q(owner__region=v.world.dashiqiao)
    ),
    "vehicles-q": Filter(VE, lambda v: {"q": "辽H"}, Vehicle, lambda v: Q(plate__startswith="辽H")),
    # permits
    "permits-type": Filter(
        PE,
        lambda v: {"type": "safety_production_licence"},
        Permit,
        lambda v: Q(type__code="safety_production_licence"),
    ),
    "permits-department": Filter(
        PE,
        lambda v: {"department": "ecology_environment"},
        Permit,
        lambda v: Q(department__kind__code="ecology_environment"),
    ),
    "permits-holder": Filter(
        PE,
        lambda v: {"holder": v.dsq.market.seller.uscc},
        Permit,
        lambda v: Q(holder=v.dsq.market.seller),
    ),
    "permits-site": Filter(
        PE, lambda v: {"site": "HC-M-001"}, Permit, lambda v: Q(site=v.dsq.market.mine)
    ),
    "permits-status": Filter(
        PE, lambda v: {"status": "suspended"}, Permit, lambda v: Q(pk=v.dsq.permit.pk)
    ),
    "permits-validity": Filter(
        PE,
        lambda v: {"validity": "suspended_revoked"},
        Permit,
        lambda v: Q(validity_state="suspended_revoked"),
    ),
    "permits-expires-before": Filter(
        PE,
        lambda v: {"expires_before": "2030-01-01"},
        Permit,
        lambda v: Q(valid_to__lte=datetime.date(2030, 1, 1)),
    ),
    "permits-valid-on": Filter(
        PE, lambda v: {"valid_on": _today(v)}, Permit, lambda v: ~Q(pk=v.dsq.permit.pk)
    ),
    "permits-region": Filter(
        PE, lambda v: {"region": "210381"}, Permit, lambda v: Q(region=v.world.haicheng)
    ),
    "permits-q": Filter(
        PE, lambda v: {"q": "C21038"}, Permit, lambda v: Q(number="C2103812020001")
    ),
    # contracts
    "contracts-status": Filter(
        CO, lambda v: {"status": "submitted"}, Contract, lambda v: Q(status="submitted")
    ),
    "contracts-region": Filter(
        CO, lambda v: {"region": "210381"}, Contract, lambda v: Q(region=v.world.haicheng)
    ),
    "contracts-seller": Filter(
        CO,
        lambda v: {"seller": v.dsq.market.seller.uscc},
        Contract,
        lambda v: Q(seller=v.dsq.market.seller),
    ),
    "contracts-buyer": Filter(
        CO,
        lambda v: {"buyer": v.dsq.market.buyer.uscc},
        Contract,
        lambda v: Q(buyer=v.dsq.market.buyer),
    ),
    "contracts-enterprise": Filter(
        CO,
        lambda v: {"enterprise": v.dsq.market.rival.uscc},
        Contract,
        lambda v: Q(seller=v.dsq.market.rival) | Q(buyer=v.dsq.market.rival),
    ),
    "contracts-origin": Filter(
        CO, lambda v: {"origin": "HC-M-001"}, Contract, lambda v: Q(origin_site=v.dsq.market.mine)
    ),
    "contracts-destination": Filter(
        CO,
        lambda v: {"destination": "DSQ-P-001"},
        Contract,
        lambda v: Q(destination_site=v.dsq.market.rival_plant),
    ),
    "contracts-site": Filter(
        CO,
        lambda v: {"site": "HC-P-001"},
        Contract,
        lambda v: Q(origin_site__code="HC-P-001") | Q(destination_site__code="HC-P-001"),
    ),
    "contracts-grade": Filter(
        CO, lambda v: {"grade": "LM-45"}, Contract, lambda v: Q(grade__code="LM-45")
    ),
    "contracts-valid-on": Filter(
        CO, lambda v: {"valid_on": _today(v)}, Contract, lambda v: ~Q(pk=v.dsq.contract.pk)
    ),
    # listings, bids, floor prices
    "listings-status": Filter(
        LI, lambda v: {"status": "withdrawn"}, Listing, lambda v: Q(pk=v.dsq.listing.pk)
    ),
    "listings-seller": Filter(
        LI,
        lambda v: {"seller": v.dsq.market.seller.uscc},
        Listing,
        lambda v: Q(seller=v.dsq.market.seller),
    ),
    "listings-site": Filter(
        LI, lambda v: {"site": "HC-M-001"}, Listing, lambda v: Q(site=v.dsq.market.mine)
    ),
    "listings-region": Filter(
        LI, lambda v: {"region": "210882"}, Listing, lambda v: Q(site__region=v.world.dashiqiao)
    ),
    "listings-grade": Filter(
        LI, lambda v: {"grade": "LM-45"}, Listing, lambda v: Q(grade__code="LM-45")
    ),
    "listings-valid-on": Filter(
        LI, lambda v: {"valid_on": _today(v)}, Listing, lambda v: Q(pk=v.listing.pk)
    ),
    "bids-status": Filter(BI, lambda v: {"status": "rejected"}, Bid, lambda v: Q(pk=v.dsq.bid.pk)),
    "bids-listing": Filter(
        BI, lambda v: {"listing": v.listing.number}, Bid, lambda v: Q(listing=v.listing)
    ),
    "bids-bidder": Filter(
        BI,
        lambda v: {"bidder": v.dsq.market.buyer.uscc},
        Bid,
        lambda v: Q(bidder=v.dsq.market.buyer),
    ),
    "bids-destination": Filter(
        BI,
        lambda v: {"destination": "DSQ-P-001"},
        Bid,
        lambda v: Q(destination_site=v.dsq.market.rival_plant),
    ),
    "floor-prices-grade": Filter(
        FP, lambda v: {"grade": "LM-46"}, FloorPrice, lambda v: Q(grade__code="LM-46")
    ),
    "floor-prices-valid-on": Filter(
        FP, lambda v: {"valid_on": _today(v)}, FloorPrice, lambda v: ~Q(grade__code="LM-45")
    ),
    # waybills
    "waybills-contract": Filter(
        WB, lambda v: {"contract": v.contract.number}, Waybill, lambda v: Q(contract=v.contract)
    ),
    "waybills-plate": Filter(
        WB, lambda v: {"plate": "辽C10003"}, Waybill, lambda v: Q(plate="辽C10003")
    ),
    "waybills-status": Filter(
        WB, lambda v: {"status": "issued"}, Waybill, lambda v: Q(status="issued")
    ),
    "waybills-origin": Filter(
        WB, lambda v: {"origin": "DSQ-M-001"}, Waybill, lambda v: Q(origin_site=v.dsq.site)
    ),
    "waybills-destination": Filter(
        WB,
        lambda v: {"destination": "HC-P-001"},
        Waybill,
        lambda v: Q(destination_site=v.dsq.market.plant),
    ),
    "waybills-site": Filter(
        WB,
        lambda v: {"site": "DSQ-P-001"},
        Waybill,
        lambda v: Q(origin_site__code="DSQ-P-001") | Q(destination_site__code="DSQ-P-001"),
    ),
    "waybills-seller": Filter(
        WB,
        lambda v: {"seller": v.dsq.enterprise.uscc},
        Waybill,
        lambda v: Q(seller=v.dsq.enterprise),
    ),
    "waybills-buyer": Filter(
        WB,
        lambda v: {"buyer": v.dsq.market.buyer.uscc},
        Waybill,
        lambda v: Q(buyer=v.dsq.market.buyer),
    ),
    "waybills-enterprise": Filter(
        WB,
        lambda v: {"enterprise": v.dsq.market.rival.uscc},
        Waybill,
        lambda v: Q(seller=v.dsq.market.rival) | Q(buyer=v.dsq.market.rival),
    ),
    "waybills-station": Filter(
        WB, lambda v: {"station": "HC-ST-GATE"}, Waybill, lambda v: Q(pk=v.waybills[0].pk)
    ),
    "waybills-region": Filter(
        WB, lambda v: {"region": "210381"}, Waybill, lambda v: Q(region=v.world.haicheng)
    ),
    "waybills-since": Filter(
        WB,
        lambda v: {"since": _local(v.waybills[0].issued_at)},
        Waybill,
        lambda v: Q(issued_at__gte=v.waybills[0].issued_at),
    ),
    "waybills-until": Filter(
        WB,
        lambda v: {"until": _local(v.waybills[0].issued_at)},
        Waybill,
        lambda v: Q(issued_at__lt=v.waybills[0].issued_at),
    ),
    # tickets
    "tickets-station": Filter(
        TI, lambda v: {"station": "HC-CP-01"}, Ticket, lambda v: Q(station=v.checkpoint)
    ),
    "tickets-plate": Filter(
        TI, lambda v: {"plate": "辽C10001"}, Ticket, lambda v: Q(plate="辽C10001")
    ),
    "tickets-waybill": Filter(
        TI,
        lambda v: {"waybill": v.waybills[0].number},
        Ticket,
        lambda v: Q(waybill_number=v.waybills[0].number),
    ),
    "tickets-since": Filter(
        TI,
        lambda v: {"since": _local(v.arrived)},
        Ticket,
        lambda v: Q(gross_at__gte=v.arrived),
    ),
    "tickets-until": Filter(
        TI,
        lambda v: {"until": _local(v.arrived)},
        Ticket,
        lambda v: Q(gross_at__lt=v.arrived),
    ),
    "tickets-direction": Filter(
        TI, lambda v: {"direction": "in"}, Ticket, lambda v: Q(direction="in")
    ),
    "tickets-kind": Filter(
        TI, lambda v: {"kind": "checkpoint"}, Ticket, lambda v: Q(station=v.checkpoint)
    ),
    "tickets-release": Filter(
        TI, lambda v: {"release": "false"}, Ticket, lambda v: Q(release=False)
    ),
    "tickets-site": Filter(TI, lambda v: {"site": "HC-P-001"}, Ticket, lambda v: Q(station=v.gate)),
    "tickets-region": Filter(
        TI, lambda v: {"region": "210882"}, Ticket, lambda v: Q(region=v.world.dashiqiao)
    ),
    "tickets-contract": Filter(
        TI, lambda v: {"contract": v.contract.number}, Ticket, lambda v: Q(contract=v.contract)
    ),
    "tickets-enterprise": Filter(
        TI,
        lambda v: {"enterprise": v.dsq.enterprise.uscc},
        Ticket,
        lambda v: Q(seller=v.dsq.enterprise) | Q(buyer=v.dsq.enterprise),
    ),
}


def _count(response: Any) -> int:
    data = response.json()
    return len(data) if isinstance(data, list) else int(data["count"])


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_the_filter_answers_exactly_the_matching_rows(db: Any, variety: Variety, name: str) -> None:
    # given records that differ along the filter
    case = FILTERS[name]
    base = case.base(variety)
    rows = case.rows(variety)
    expected = rows if isinstance(rows, int) else base.filter(rows).count()
    # when the province office asks the list with the filter
    api = variety.world.api("province_officer")
    response = api.get(case.url, case.params(variety))
    everything = api.get(case.url)
    # then it answers with exactly the matching rows, which are some of the list but not all
    assert response.status_code == 200, response.content
    assert _count(response) == expected
    assert _count(everything) == base.count()
    assert 0 < expected < base.count(), f"{name}: the test records do not split on it"


# Federation endpoints answer county nodes signing their requests, never a person's session:
# the node protocol (docs/specs/federation-protocol.md) defines their parameters and errors.
SIGNED_BY_NODES = {"/api/v1/federation/reference"}


@functools.cache
def _list_endpoints() -> dict[str, set[str]]:
    """GET paths without a record in the URL, with the query parameters the document lists."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = {}
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path or path in SIGNED_BY_NODES:
            continue
        found[path] = {p["name"] for p in get.get("parameters", ()) if p["in"] == "query"}
    return found


def test_every_list_is_filtered_and_every_filter_is_tested(db: Any, variety: Variety) -> None:
    endpoints = _list_endpoints()
    # every GET under /api/v1/ without a record in its URL takes documented parameters
    # (the caller's own account, /me, the public portal's catalogue of tables, and the
    # province's table of county nodes — one row per county — take none)
    unfiltered = {path for path, names in endpoints.items() if not names}
    assert unfiltered == {"/api/v1/me", "/api/v1/public/", "/api/v1/federation/nodes"}
    # and every filter of every record list has its case above
    tested = {(c.url.rstrip("/"), p) for c in FILTERS.values() for p in c.params(variety)}
    paged = {
        (path.rstrip("/"), name)
        for path, names in endpoints.items()
        if "page" in names or path == QA
        for name in names - {"page", "page_size", "ordering"}
    }
    assert {pair for pair in paged if pair not in tested} == set()


@pytest.mark.parametrize("path", sorted(p for p, names in _list_endpoints().items() if names))
def test_an_unknown_parameter_is_refused_naming_the_accepted_ones(
    db: Any, variety: Variety, path: str
) -> None:
    # given what the OpenAPI document lists for the endpoint
    documented = _list_endpoints()[path]
    api = variety.world.api("province_officer")
    # when a parameter it does not know is sent
    en = api.get(path, {"contract_no": "HT-1"}, **ENGLISH)
    zh = api.get(path, {"contract_no": "HT-1"}, **CHINESE)
    # then the answer is a 400 with the stable code, naming exactly the documented parameters
    assert (en.status_code, zh.status_code) == (400, 400)
    error = en.json()["error"]
    assert error["code"] == "unknown_parameter"
    assert list(error["fields"]) == ["contract_no"]
    accepted = re.fullmatch(
        r"Unknown query parameter: contract_no\. This endpoint accepts: (.*)\.", error["message"]
    )
    assert accepted is not None, error["message"]
    assert set(accepted.group(1).split(", ")) == documented | {"format"}
    assert zh.json()["error"]["message"].startswith("未知的查询参数：contract_no。")


@pytest.mark.parametrize(
    "path", sorted(p for p, names in _list_endpoints().items() if "page" in names)
)
def test_paging_ordering_and_format_are_still_accepted(
    db: Any, variety: Variety, path: str
) -> None:
    # given a list's first ordering term
    documented = _list_endpoints()[path]
    query = {"page": "1", "page_size": "1", "format": "json"}
    if "ordering" in documented:
        query["ordering"] = "-pk"  # not offered: refused
        refused = variety.world.api("province_officer").get(path, query, **ENGLISH)
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "unknown_ordering"
        offered = re.search(r"ordered by: (.*)\.$", refused.json()["error"]["message"])
        assert offered is not None
        query["ordering"] = "-" + offered.group(1).split(", ")[0]
    # when the list is paged and ordered
    response = variety.world.api("province_officer").get(path, query)
    # then it answers one row of a page
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) <= 1


def test_ordering_orders_and_keeps_the_filters(db: Any, variety: Variety) -> None:
    api = variety.world.api("province_officer")
    # when Haicheng's tickets are asked by plate, then by descending plate
    up = api.get(TI, {"region": "210381", "ordering": "plate,gross_at"}).json()["results"]
    down = api.get(TI, {"region": "210381", "ordering": "-plate"}).json()["results"]
    # then they come in that order, Haicheng's only
    plates = [t["plate"] for t in up]
    expected = sorted(
        Ticket.objects.filter(region=variety.world.haicheng).values_list("plate", flat=True)
    )
    assert plates == expected
    assert [t["plate"] for t in down] == sorted(expected, reverse=True)


def test_a_bad_filter_value_is_refused_not_ignored(db: Any, variety: Variety) -> None:
    api = variety.world.api("province_officer")
    # when a status, a date and a region code cannot be read
    status = api.get(WB, {"status": "lost"}, **ENGLISH)
    since = api.get(TI, {"since": "yesterday"}, **ENGLISH)
    region = api.get(AL, {"region": "Haicheng"}, **ENGLISH)
    # then each is a 400 naming the field
    for response, field in ((status, "status"), (since, "since"), (region, "region")):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
        assert list(response.json()["error"]["fields"]) == [field]


def test_the_figures_and_the_price_index_refuse_unknown_parameters_too(
    db: Any, variety: Variety
) -> None:
    api = variety.world.api("province_officer")
    figure = api.get("/api/v1/dashboard/tonnage/", {"county": "210381"}, **ENGLISH)
    index = api.get("/api/v1/price-index", {"grade": "LM-46"}, **ENGLISH)
    assert (figure.status_code, figure.json()["error"]["code"]) == (400, "unknown_parameter")
    assert figure.json()["error"]["message"].endswith("accepts: export, format, region, site.")
    assert (index.status_code, index.json()["error"]["fields"]) == (
        400,
        {"grade": ["Not a query parameter of this endpoint."]},
    )
