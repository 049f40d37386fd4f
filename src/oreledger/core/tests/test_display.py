"""Stored values as a reader reads them: the change history and stored references."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from oreledger.core.audit import readable_history, record_change
from oreledger.core.display import Shown, resolve_stored
from oreledger.core.models import ObjectChange
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_a_change_reads_as_labels_names_and_local_time(world: Any) -> None:
    # given a Haicheng mine created by the platform itself (no person), at 08:09 UTC
    owner = EnterpriseFactory(name="海城市华兴镁矿有限公司", region=world.haicheng)
    site = SiteFactory(code="HC-M-777", enterprise=owner, name="华兴一矿", kind="mine")
    change = record_change(actor=None, obj=site, action=ObjectChange.Action.CREATE)
    ObjectChange.objects.filter(pk=change.pk).update(
        time=datetime.datetime(2026, 12, 5, 8, 9, tzinfo=datetime.UTC)
    )
    # when the province officer reads its history in Chinese
    with translation.override("zh-hans"):
        [line] = readable_history(
            ObjectChange.objects.filter(pk=change.pk), world.user("province_officer")
        )
        fields = {label: after for label, _before, after in line.fields}
        # then: local time, 系统, field labels, the choice's label, the owner by name, linked
        assert (line.time, line.who, line.action) == ("2026-12-05 16:09", "系统", "新建")
        assert fields["类型"] == Shown("矿山")
        assert fields["企业"] == Shown("海城市华兴镁矿有限公司", owner.get_absolute_url())
        assert fields["区域"] == Shown("海城市")
        assert not {"id", "uuid", "owner_node", "created_at"} & set(fields)


def test_a_related_record_outside_the_readers_jurisdiction_is_named_not_linked(
    world: Any,
) -> None:
    # given the same change, read by Dashiqiao's operator (Haicheng is not theirs)
    owner = EnterpriseFactory(name="海城市华兴镁矿有限公司", region=world.haicheng)
    site = SiteFactory(code="HC-M-778", enterprise=owner, name="华兴二矿")
    record_change(actor=None, obj=site, action=ObjectChange.Action.CREATE)
    with translation.override("zh-hans"):
        [line] = readable_history(
            ObjectChange.objects.filter(object_id=str(site.pk)), world.user("dashiqiao_operator")
        )
        fields = {label: after for label, _before, after in line.fields}
    # then the owner is named but offers no link that would answer 404
    assert fields["企业"] == Shown("海城市华兴镁矿有限公司")


def test_a_stored_reference_is_labelled_by_its_kind_and_never_links_to_nothing(world: Any) -> None:
    # given a stored reference to a record that does not exist, and one of an unknown kind
    with translation.override("zh-hans"):
        shown = resolve_stored(
            ["ticket:00000000-0000-0000-0000-000000000000", "manual"],
            world.user("province_officer"),
        )
    # then each is labelled by its kind, and nothing links to a page that is not there
    assert shown["ticket:00000000-0000-0000-0000-000000000000"].url == ""
    assert shown["ticket:00000000-0000-0000-0000-000000000000"].text.startswith("磅单 ")
    assert shown["manual"] == Shown("manual")
