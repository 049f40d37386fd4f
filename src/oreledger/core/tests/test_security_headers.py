"""The security headers and settings stay as they are: a strict CSP with no inline script,
HSTS and Secure cookies in production, HttpOnly and SameSite everywhere, no debug pages but
by a developer's explicit switch."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

from testkit.personas import PASSWORD

PACKAGE = Path(__file__).resolve().parents[2]
# An inline script: a <script> element without src= (JSON data blocks execute nothing).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
    "for k in ('DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
    " 'CSRF_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE',"
    " 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',"
    " 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'SECURE_PROXY_SSL_HEADER')}))"
)


def _settings_of(tmp_path: Path, **env: str) -> dict[str, Any]:
    dropped = ("DEBUG", "OL_DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    child = {k: v for k, v in os.environ.items() if k not in dropped and k != "OL_MODE"}
    child.update(OL_VAR_DIR=str(tmp_path), **env)
    done = subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-m", "oreledger", "shell", "--no-imports", "-c", SHOW],
        env=child,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_production_sends_hsts_and_secure_cookies_only(tmp_path: Path) -> None:
    # given the production configuration
    production = _settings_of(
        tmp_path,
        OL_MODE="production",
        SECRET_KEY="k" * 20 + "x9Y!z" * 8,
        ALLOWED_HOSTS="ledger.example",
    )
    # then HTTPS is enforced for a year with its subdomains, and no cookie goes out in clear
    assert production == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_production_refuses_the_debug_switch(tmp_path: Path) -> None:
    # given production with the developer's switch on
    dropped = ("DEBUG", "OL_DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        OL_MODE="production",
        SECRET_KEY="k" * 20 + "x9Y!z" * 8,
        ALLOWED_HOSTS="ledger.example",
        OL_VAR_DIR=str(tmp_path),
        OL_DEBUG="true",
    )
    # when it starts
    done = subprocess.run(
        [sys.executable, "-m", "oreledger", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then it refuses, naming the setting
    assert done.returncode != 0
    assert "OL_DEBUG must be false when OL_MODE=production" in done.stderr


def test_the_test_run_itself_has_no_debug_pages() -> None:
    # then DEBUG is off here too (only OL_DEBUG=true turns it on, see test_deploy_settings)
    assert settings.DEBUG is False


def test_every_page_carries_the_strict_headers(world: Any) -> None:
    # given the sign-in page and a signed-in page
    anonymous = world.client("anonymous").get("/accounts/login/")
    signed_in = world.client("province_officer").get("/")
    for answer in (anonymous, signed_in):
        # then the CSP allows scripts only from the site itself, no inline script, no frames
        csp = dict(
            (part.split()[0], part.split()[1:])
            for part in answer["Content-Security-Policy"].split(";")
            if part.strip()
        )
        assert csp["script-src"] == ["'self'"]
        assert csp["default-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in answer["Content-Security-Policy"]
        assert "'unsafe-eval'" not in answer["Content-Security-Policy"]
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert answer["X-Frame-Options"] == "DENY"
        assert answer["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_and_samesite(world: Any) -> None:
    # given a person signing in
    client = world.client("anonymous")
    client.get("/accounts/login/")
    answer = client.post(
        "/accounts/login/",
        {"username": world.user("province_officer").username, "password": PASSWORD},
    )
    # then the session cookie cannot be read by a script nor sent from another site
    cookie = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert answer.status_code == 302
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert client.cookies[settings.CSRF_COOKIE_NAME]["httponly"] is True


def test_no_template_holds_an_inline_script_or_event_handler() -> None:
    # given every template of the platform
    templates = sorted(PACKAGE.glob("*/templates/**/*.html"))
    # when they are searched for script the CSP would block
    found = [
        f"{path.relative_to(PACKAGE)}: {match.group(0)}"
        for path in templates
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER)
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    # then there is none, so the strict CSP costs no page its behaviour
    assert found == []
    assert len(templates) > 50
