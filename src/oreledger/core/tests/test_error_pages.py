"""The error pages are the product's own, in zh-Hans first and English, and leak nothing."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings

from oreledger.core import error_pages

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
# What Django's technical pages show and a product page never does.
TECHNICAL = (
    "Traceback",
    "URLconf",
    "Request Method",
    "Django tried these URL patterns",
    "DEBUG = True",
    "Local vars",
    "RuntimeError",
    "s3cr3t-station-key",
)


def _text(response: Any) -> str:
    text: str = response.content.decode()
    for leak in TECHNICAL:
        assert leak not in text, leak
    return text


def test_404_in_chinese_and_english_with_the_way_back(world) -> None:
    # given a county operator who followed a link from the enterprise list
    client = world.client("haicheng_operator")
    came_from = {"HTTP_REFERER": "http://testserver/registry/enterprises/"}
    # when the page does not exist
    zh = client.get("/no/such/page/", **came_from)
    en = client.get("/no/such/page/", **came_from, **ENGLISH)
    # then the product's page says so in the person's language, with the menu and two ways back
    assert (zh.status_code, en.status_code) == (404, 404)
    zh_text, en_text = _text(zh), _text(en)
    assert "未找到" in zh_text and "您的管辖范围内没有此页面或记录。" in zh_text
    assert "Not found" in en_text
    assert "There is no such page or record in your jurisdiction." in en_text
    assert 'href="http://testserver/registry/enterprises/"' in zh_text
    assert "返回上一页" in zh_text and "返回首页" in zh_text
    assert 'class="sidebar"' in zh_text


def test_403_in_chinese_and_english(world) -> None:
    # given the province office, which is not an administrator
    client = world.client("province_officer")
    # when it opens the administrators' jobs page
    zh, en = client.get("/system/jobs/"), client.get("/system/jobs/", **ENGLISH)
    # then it is refused on the product's page
    assert (zh.status_code, en.status_code) == (403, 403)
    assert "无权操作" in _text(zh) and "您无权打开此页面或执行此操作。" in _text(zh)
    assert "You are not allowed to open this page or take this action." in _text(en)


def test_a_403_is_logged_as_one_line_without_a_traceback(world, caplog) -> None:
    # given the province office refused the administrators' jobs page
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = world.client("province_officer").get("/system/jobs/")
    # then the log has the refusal's line and no traceback
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in refusals] == ["Forbidden (Permission denied): /system/jobs/"]
    assert refusals[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_400_for_a_foreign_host_in_chinese_and_english() -> None:
    # given a request addressed to a host this platform does not serve
    client = Client(HTTP_HOST="ledger.attacker.example")
    # then it is refused as a bad request on the product's page
    zh, en = client.get("/"), client.get("/", **ENGLISH)
    assert (zh.status_code, en.status_code) == (400, 400)
    assert "请求无效" in _text(zh) and "返回首页" in _text(zh)
    assert "The request could not be understood." in _text(en)


def test_an_expired_form_is_explained_in_chinese_and_english(world) -> None:
    # given a logged-in person whose form carries no valid CSRF token (an old tab)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("haicheng_operator"))
    # when the form is sent
    zh = client.post("/accounts/logout/")
    en = client.post("/accounts/logout/", **ENGLISH)
    # then the product's page explains what to do, and nothing happened (still logged in)
    assert (zh.status_code, en.status_code) == (403, 403)
    assert "表单已失效" in _text(zh) and "请返回并刷新页面后重新提交。" in _text(zh)
    assert "Go back, reload the page and send the form again." in _text(en)
    assert client.get("/").status_code == 200


@override_settings(ROOT_URLCONF="oreledger.core.tests.urls_failing")
def test_500_leaks_nothing_in_chinese_and_english(world) -> None:
    # given a page that fails with a secret in its local variables
    client = world.client("haicheng_operator")
    client.raise_request_exception = False
    # when it is opened
    zh, en = client.get("/boom/"), client.get("/boom/", **ENGLISH)
    # then the person sees the product's page, without the exception or its variables
    assert (zh.status_code, en.status_code) == (500, 500)
    assert "服务器错误" in _text(zh) and "错误已记入服务器日志" in _text(zh)
    assert "Server error" in _text(en) and "written to the server log" in _text(en)
    assert "/static/core/app.css" in _text(zh)


def test_the_500_page_does_not_touch_the_database(django_assert_num_queries) -> None:
    # given a failure that may be the database itself
    request = RequestFactory().get("/registry/enterprises/")
    # then the page is rendered without a single query
    with django_assert_num_queries(0):
        response = error_pages.server_error(request)
    assert response.status_code == 500
    assert "500" in _text(response)


@override_settings(ROOT_URLCONF="oreledger.core.tests.urls_failing")
def test_api_errors_are_the_documented_error_body(world) -> None:
    # given an API client
    api = world.api("haicheng_operator")
    api.raise_request_exception = False
    # when it asks for a route that does not exist, and one that fails
    missing = api.get("/api/v1/no-such-thing", **ENGLISH)
    failed = api.get("/api/v1/boom")
    # then both answer {"error": {"code", "message"}}, the 500 without any detail
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    assert missing.json()["error"]["message"] == (
        "There is no such page or record in your jurisdiction."
    )
    assert (failed.status_code, failed.json()["error"]["code"]) == (500, "server_error")
    assert "错误已记入服务器日志" in failed.json()["error"]["message"]
    assert "s3cr3t" not in failed.content.decode()


def test_404_for_someone_not_logged_in_speaks_of_no_jurisdiction() -> None:
    zh = Client().get("/no/such/page/")
    en = Client().get("/no/such/page/", **ENGLISH)
    assert (zh.status_code, en.status_code) == (404, 404)
    assert "没有此页面。" in _text(zh) and "管辖范围" not in _text(zh)
    assert "There is no such page." in _text(en)
