"""Lists people can sort, filter, page through and export — one shape for every app."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from openpyxl import Workbook

from oreledger.core.permissions import VIEW


@dataclass(frozen=True)
class Column:
    """One column of a list: what it shows, its header, and how it sorts."""

    key: str
    label: str | Promise
    # The ORM ordering for this column, or None when it cannot be sorted.
    order_by: str | None = None
    # How to read the value from a row; defaults to the attribute path in `key`.
    value: Callable[[Any], Any] | None = None
    link: bool = False
    numeric: bool = False

    def read(self, row: Any) -> Any:
        """The raw value of this column for `row`."""
        if self.value is not None:
            return self.value(row)
        value: Any = row
        for part in self.key.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        display = getattr(row, f"get_{self.key}_display", None)
        if "." not in self.key and callable(display):
            return display()
        return value


def shown(value: Any) -> Any:
    """A value as a table cell shows it: booleans as yes/no in the person's language."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def cell_text(value: Any) -> Any:
    """A value as an exported cell: numbers stay numbers, dates local, the rest text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def xlsx_response(
    title: str, columns: Sequence[Column], rows: Any, filename: str | None = None
) -> HttpResponse:
    """Stream the rows as an .xlsx workbook with the headers in the active language."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "data")
    header = [str(col.label) for col in columns]
    sheet.append(header)
    for row in rows:
        sheet.append([cell_text(col.read(row)) for col in columns])
    buffer = BytesIO()
    workbook.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = filename or f"{slugify(title, allow_unicode=False) or 'export'}-{stamp}.xlsx"
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ScopedListView(LoginRequiredMixin, ListView):
    """A list of one model within the user's jurisdiction: filter, sort, page, export.

    Subclasses set `model`, `columns`, `filterset_class` (django-filter), `related` (the
    select_related paths that keep the query count constant), and `title`.
    """

    columns: Sequence[Column] = ()
    filterset_class: Any = None
    related: Sequence[str] = ()
    prefetch: Sequence[str] = ()
    default_order: str = "pk"
    title: str | Promise = ""
    paginate_by = 50
    template_name = "core/list.html"
    action = VIEW
    export_limit = 100_000

    def base_queryset(self) -> models.QuerySet[Any]:
        """The rows before filters: the model's rows in the user's jurisdiction."""
        assert self.model is not None
        manager: Any = self.model._default_manager
        return manager.for_user(self.request.user, self.action)

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = self.base_queryset()
        if self.related:
            queryset = queryset.select_related(*self.related)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=queryset, request=self.request
            )
            queryset = self.filterset.qs
        return queryset.order_by(*self.ordering_fields())

    def sort_key(self) -> str:
        """The `?sort=` value if it names a sortable column, else the default."""
        requested = self.request.GET.get("sort", "")
        sortable = {col.key for col in self.columns if col.order_by}
        if requested.lstrip("-") in sortable:
            return requested
        return ""

    def ordering_fields(self) -> list[str]:
        """The ORM ordering, always ending in pk so pages are stable."""
        key = self.sort_key()
        if not key:
            return [self.default_order, "pk"]
        column = next(col for col in self.columns if col.key == key.lstrip("-"))
        assert column.order_by is not None
        prefix = "-" if key.startswith("-") else ""
        return [f"{prefix}{column.order_by}", f"{prefix}pk"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            rows = self.get_queryset()[: self.export_limit]
            return xlsx_response(str(self.title), self.columns, rows.iterator(chunk_size=2000))
        return super().get(request, *args, **kwargs)

    def get_template_names(self) -> list[str]:
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.boosted:
            return ["core/list_table.html"]
        return [*super().get_template_names()]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("sort", None)
        context.update(
            title=self.title,
            columns=self.columns,
            rows=[
                (row, [(col, shown(col.read(row))) for col in self.columns])
                for row in context["object_list"]
            ],
            filterset=self.filterset,
            sort=self.sort_key(),
            query=query.urlencode(),
            export_query=self._export_query(),
        )
        return context

    def _export_query(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        query["export"] = "xlsx"
        return query.urlencode()
