"""Lists people can sort, filter, page through and export — one shape for every app."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.views.generic import ListView
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from oreledger.core.cells import TEXT, Kind, cell_text, kind_of, shown
from oreledger.core.permissions import VIEW

__all__ = ["Column", "ScopedListView", "cell_text", "paged", "shown", "xlsx_response"]

# Rows on one page of every list and every long table of a record's page.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    """One column of a list: what it shows, its header, how it sorts and how it is written."""

    key: str
    label: str | Promise
    # The ORM ordering for this column, or None when it cannot be sorted.
    order_by: str | None = None
    # How to read the value from a row; defaults to the attribute path in `key`.
    value: Callable[[Any], Any] | None = None
    link: bool = False
    numeric: bool = False
    # What kind of figure the column holds (core.cells); None: told by the value's type.
    kind: Kind | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind.numeric:
            object.__setattr__(self, "numeric", True)

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

    def kind_for(self, value: Any) -> Kind:
        """The column's kind, or the one its value's type suggests."""
        return self.kind or kind_of(self.numeric, value)

    def cell(self, row: Any) -> tuple[Any, str]:
        """The cell as the page shows it, and its CSS classes."""
        value = self.read(row)
        kind = self.kind_for(value)
        if value is None:
            return "", ""
        classes = " ".join(
            name for name, on in (("num", kind.numeric), ("nowrap", kind.nowrap)) if on
        )
        return kind.show(value), classes

    def exported(self, row: Any) -> tuple[Any, str | None]:
        """The workbook cell's value, and the Excel number format that writes it like the page."""
        value = self.read(row)
        kind = self.kind_for(value)
        if value is None:
            return "", None
        return kind.export(value), kind.xlsx_format


def _width(column: Column) -> float:
    """A readable column width in the workbook (CJK characters count double)."""
    label = str(column.label)
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)
    kind = column.kind or TEXT
    return float(max(wide + 2, 14 if kind.numeric else 12))


def write_workbook(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
    every: int = 500,
) -> int:
    """Write the rows as an .xlsx workbook to `out`: headers in the active language, numbers
    as numbers with the page's decimals. Calls `progress(done)` every `every` rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "data")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    sheet.freeze_panes = "A2"
    sheet.append([str(col.label) for col in columns])
    done = 0
    for row in rows:
        cells: list[Any] = []
        for col in columns:
            value, number_format = col.exported(row)
            if number_format and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        done += 1
        if progress is not None and done % every == 0:
            progress(done)
    workbook.save(out)
    return done


def export_file_name(title: str, allow_unicode: bool = False) -> str:
    """The download's file name: the title (its Latin letters unless `allow_unicode`, or
    "export") and the local time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{slugify(title, allow_unicode=allow_unicode) or 'export'}-{stamp}.xlsx"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    title: str, columns: Sequence[Column], rows: Any, filename: str | None = None
) -> HttpResponse:
    """The rows as an .xlsx workbook to download, with the headers in the active language."""
    buffer = BytesIO()
    write_workbook(title, columns, rows, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{filename or export_file_name(title)}"'
    )
    return response


@dataclass
class ExportSource:
    """What an export writes: its title, columns and rows, and how many rows there are."""

    title: str | Promise
    columns: Sequence[Column]
    rows: Iterable[Any]
    total: int


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
            # why: a cycle — core.exports builds on this module (ExportSource, write_workbook).
            from oreledger.core.exports import export_response

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
