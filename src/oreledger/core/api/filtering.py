"""How every API list is filtered and ordered, and why an unknown query parameter is a 400.

Every list under /api/v1/ filters through `ListFilterBackend` (django-filter, the view's
`filterset_class`) and orders through `DeclaredOrdering` (the view's `ordering_fields`);
both are the project's DEFAULT_FILTER_BACKENDS. A query parameter that is not a filter,
the ordering, the paging or `format` is refused with `unknown_parameter`: a misspelt or
unsupported filter must never answer with the whole unfiltered list.

The filters below are the vocabulary the lists share, so that `region`, `site`,
`enterprise`, `since` and `until` mean the same on every list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from oreledger.core.errors import DomainError

# DRF's URL format override (`?format=json`) is accepted everywhere.
ALWAYS_ACCEPTED = ("format",)
ORDERING_PARAM = "ordering"

UNKNOWN_PARAMETER = _("Unknown query parameter: %(unknown)s. This endpoint accepts: %(accepted)s.")
NOT_A_PARAMETER = _("Not a query parameter of this endpoint.")
UNKNOWN_ORDERING = _("Cannot order by %(unknown)s. This list can be ordered by: %(accepted)s.")


class UnknownParameter(DomainError):
    """A query parameter the endpoint does not know: refused rather than ignored."""

    def __init__(self, unknown: list[str], accepted: list[str]) -> None:
        super().__init__(
            "unknown_parameter",
            UNKNOWN_PARAMETER,
            params={"unknown": ", ".join(unknown), "accepted": ", ".join(accepted)},
            fields={name: [str(NOT_A_PARAMETER)] for name in unknown},
        )


class UnknownOrdering(DomainError):
    """An ordering term the list does not offer."""

    def __init__(self, unknown: list[str], accepted: list[str]) -> None:
        super().__init__(
            "unknown_ordering",
            UNKNOWN_ORDERING,
            params={"unknown": ", ".join(unknown), "accepted": ", ".join(accepted)},
        )


def reject_unknown_parameters(request: Request, accepted: Iterable[str]) -> None:
    """Refuse the request when it carries a query parameter outside `accepted`."""
    names = {*accepted, *ALWAYS_ACCEPTED}
    unknown = sorted(set(request.query_params) - names)
    if unknown:
        raise UnknownParameter(unknown, sorted(names))


def accepted_parameters(request: Request, view: Any, queryset: QuerySet[Any]) -> set[str]:
    """Every query parameter the list view understands: filters, ordering and paging."""
    names: set[str] = set(ALWAYS_ACCEPTED)
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if hasattr(backend, "parameter_names"):
            names |= backend.parameter_names(view, queryset)
    paginator = getattr(view, "paginator", None)
    for attribute in ("page_query_param", "page_size_query_param"):
        name = getattr(paginator, attribute, None)
        if name:
            names.add(name)
    return names


def _is_list(view: Any) -> bool:
    action = getattr(view, "action", None)
    if action is not None:
        return bool(action == "list")
    return view.request.method in ("GET", "HEAD") and not view.kwargs


class ListFilterBackend(DjangoFilterBackend):
    """The view's filterset; any query parameter the list does not know is refused (400)."""

    def parameter_names(self, view: Any, queryset: QuerySet[Any]) -> set[str]:
        """The query parameters of the view's filters (a range filter has two)."""
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return set()
        names = set()
        for name, filter_ in filterset_class.base_filters.items():
            suffixes = getattr(filter_.field_class.widget, "suffixes", None)
            names |= {f"{name}_{s}" if s else name for s in suffixes} if suffixes else {name}
        return names

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        """Refuse unknown parameters on a list, then apply the filters."""
        if _is_list(view):
            reject_unknown_parameters(request, accepted_parameters(request, view, queryset))
        return super().filter_queryset(request, queryset, view)


class DeclaredOrdering(BaseFilterBackend):
    """`?ordering=a,-b` over the view's `ordering_fields` (API name → model path).

    Unlike DRF's OrderingFilter, a term the list does not offer is refused, not ignored,
    and the primary key always breaks ties so that pages never repeat or skip a row.
    """

    def fields(self, view: Any) -> Mapping[str, str]:
        """The orderings the view offers."""
        return getattr(view, "ordering_fields", None) or {}

    def parameter_names(self, view: Any, queryset: QuerySet[Any]) -> set[str]:
        """`ordering`, when the view offers any."""
        return {ORDERING_PARAM} if self.fields(view) else set()

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        """The queryset in the requested order, or as the view ordered it."""
        fields = self.fields(view)
        raw = request.query_params.get(ORDERING_PARAM, "")
        terms = [term.strip() for term in raw.split(",") if term.strip()]
        if not terms or not fields:
            return queryset
        unknown = [term for term in terms if term.lstrip("-") not in fields]
        if unknown:
            accepted = sorted(fields)
            raise UnknownOrdering(unknown, accepted)
        order = [f"{'-' if t.startswith('-') else ''}{fields[t.lstrip('-')]}" for t in terms]
        tie = "-pk" if terms[-1].startswith("-") else "pk"
        return queryset.order_by(*order, tie)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """The `ordering` parameter with the terms it takes, for the OpenAPI document."""
        fields = self.fields(view)
        if not fields:
            return []
        return [
            {
                "name": ORDERING_PARAM,
                "required": False,
                "in": "query",
                "description": (
                    "Order of the results: comma-separated terms of "
                    f"{', '.join(sorted(fields))}; a leading '-' reverses one."
                ),
                "schema": {"type": "string"},
            }
        ]


# --- the shared vocabulary -----------------------------------------------------------------

_REGION_CODE = RegexValidator(r"^\d{6}(\d{3}){0,2}$", _("A region is a GB/T 2260 code."))


class RegionFilter(django_filters.CharFilter):
    """A GB/T 2260 code: rows of that region and of every region below it."""

    def __init__(self, path: str = "region__path", **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "GB/T 2260 region code; includes every region below it.")
        super().__init__(validators=[_REGION_CODE], **kwargs)
        self.path = path

    def filter(self, qs: Any, value: Any) -> Any:
        """Rows whose region path passes through the code."""
        if not value:
            return qs
        return qs.filter(**{f"{self.path}__contains": f"/{value}/"})


class AnyOfFilter(django_filters.CharFilter):
    """One value matched against several fields (a party of either side, say)."""

    def __init__(self, *paths: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.paths = paths

    def filter(self, qs: Any, value: Any) -> Any:
        """Rows where any of the fields equals the value."""
        if not value:
            return qs
        condition = Q()
        for path in self.paths:
            condition |= Q(**{path: value})
        return qs.filter(condition)


class ValidOnFilter(django_filters.DateFilter):
    """A date inside the row's validity (valid_from … valid_to, an open end included)."""

    def __init__(self, start: str = "valid_from", end: str = "valid_to", **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "A date (YYYY-MM-DD) inside the validity, ends included.")
        super().__init__(**kwargs)
        self.start, self.end = start, end

    def filter(self, qs: Any, value: Any) -> Any:
        """Rows valid on that day."""
        if not value:
            return qs
        return qs.filter(
            Q(**{f"{self.start}__lte": value}),
            Q(**{f"{self.end}__gte": value}) | Q(**{f"{self.end}__isnull": True}),
        )


def since_until(
    field: str, what: str
) -> tuple[django_filters.IsoDateTimeFilter, django_filters.IsoDateTimeFilter]:
    """`since` (at or after) and `until` (before) on a moment; a bare date is its midnight."""
    return (
        django_filters.IsoDateTimeFilter(
            field_name=field,
            lookup_expr="gte",
            help_text=f"{what} at or after this time (ISO 8601; a date alone is its "
            "midnight, Asia/Shanghai).",
        ),
        django_filters.IsoDateTimeFilter(
            field_name=field,
            lookup_expr="lt",
            help_text=f"{what} before this time (ISO 8601; a date alone is its midnight, "
            "Asia/Shanghai).",
        ),
    )


def from_to(field: str, what: str) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """`since` and `until` on a calendar date, both days included."""
    return (
        django_filters.DateFilter(
            field_name=field, lookup_expr="gte", help_text=f"{what} on or after (YYYY-MM-DD)."
        ),
        django_filters.DateFilter(
            field_name=field, lookup_expr="lte", help_text=f"{what} on or before (YYYY-MM-DD)."
        ),
    )
