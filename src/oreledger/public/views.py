"""The portal's pages and downloads: no login, rate-limited per address, answers cached."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from oreledger.core.listing import XLSX, write_workbook
from oreledger.core.ratelimits import RateLimited, admit_address
from oreledger.public.queries import TABLES, PublishedTable

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


def kept(name: str, build: Callable[[], Any]) -> Any:
    """An answer in the reader's language, kept per process for OL_PUBLIC_CACHE_SECONDS so
    that a crowd on the portal does not reach the database the officials use."""
    key = f"public:{name}:{translation.get_language()}"
    cache = caches["public"]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.OL_PUBLIC_CACHE_SECONDS)
    return value


def published_rows(table: PublishedTable) -> list[dict[str, Any]]:
    """The table's rows (kept)."""
    return kept(f"{table.key}:rows", table.rows)


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
        admit_address("anonymous", request)
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
        admit_address("anonymous", request)
    except RateLimited as refusal:
        return _refused(request, refusal)
    return render(
        request,
        "public/table.html",
        {
            "title": published.title,
            "table": published,
            "tables": list(TABLES.values()),
            # The table's body is the same for every reader: rendered once, kept.
            # (our own rendered template, escaped when it was rendered)
            "body": mark_safe(kept(f"{key}:html", lambda: _body(published))),  # noqa: S308
        },
    )


def _body(published: PublishedTable) -> str:
    rows = [
        [(field.on_page(row[field.key]), field.numeric) for field in published.fields]
        for row in published_rows(published)
    ]
    return render_to_string("public/_rows.html", {"table": published, "rows": rows})


def download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """One published table as CSV or xlsx: the same fields and rows as its page."""
    published = _table(key)
    if fmt not in CONTENT_TYPES:
        raise Http404
    try:
        admit_address("anonymous", request)
    except RateLimited as refusal:
        return _refused(request, refusal)
    content = kept(f"{key}:{fmt}", lambda: _file(published, fmt))
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="oreledger-{published.key}.{fmt}"'
    return response


def _file(published: PublishedTable, fmt: str) -> bytes:
    """The table as a CSV or xlsx file: the same fields and rows as its page."""
    rows = published_rows(published)
    columns = published.columns()
    if fmt == "xlsx":
        out = io.BytesIO()
        write_workbook(str(published.title), columns, rows, out)
        return out.getvalue()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column.label) for column in columns])
    for row in rows:
        writer.writerow([column.read(row) for column in columns])
    # A byte-order mark so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()
