"""A group's visit to a site: results of every item, stored once per submission key."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from oreledger.core.audit import record_change
from oreledger.core.permissions import ADD, VIEW
from oreledger.inspections.choices import CampaignStatus, Outcome
from oreledger.inspections.errors import InspectionError
from oreledger.inspections.models import (
    Campaign,
    Finding,
    Inspection,
    InspectionGroup,
    InspectionPhoto,
    InspectionResult,
)
from oreledger.inspections.queries import checklists_for, items_for, site_in_scope
from oreledger.inspections.services._common import in_reach, is_person, require_role
from oreledger.registry.models import Site


def submit_inspection(
    *,
    actor: Any,
    campaign: Campaign,
    site: Site,
    submission_key: uuid.UUID,
    inspected_on: datetime.date,
    results: Sequence[Mapping[str, Any]],
    group: InspectionGroup | None = None,
) -> tuple[Inspection, bool]:
    """Record an inspection and its findings; a resent submission returns the stored one.

    `results` holds one mapping per item: `item` (id), `outcome`, `note`, `photos` (files).
    Returns the inspection and whether this call stored it.
    """
    require_role(actor, ADD, Inspection)
    campaign = in_reach(actor, campaign, VIEW)
    site = in_reach(actor, site, VIEW)
    stored = _stored(submission_key, campaign, site)
    if stored is not None:
        return stored, False
    if campaign.status != CampaignStatus.ACTIVE:
        raise InspectionError("campaign_closed")
    if not site_in_scope(campaign, site):
        raise InspectionError("site_out_of_scope", field="site")
    items = {
        item.pk: item for item in items_for(checklists_for(campaign, site.enterprise.industry))
    }
    given = _parse(results, items)
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                campaign=campaign,
                group=group,
                site=site,
                enterprise=site.enterprise,
                region=site.region,
                inspected_on=inspected_on,
                inspector=actor if is_person(actor) else None,
                submission_key=submission_key,
            )
            for item_id, entry in given.items():
                item = items[item_id]
                result = InspectionResult.objects.create(
                    inspection=inspection,
                    item=item,
                    outcome=entry["outcome"],
                    note=entry.get("note", "")[:500],
                )
                for photo in entry.get("photos", ()):
                    InspectionPhoto.objects.create(result=result, image=photo)
                if entry["outcome"] == Outcome.FAIL:
                    Finding.objects.create(
                        inspection=inspection,
                        result=result,
                        campaign=campaign,
                        enterprise=site.enterprise,
                        region=site.region,
                        department_kind=item.checklist.department_kind,
                        text=f"{item.text}：{entry['note']}"[:800],
                        severity=item.severity,
                        stops_production=item.stops_production,
                    )
            record_change(actor=actor, obj=inspection, action="create")
    except IntegrityError:
        # The same submission arrived twice at once: the other request stored it.
        stored = _stored(submission_key, campaign, site)
        if stored is None:
            raise
        return stored, False
    return inspection, True


def _stored(key: uuid.UUID, campaign: Campaign, site: Site) -> Inspection | None:
    inspection = Inspection.objects.filter(submission_key=key).first()
    if inspection is None:
        return None
    if inspection.site_id != site.pk or inspection.campaign_id != campaign.pk:
        raise InspectionError("key_reused", status=409)
    return inspection


def _parse(
    results: Sequence[Mapping[str, Any]], items: Mapping[int, Any]
) -> dict[int, Mapping[str, Any]]:
    if not items:
        raise InspectionError("checklist_empty")
    given: dict[int, Mapping[str, Any]] = {}
    for entry in results:
        item_id = int(entry["item"])
        if item_id not in items:
            raise InspectionError("unknown_item", field="results")
        if entry.get("outcome") not in Outcome.values:
            raise InspectionError("results_incomplete", field="results", missing=1)
        if entry["outcome"] == Outcome.FAIL and not str(entry.get("note", "")).strip():
            raise InspectionError("note_required", field=f"note_{item_id}")
        given[item_id] = entry
    missing = len(set(items) - set(given))
    if missing:
        raise InspectionError("results_incomplete", field="results", missing=missing)
    return given
