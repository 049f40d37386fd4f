"""Use cases of joint inspections: every change goes through here with its audit record;
a refusal saves nothing."""

from oreledger.inspections.errors import InspectionError
from oreledger.inspections.services.campaigns import (
    add_target,
    close_campaign,
    create_campaign,
    form_group,
    publish_checklist,
    update_campaign,
)
from oreledger.inspections.services.decisions import decide_classification
from oreledger.inspections.services.orders import answer_order, issue_order, sign_acceptance
from oreledger.inspections.services.visits import submit_inspection

__all__ = [
    "InspectionError",
    "add_target",
    "answer_order",
    "close_campaign",
    "create_campaign",
    "decide_classification",
    "form_group",
    "issue_order",
    "publish_checklist",
    "sign_acceptance",
    "submit_inspection",
    "update_campaign",
]
