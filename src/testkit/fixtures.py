"""pytest fixtures shared by every app: personas, and a real Chromium for browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import global_settings
from django.test import override_settings
from django.utils import translation

from testkit.personas import Province, build_province

CHROMIUM = os.environ.get("OL_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing() -> Iterator[None]:
    """Passwords set in tests are hashed with MD5: the default PBKDF2 (a million rounds, about
    a second on a busy CI core) made every `world` cost five seconds. The default hashers
    stay listed after it, so a password hashed the production way still verifies."""
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            *global_settings.PASSWORD_HASHERS,
        ]
    ):
        yield


@pytest.fixture(autouse=True)
def _checkpoints_apart(settings: Any, tmp_path_factory: Any) -> None:
    """Each test keeps its chain-head checkpoints to itself: the var directory's own (a demo's
    on this machine) would be compared with the test database's chains."""
    settings.OL_CHECKPOINT_DIR = tmp_path_factory.mktemp("checkpoints")


@pytest.fixture(autouse=True)
def _second_factor_optional(settings: Any) -> None:
    """Officials are not made to enrol an authenticator unless a test asks for it (a test of
    sign-in sets OL_REQUIRE_SECOND_FACTOR back on); a person who has one is still asked."""
    settings.OL_REQUIRE_SECOND_FACTOR = False


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Each test starts in the site's language: a request or `activate` in one test leaves its
    language active on the thread (LocaleMiddleware does not reset it), and the next test
    would read English messages."""
    yield
    translation.deactivate()


@pytest.fixture
def world(db: Any) -> Province:
    """The two-county province with its personas."""
    return build_province()


@pytest.fixture
def world_tx(transactional_db: Any) -> Province:
    """The same province, committed, for tests that use real transactions or processes."""
    return build_province()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (its own browser download is not used)."""
    # why: only browser tests pay for loading Playwright (every run loads this plugin).
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are
    # still synchronous, so Django's async-safety guard must be told so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A fresh Chinese-locale browser tab; `page.base_url` is the live server."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()
