"""The appeals tests' scaffolding: a frozen clock and appeals brought to a given stage."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from oreledger.accounts.tests.factories import UserFactory, department
from oreledger.appeals import services
from oreledger.appeals.models import Appeal
from oreledger.registry.tests.factories import EnterpriseFactory
from testkit.personas import Province

# A Monday morning in Shanghai (02:00 UTC is 10:00 there).
T0 = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)


@contextmanager
def clock(at: datetime.datetime) -> Iterator[None]:
    """Freeze the clock every service and page reads (django.utils.timezone.now)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def raised(world: Province, at: datetime.datetime = T0, **kwargs: Any) -> Appeal:
    """An appeal the Haicheng enterprise raised at `at`."""
    with clock(at):
        return services.raise_appeal(
            actor=world.user("enterprise_user"),
            category=kwargs.get("category", "utilities"),
            description=kwargs.get("description", "矿区变电站容量不足，新增破碎线无法通电。"),
        )


def routed(world: Province, at: datetime.datetime = T0, **kwargs: Any) -> Appeal:
    """Raised and routed to Haicheng's natural-resources bureau at the same instant."""
    appeal = raised(world, at, **kwargs)
    with clock(at):
        return services.route_appeal(
            actor=world.user("haicheng_operator"),
            appeal=appeal,
            departments=[world.user("department_officer").department],
        )


def answered(world: Province, at: datetime.datetime = T0, **kwargs: Any) -> Appeal:
    """Routed and answered at `at`: the solution stage runs from `at`."""
    appeal = routed(world, at, **kwargs)
    with clock(at):
        services.answer_appeal(
            actor=world.user("department_officer"), appeal=appeal, text="已联系供电公司现场勘察。"
        )
    appeal.refresh_from_db()
    return appeal


def rival(world: Province) -> Any:
    """A user of another Haicheng enterprise."""
    other = EnterpriseFactory(name="海城市东方镁业有限公司", region=world.haicheng)
    return UserFactory(
        username="rival_user", role="enterprise_user", region=world.haicheng, enterprise=other
    )


def power_supply(world: Province) -> Any:
    """A second Haicheng department (the power supply company)."""
    return department("power_supply", world.haicheng)
