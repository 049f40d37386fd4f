"""Long lists are paged with the lists' pager: the procedures check's lines, a quota account's
ledger and the background jobs. Every row is on exactly one page."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oreledger.accounts.tests.factories import UserFactory
from oreledger.core.listing import PAGE_SIZE
from oreledger.core.tests.tasks_for_tests import record_period
from oreledger.quotas.services import draw_quota
from oreledger.quotas.tests.conftest import T, build_ledger
from oreledger.registry.procedures import procedures_summary
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory


def _pages(client: Any, url: str) -> list[Any]:
    """Every page of a paged view, following the pager from the first page."""
    first = client.get(url)
    assert first.status_code == 200
    pages = [first]
    total = first.context["paginator"].num_pages
    separator = "&" if "?" in url else "?"
    for number in range(2, total + 1):
        pages.append(client.get(f"{url}{separator}page={number}"))
    return pages


def test_the_procedures_lines_of_a_county_are_paged(world: Any) -> None:
    # given 30 Haicheng mine operators, each with a mine and none of its permits
    for n in range(30):
        operator = EnterpriseFactory(name=f"海城市测试矿业{n:02d}", region=world.haicheng)
        SiteFactory(code=f"HC-M-{n:03d}", enterprise=operator, kind="mine")
    lines = procedures_summary(world.haicheng, timezone.localdate()).lines
    assert len(lines) > 2 * PAGE_SIZE
    client = world.client("haicheng_operator")
    # when the county operator opens the check (drilled down to the county's lines)
    pages = _pages(client, "/registry/procedures/")
    # then each page holds at most one page of lines, with the pager
    first = pages[0].content.decode()
    assert 'data-testid="pager"' in first and 'data-testid="pager-next"' in first
    assert f"第 1 页，共 {len(pages)} 页" in first
    assert [len(p.context["page_obj"]) for p in pages[:-1]] == [PAGE_SIZE] * (len(pages) - 1)
    # and together the pages show every line once
    shown = [
        (line.enterprise.pk, line.permit_type.pk) for p in pages for line in p.context["page_obj"]
    ]
    assert sorted(shown) == sorted((line.enterprise.pk, line.permit_type.pk) for line in lines)
    assert (
        len(first.split('data-testid="procedures-lines"')[1].split("</table>")[0].split("<tr"))
        == PAGE_SIZE + 2
    )


def test_the_procedures_pager_keeps_the_filter_and_sort(world: Any) -> None:
    for n in range(30):
        operator = EnterpriseFactory(name=f"海城市测试矿业{n:02d}", region=world.haicheng)
        SiteFactory(code=f"HC-M-{n:03d}", enterprise=operator, kind="mine")
    client = world.client("haicheng_operator")
    url = "/registry/procedures/?region=210381&state=missing&sort=-enterprise.name"
    pages = _pages(client, url)
    assert 'href="?region=210381&amp;state=missing&amp;sort=-enterprise.name&amp;page=2#lines"' in (
        pages[0].content.decode()
    )
    names = [line.enterprise.name for p in pages for line in p.context["page_obj"]]
    assert names == sorted(names, reverse=True)
    assert {line.state for p in pages for line in p.context["page_obj"]} == {"missing"}


def test_a_quota_accounts_ledger_is_paged_newest_first(world: Any) -> None:
    # given a mine whose account has its allocation and 60 draws
    ledger = build_ledger(world)
    account = ledger.account(ledger.hc_mine)
    at = datetime.datetime.now(datetime.UTC)
    with transaction.atomic():
        for n in range(60):
            draw_quota(account=account, amount_kg=T, ref=f"draw-{n}", at=at)
    entries = list(account.entries.order_by("-seq").values_list("seq", flat=True))
    assert len(entries) == 61
    # when the county operator reads the account's file
    pages = _pages(world.client("haicheng_operator"), f"/quotas/accounts/{account.pk}/")
    # then the ledger is two pages, the newest entries first, every entry once
    assert [len(p.context["page_obj"]) for p in pages] == [PAGE_SIZE, 61 - PAGE_SIZE]
    assert [e.seq for p in pages for e in p.context["page_obj"]] == entries
    first = pages[0].content.decode()
    assert 'data-testid="pager"' in first and "共 61 条记录" in first
    assert 'href="?page=2#ledger"' in first


def test_the_jobs_page_is_paged(world: Any) -> None:
    # given 120 finished jobs
    for n in range(120):
        record_period.enqueue(period=f"p{n}")
    assert DBTaskResult.objects.count() == 120
    admin = UserFactory(username="ops", role="admin", password="secret-pass-1")
    client = world.client("anonymous")
    client.force_login(admin)
    # when the administrator opens the jobs page
    pages = _pages(client, "/system/jobs/")
    # then it shows 50 jobs a page, newest first, each job once
    assert [len(p.context["page_obj"]) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
    ids = [str(job.id) for p in pages for job in p.context["page_obj"]]
    newest_first = DBTaskResult.objects.order_by("-enqueued_at", "id").values_list("id", flat=True)
    assert ids == [str(i) for i in newest_first]
    # and the status filter is kept by the pager
    filtered = client.get("/system/jobs/?status=READY").content.decode()
    assert 'href="?status=READY&amp;page=2"' in filtered
