"""What every trade service shares: who the actor is, numbers, grades, notifications."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext

from oreledger.core.errors import NotFound
from oreledger.core.permissions import get_for_user
from oreledger.grading.models import Grade
from oreledger.grading.services import standard_in_force
from oreledger.trade.errors import refuse
from oreledger.trade.models import Notification, Sequence

MONEY_STEP = Decimal("0.01")


def is_person(actor: Any) -> bool:
    """A logged-in person (as opposed to a system actor such as an import)."""
    return actor is not None and getattr(actor, "is_authenticated", False)


def person_or_none(actor: Any) -> Any:
    """The actor when a person, for the `*_by` columns."""
    return actor if is_person(actor) else None


def authorise(queryset: Any, actor: Any, action: str, **lookup: Any) -> Any:
    """The row if a person may act on it (404 outside view scope, 403 if only viewable)."""
    if not is_person(actor):
        return queryset.get(**lookup)
    try:
        return get_for_user(queryset, actor, action, **lookup)
    except Http404:
        raise NotFound("not_found", _not_found()) from None
    except PermissionDenied:
        raise refuse("not_allowed", status=403) from None


def _not_found() -> str:
    return gettext("There is no such record in your jurisdiction.")


def money(value: Any) -> Decimal:
    """A price as Decimal yuan with two places (never a float on the way)."""
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(MONEY_STEP)


def next_number(key: str) -> int:
    """The next number under `key`, unique across processes (conditional UPDATE)."""
    with transaction.atomic():
        if not Sequence.objects.filter(key=key).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key, last=1)
                return 1
            except IntegrityError:
                Sequence.objects.filter(key=key).update(last=F("last") + 1)
        return int(Sequence.objects.values_list("last", flat=True).get(key=key))


def grade_for(code: str, day: datetime.date) -> Grade:
    """The grade with this code in the standard in force on `day`; refused when unknown."""
    standard = standard_in_force(day)
    if standard is None:
        raise refuse("no_grading_standard", date=day.isoformat())
    grade = Grade.objects.filter(standard=standard, code=code).first()
    if grade is None:
        raise refuse("unknown_grade", grade=code)
    return grade


def check_grade_in_force(grade: Grade, day: datetime.date) -> Grade:
    """The same grade code under the standard in force on `day` (a stale grade is mapped)."""
    return grade_for(grade.code, day)


def notify(
    *, kind: str, params: dict[str, Any], link: str = "", enterprise: Any = None, user: Any = None
) -> Notification:
    """Leave an in-app message for an enterprise's users or one person."""
    return Notification.objects.create(
        recipient_enterprise=enterprise, recipient_user=user, kind=kind, params=params, link=link
    )
