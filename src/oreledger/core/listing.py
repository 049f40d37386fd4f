"""Lists people can sort, filter, page through and export — one shape for every app."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.views.generic import ListView

from oreledger.core.cells import cell_text, shown
from oreledger.core.columns import XLSX, Column, ExportSource, write_workbook, xlsx_response
from oreledger.core.exports import export_response
from oreledger.core.permissions import VIEW

# Column, ExportSource and the workbook live in core.columns (core.exports needs them without
# the list views); the apps' lists keep importing them from here, the one place they name.
__all__ = [
    "XLSX",
    "Column",
    "ExportSource",
    "ScopedListView",
    "cell_text",
    "paged",
    "shown",
    "write_workbook",
    "xlsx_response",
]

# Rows on one page of every list and every long table of a record's page.
PAGE_SIZE = 50


def table_rows(columns: Sequence[Column], rows: Iterable[Any]) -> list[Any]:
    """(row, [(column, shown value, CSS classes)]) for core/list_table.html."""
    return [(row, [(col, *col.cell(row)) for col in columns]) for row in rows]


def sort_key(request: HttpRequest, columns: Sequence[Column]) -> str:
    """The `?sort=` value if it names a sortable column, else ""."""
    requested = request.GET.get("sort", "")
    sortable = {col.key for col in columns if col.order_by}
    return requested if requested.lstrip("-") in sortable else ""


def sorted_rows(rows: list[Any], columns: Sequence[Column], key: str) -> list[Any]:
    """Rows computed in Python sorted by a column's value (missing values last)."""
    if not key:
        return rows
    column = next(col for col in columns if col.key == key.lstrip("-"))
    present = [row for row in rows if column.read(row) not in (None, "")]
    missing = [row for row in rows if column.read(row) in (None, "")]
    present.sort(key=lambda row: _comparable(column.read(row)), reverse=key.startswith("-"))
    return present + missing


def _comparable(value: Any) -> Any:
    return value if isinstance(value, int | float) else str(value)


def page_query(request: HttpRequest) -> str:
    """The request's query without `page` and `export`: what every pager link keeps."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


def paged(
    request: HttpRequest, items: Any, per_page: int = PAGE_SIZE, param: str = "page"
) -> dict[str, Any]:
    """One page of `items` (a queryset or a list) and what core/pager.html needs to show it."""
    paginator = Paginator(items, per_page)
    page: Page[Any] = paginator.get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    query.pop("export", None)
    return {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": paginator.num_pages > 1,
        "page_query": query.urlencode(),
        "page_param": param,
    }


class ScopedListView(LoginRequiredMixin, ListView):
    """A list of one model within the user's jurisdiction: filter, sort, page, export.

    Subclasses set `model`, `columns`, `filterset_class` (django-filter), `related` (the
    select_related paths that keep the query count constant), and `title`. `?export=xlsx`
    writes the same rows (same scope, filters and sort) to a workbook: at once when they are
    few, as a background job with a progress page when they are many (core.exports).
    """

    columns: Sequence[Column] = ()
    filterset_class: Any = None
    related: Sequence[str] = ()
    prefetch: Sequence[str] = ()
    default_order: str = "pk"
    title: str | Promise = ""
    paginate_by = PAGE_SIZE
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
        return sort_key(self.request, self.columns)

    def ordering_fields(self) -> list[str]:
        """The ORM ordering, always ending in pk so pages are stable."""
        key = self.sort_key()
        if not key:
            return [self.default_order, "pk"]
        column = next(col for col in self.columns if col.key == key.lstrip("-"))
        assert column.order_by is not None
        prefix = "-" if key.startswith("-") else ""
        return [f"{prefix}{column.order_by}", f"{prefix}pk"]

    def export_source(self) -> ExportSource:
        """The rows an export writes: this list's rows for this request, up to the limit."""
        queryset = self.get_queryset()
        total = min(queryset.count(), self.export_limit)
        rows = queryset[: self.export_limit].iterator(chunk_size=2000)
        return ExportSource(self.title, self.columns, rows, total)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            return export_response(request, self.export_source)
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
        query.pop("export", None)
        context.update(
            title=self.title,
            columns=self.columns,
            rows=table_rows(self.columns, context["object_list"]),
            filterset=self.filterset,
            sort=self.sort_key(),
            query=query.urlencode(),
            page_query=page_query(self.request),
            export_query=self._export_query(),
        )
        return context

    def _export_query(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        query["export"] = "xlsx"
        return query.urlencode()
