"""Issue 15, item 5: no internal code, English key, UUID or UTC time reaches a zh-Hans reader.

Each role's persona walks, in Simplified Chinese, every page its menu offers, one page of
every kind linked from them (details, forms, the pages those link to), every list's Excel
export and every other export or PDF a page links to. Each page's visible text, each
export's cells and each PDF's text must be free of raw words (`core.testing.wording`).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.db import connections, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from openpyxl import load_workbook

from oreledger.core.navigation import menu_for
from oreledger.public.queries import TABLES
from testkit.personas import build_province
from testkit.showcase import ROLES, Showcase, build_showcase, data_words
from testkit.wording import page_text, raw_words

# Links that leave the pages a person reads: the admin, static files, the API's JSON.
SKIPPED = ("/admin/", "/static/", "/media/", "/__debug__/")


@pytest.fixture(scope="module")
def showcase(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Showcase]:
    """The showcase province, built once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            yield build_showcase(build_province())
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


UPLOADED_FILES = {
    "alerts:case_note_attachment",
    "appeals:entry_attachment",
    "assessment:evidence_attachment",
    "inspections:answer_evidence",
    "inspections:inspection_photo",
}


def _kind(url: str) -> str | None:
    """One page of each kind: the route's name, and which export it is."""
    parts = urlsplit(url)
    if not parts.path.startswith("/") or parts.netloc or parts.path.startswith(SKIPPED):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    export = next((q for q in parts.query.split("&") if q.startswith("export=")), "")
    if match.view_name.startswith("api:") and not export:
        return None  # JSON for programs; the exports of the API are files for people
    if match.view_name in ("accounts:logout", "set_language"):
        return None
    if match.view_name in UPLOADED_FILES:
        return None  # a file a person uploaded, served as they gave it: not our words
    return f"{match.view_name} {export}".strip()


def _texts(response: Any) -> tuple[str, list[str]]:
    """What a person reads in the response, and the links it offers."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(body), read_only=True)
        cells = [
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
        ]
        return "\n".join(c for c in cells if c not in ("None", "")), []
    if "csv" in kind:
        rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
        return "\n".join(" ".join(row) for row in rows), []
    if "pdf" in kind:
        pdftotext = shutil.which("pdftotext")
        assert pdftotext, "apt-get install poppler-utils"
        out = subprocess.run(  # noqa: S603 (our own PDF, read by a fixed program)
            [pdftotext, "-", "-"], input=body, capture_output=True, check=True
        ).stdout
        return out.decode(), []
    if "html" in kind:
        return page_text(body.decode())
    return "", []


def walk(showcase: Showcase, persona: str) -> dict[str, list[str]]:
    """Visit the persona's menu and one page of every kind reachable from it; raw words by URL."""
    client = showcase.client(persona)
    user = showcase.world.users[persona]
    start = ["/"] + [item["url"] for s in menu_for(user, "/") for item in s["items"]]
    queue, found = list(start), {}
    kinds = {_kind(url) for url in start}
    allowed = data_words()
    for url in queue:
        response = client.get(url)
        assert response.status_code == 200, f"{persona} {url}: {response.status_code}"
        text, links = _texts(response)
        words = raw_words(text, allowed)
        if words:
            found[url] = sorted(set(words))
        # exactly one place in the navigation is marked as where the person is
        menu = (response.context or {}).get("menu") if response.context else None
        if menu:
            lit = sum(item["active"] for s in menu for item in s["items"])
            lit += urlsplit(url).path == "/"  # 首页
            lit += bool(response.context.get("account_page"))  # the person's name
            if lit != 1:
                found[url] = [*found.get(url, []), f"{lit} menu items highlighted"]
        for link in links:
            kind = _kind(link)
            if kind is not None and kind not in kinds and link not in queue:
                kinds.add(kind)
                queue.append(link)
    assert len(queue) > len(start), f"{persona}: no page linked to anything"
    return found


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_and_export_reads_in_chinese(showcase: Showcase, role: str, db: Any) -> None:
    # given the role's persona in zh-Hans
    # when they visit every page their menu offers and one of every kind linked from them
    found = walk(showcase, ROLES[role])
    # then no page, export or PDF shows a code, English key, UUID or UTC time
    report = "\n".join(f"{url}: {' '.join(words)[:400]}" for url, words in found.items())
    assert not found, f"raw words for {role}:\n{report}"


def test_the_public_portal_reads_in_chinese(showcase: Showcase, db: Any) -> None:
    # given a visitor who is not logged in, reading in zh-Hans
    caches["public"].clear()
    client = Client()
    # when they walk the portal: its front page, every table and every download it links to
    queue, found, allowed = ["/public/"], {}, data_words()
    for url in queue:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        text, links = _texts(response)
        if words := raw_words(text, allowed):
            found[url] = sorted(set(words))
        for link in links:
            if link.startswith("/public/") and link not in queue:
                queue.append(link)
    # then every table and both downloads of each were read, and none shows a raw word
    assert len(queue) == 1 + 3 * len(TABLES), queue
    report = "\n".join(f"{url}: {' '.join(words)[:400]}" for url, words in found.items())
    assert not found, f"raw words on the public portal:\n{report}"
