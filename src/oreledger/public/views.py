"""The portal's pages and downloads: no login, rate-limited per address, answers cached."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from oreledger.core.listing import xlsx_response
from oreledger.public.errors import RateLimited
from oreledger.public.queries import TABLES, PublishedTable
from oreledger.public.throttle import admit

FORMATS = ("csv", "xlsx")


def published_rows(table: PublishedTable) -> list[dict[str, Any]]:
    """The table's rows in the reader's language, kept per process for OL_PUBLIC_CACHE_SECONDS
    so that a crowd on the portal does not reach the database the officials use."""
    key = f"public:{table.key}:{translation.get_language()}"
    cache = caches["public"]
    rows = cache.get(key)
    if rows is None:
        rows = table.rows()
        cache.set(key, rows, settings.OL_PUBLIC_CACHE_SECONDS)
    return rows


def _table(key: str) -> PublishedTable:
    if key not in TABLES:
        raise Http404
    return TABLES[key]


def _refused(request: HttpRequest, refusal: RateLimited) -> HttpResponse:
    response = render(
        request,
        "public/refused.html",
        {"title": _("Too many requests"), "message": refusal.message},
        status=429,
    )
    response["Retry-After"] = str(refusal.retry_after)
    return response


def index(request: HttpRequest) -> HttpResponse:
    """The portal's front page: what is published, and where to download it."""
    try:
        admit(request)
    except RateLimited as refusal:
        return _refused(request, refusal)
    return render(
        request,
        "public/index.html",
        {"title": _("Public information"), "tables": list(TABLES.values())},
    )


def table(request: HttpRequest, key: str) -> HttpResponse:
    """One published table as a page."""
    published = _table(key)
    try:
        admit(request)
    except RateLimited as refusal:
        return _refused(request, refusal)
    rows = published_rows(published)
    body = [
        [(field.shown(row[field.key]), field.numeric) for field in published.fields] for row in rows
    ]
    return render(
        request,
        "public/table.html",
        {
            "title": published.title,
            "table": published,
            "tables": list(TABLES.values()),
            "rows": body,
            "any_suppressed": any(row.get("suppressed") for row in rows),
        },
    )


def download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """One published table as CSV or xlsx: the same fields and rows as its page."""
    published = _table(key)
    if fmt not in FORMATS:
        raise Http404
    try:
        admit(request)
    except RateLimited as refusal:
        return _refused(request, refusal)
    rows = published_rows(published)
    columns = published.columns()
    name = f"oreledger-{published.key}"
    if fmt == "xlsx":
        return xlsx_response(str(published.title), columns, rows, filename=f"{name}.xlsx")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column.label) for column in columns])
    for row in rows:
        writer.writerow([column.read(row) for column in columns])
    # A byte-order mark so that Excel opens the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
