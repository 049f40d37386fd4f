"""The demo's weekly dispatch briefings: the past weeks issued by the office, last week a draft.

Each briefing goes through the briefings services at the moment it would have happened:
drafted by the Monday job at 08:00 after its week, the province office's remarks written
that morning, issued before the dispatch meeting — the services' clock
(`django.utils.timezone.now`) set to each moment, as in demo/appeals.py, so that each
issued briefing is archived with the figures as they read that Monday, and its audit rows
carry that day. Last week's briefing is left as the job drafts it, for the office to write.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from oreledger.accounts.choices import Role
from oreledger.accounts.models import User
from oreledger.briefings import services
from oreledger.briefings.models import Briefing
from oreledger.briefings.sections import Week
from oreledger.core.localtime import LOCAL, local_midnight

HOUR = datetime.timedelta(hours=1)
WEEK = datetime.timedelta(days=7)

# (leader's remarks, next week's priorities) of the issued weeks, oldest first.
NARRATIVES = [
    (
        "各专班按节点推进，矿山整合和反射窑淘汰进展较快。个别县数据上报不及时，"
        "请县级分平台落实专人，每周五前完成数据确认。",
        "一、督促滞后任务制定追赶计划；二、开展磅单与合同核对专项检查；"
        "三、对未按期确认数据的县进行通报。",
    ),
    (
        "本周平台交易量保持平稳，价格指数小幅上行。联合执法组查处越界开采线索，"
        "整改通知书须按期销号，逾期的由专班牵头部门约谈。",
        "一、完成轻烧窑改造验收准备；二、推进企业体检问题整改；三、梳理企业诉求，限时答复。",
    ),
    (
        "上周预警处置总体及时，仍有案件未结。各县要对照考核指标，补齐分平台经费和人员，"
        "确保数据按时上报，任务按节点完成。",
        "一、对有风险和逾期任务逐项督办；二、做好季度考核数据核对；三、组织下周调度会汇报材料。",
    ),
]


@contextmanager
def _clock(at: datetime.datetime) -> Iterator[None]:
    """The services' clock set to a moment of the demo's past (demo seeding only)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _office() -> User | None:
    """The province office's person who issues the briefing (the demo's `province_office`)."""
    offices = User.objects.filter(role=Role.PROVINCE_OFFICE, region__parent__isnull=True)
    return (
        offices.filter(username="province_office").first() or offices.order_by("username").first()
    )


def create_demo_briefings(*, now: datetime.datetime) -> dict[str, int]:
    """The province's briefings of the three weeks before last issued, last week's a draft."""
    office = _office()
    if office is None or Briefing.objects.exists():
        return {"issued": 0, "drafts": 0}
    region = services.top_region()
    today = now.astimezone(LOCAL).date()
    last = Week.of(today - WEEK)
    issued = 0
    for n, (remarks, priorities) in enumerate(NARRATIVES):
        week = Week.of(last.monday - (len(NARRATIVES) - n) * WEEK)
        monday = local_midnight(week.sunday + datetime.timedelta(days=1))
        with _clock(monday + 8 * HOUR):
            briefing = services.draft_briefing(actor=None, region=region, week=week)
        with _clock(monday + 9 * HOUR + 20 * datetime.timedelta(minutes=1)):
            services.update_narrative(
                actor=office, briefing=briefing, remarks=remarks, priorities=priorities
            )
        with _clock(monday + 10 * HOUR + 5 * datetime.timedelta(minutes=1)):
            services.issue_briefing(actor=office, briefing=briefing)
        issued += 1
    # Last week's draft, as the Monday job made it this week (or now, before 08:00 Monday).
    with _clock(min(now, local_midnight(last.sunday + datetime.timedelta(days=1)) + 8 * HOUR)):
        services.draft_briefing(actor=None, region=region, week=last)
    return {"issued": issued, "drafts": 1}
