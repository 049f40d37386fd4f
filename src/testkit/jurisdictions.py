"""The access matrix's people: one of every role inside and outside the Dashiqiao records.

The sweep's world (testkit/sweep.py) holds one Dashiqiao record of every kind. Rather than
build every record twice, the matrix varies the person: "inside" is the role's Dashiqiao
member (the record's county, department, enterprise or station), "outside" the same role in
Haicheng. The province office and the anonymous visitor have one side only.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from django.db import connections
from django.test import Client, override_settings
from rest_framework.test import APIClient

from oreledger.accounts.models import User
from oreledger.accounts.services import issue_api_token
from oreledger.accounts.tests.factories import UserFactory, department
from oreledger.registry.tests.factories import EnterpriseFactory
from oreledger.weighing.signing import signed_headers
from testkit.sweep import Dashiqiao


@dataclass(frozen=True)
class Column:
    """One column of the matrix: a role on one side of the record's jurisdiction."""

    key: str
    label_zh: str
    label_en: str


COLUMNS: tuple[Column, ...] = (
    Column("province", "省办", "province office"),
    Column("county_in", "县区操作员（本辖区）", "county operator (inside)"),
    Column("county_out", "县区操作员（外辖区）", "county operator (outside)"),
    Column("department_in", "部门人员（本辖区）", "department officer (inside)"),
    Column("department_out", "部门人员（外辖区）", "department officer (outside)"),
    Column("mine_in", "矿山企业用户（本企业）", "mine enterprise user (own)"),
    Column("mine_out", "矿山企业用户（他企业）", "mine enterprise user (other)"),
    Column("plant_in", "加工企业用户（本企业）", "plant enterprise user (own)"),
    Column("plant_out", "加工企业用户（他企业）", "plant enterprise user (other)"),
    Column("haulier_in", "运输企业用户（本辖区）", "haulier user (inside)"),
    Column("haulier_out", "运输企业用户（外辖区）", "haulier user (outside)"),
    Column("station_in", "磅站（本矿）", "station (the record's)"),
    Column("station_out", "磅站（他矿）", "station (another mine's)"),
    Column("anonymous", "未登录访客", "anonymous visitor"),
)
KEYS = tuple(column.key for column in COLUMNS)


@dataclass
class People:
    """The persona (user or station) behind each column, and a client for each of them."""

    dsq: Dashiqiao
    users: dict[str, User] = field(default_factory=dict)
    stations: dict[str, tuple[str, str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    pages: dict[str, Client] = field(default_factory=dict)
    apis: dict[str, APIClient] = field(default_factory=dict)

    def send(self, column: str, method: str, url: str, *, api: bool, **extra: Any) -> Any:
        """The request of one cell, made as the column's persona."""
        if column in self.stations:
            return self._signed(column, method, url, **extra)
        client: Any = self.apis[column] if api else self.pages[column]
        # why: a cell that signs out (or in) must not change who sends the next cell.
        cookies = copy.copy(client.cookies)
        try:
            if method == "GET":
                return client.get(url, **extra)
            if api:
                return client.generic(method, url, json.dumps(WRITE_BODY),
                                      content_type="application/json", **extra)  # fmt: skip
            return client.generic(method, url, urlencode(WRITE_BODY),
                                  content_type="application/x-www-form-urlencoded",
                                  **extra)  # fmt: skip
        finally:
            client.cookies = cookies

    def _signed(self, column: str, method: str, url: str, **extra: Any) -> Any:
        code, secret = self.stations[column]
        body = b"" if method == "GET" else json.dumps(WRITE_BODY).encode()
        path = url.split("?", 1)[0]
        headers = signed_headers(code, secret, method, path, body)
        meta: dict[str, Any] = {f"HTTP_{k.upper().replace('-', '_')}": v
                                for k, v in headers.items()}  # fmt: skip
        # why: one client per station, with no cookies: a new Client loads the middleware
        # chain again (whitenoise scans the static files), ten times the request itself.
        client = self.pages[column]
        client.cookies.clear()
        return client.generic(method, url, body, content_type="application/json",
                              **meta, **extra)  # fmt: skip


# What a write would send if the permission let it through: enough for most forms to parse,
# so that a refusal is the permission's and not the parser's.
WRITE_BODY = {
    "note": "越权操作",
    "reason": "越权操作",
    "text": "越权操作",
    "resolution": "false_positive",
    "decision": "approve",
    "override_reason": "越权操作",
    "blacklist_reason": "越权操作",
    "status": "suspended",
    "amount": "1",
    "fine_yuan": "1000",
}


def _user(username: str, **attrs: Any) -> User:
    return cast(User, UserFactory(username=username, **attrs))


def gather_people(dsq: Dashiqiao) -> People:
    """One persona per column, with a logged-in page client and an API token each."""
    world = dsq.world
    market = dsq.market
    haicheng_haulier = EnterpriseFactory(name="海城市顺达运输有限公司", kind="haulier",
                                         region=world.haicheng)  # fmt: skip
    dashiqiao_haulier = EnterpriseFactory(name="大石桥市通远运输有限公司", kind="haulier",
                                          region=world.dashiqiao)  # fmt: skip
    dsq_officer = _user("dashiqiao_department", role="department_officer",
                        region=world.dashiqiao,
                        department=department("natural_resources", world.dashiqiao),
                        display_name="大石桥自然资源局 钱进")  # fmt: skip
    users = {
        "province": world.user("province_officer"),
        "county_in": world.user("dashiqiao_operator"),
        "county_out": world.user("haicheng_operator"),
        "department_in": dsq_officer,
        "department_out": world.user("department_officer"),
        "mine_in": dsq.appeal.raised_by,
        "mine_out": world.user("enterprise_user"),
        "plant_in": market.rival_user,
        "plant_out": market.buyer_user,
        "haulier_in": _user("dashiqiao_haulier", role="enterprise_user", region=world.dashiqiao,
                            enterprise=dashiqiao_haulier, display_name="通远 吴师傅"),
        "haulier_out": _user("haicheng_haulier", role="enterprise_user", region=world.haicheng,
                             enterprise=haicheng_haulier, display_name="顺达 郑师傅"),
    }  # fmt: skip
    people = People(dsq, users=users)
    people.stations = {"station_in": dsq.exit_station, "station_out": dsq.haicheng_station}
    for key in KEYS:
        page, api = Client(), APIClient()
        if key in users:
            # Built once per module, before the suite's per-test switch turns the second factor
            # off: the matrix is about jurisdiction, so its officials sign in without one.
            with override_settings(OL_REQUIRE_SECOND_FACTOR=False):
                page.force_login(users[key])
            token = issue_api_token(actor=None, user=users[key])
            api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        people.pages[key], people.apis[key] = page, api
    return people


# Tables a refused request may write: the session (Django saves it when a view touches it),
# the record of the caller's own signed-in session, the token's last use and the rate windows.
HOUSEKEEPING = (
    "django_session",
    "accounts_signedinsession",
    "accounts_apitoken",
    "core_ratewindow",
)
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@contextmanager
def watching_writes() -> Iterator[list[str]]:
    """The write statements the database receives inside the block (housekeeping left out).

    Cheaper and stricter than comparing table digests: a refusal must not write at all,
    even a write that a later statement undoes.
    """
    written: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                context: Any) -> Any:  # fmt: skip
        statement = sql.lstrip().upper()
        if statement.startswith(WRITE_VERBS) and not any(t in sql for t in HOUSEKEEPING):
            written.append(sql[:160])
        return execute(sql, params, many, context)

    with connections["default"].execute_wrapper(wrapper):
        yield written
