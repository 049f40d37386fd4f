"""Typed readers of the process environment that fail loudly on bad values."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# The getters below are named after the types they return; these aliases keep the builtin
# types nameable inside the class body.
Text = str
Number = int
Flag = bool
Texts = list[str]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """A view of the environment with one typed getter per kind of setting."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def _raw(self, name: Text) -> Text | None:
        value = self._environ.get(name)
        return None if value is None else value.strip()

    def str(
        self, name: Text, default: Text | None = None, *, choices: tuple[Text, ...] = ()
    ) -> Text:
        """A required string (or the default); refused when outside `choices`."""
        value = self._raw(name)
        if value is None or value == "":
            if default is None:
                raise ImproperlyConfigured(f"{name} must be set")
            value = default
        if choices and value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}")
        return value

    def optional_str(self, name: Text) -> Text | None:
        """A string that may be absent."""
        value = self._raw(name)
        return value or None

    def bool(self, name: Text, default: Flag) -> Flag:
        """true/false, yes/no, on/off or 1/0; anything else is a configuration error."""
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")

    def int(self, name: Text, default: Number, *, minimum: Number | None = None) -> Number:
        """A whole number, optionally with a lower bound."""
        value = self._raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
        return number

    def list(self, name: Text, default: Texts) -> Texts:
        """A comma-separated list; blanks dropped."""
        value = self._raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def database(
        self, name: Text, default_sqlite_path: os.PathLike[Text] | Text
    ) -> dict[Text, Any]:
        """A Django DATABASES entry from a URL; SQLite under var/ when unset."""
        url = self._raw(name)
        if not url:
            return sqlite_database(str(default_sqlite_path))

        try:
            config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        except (ValueError, KeyError) as exc:
            raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from None
        engine = str(config.get("ENGINE", ""))
        if engine.endswith("sqlite3"):
            return sqlite_database(str(config["NAME"]))
        if not engine.endswith("postgresql"):
            raise ImproperlyConfigured(f"{name}: only postgres:// and sqlite:// are supported")
        # Django binds client-side and never prepares; psycopg would then refuse even an
        # explicit prepare=True. The few hot statements that ask (quotas.ledger) get prepared;
        # nothing is prepared automatically (the threshold is never reached). Off behind a
        # transaction-mode pooler that cannot keep prepared statements.
        options: dict[str, Any] = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        if self.bool("OL_DB_PREPARE", True):
            options.setdefault("prepare_threshold", 2**31 - 1)
        config["OPTIONS"] = options
        return config


def debug_mode(env: Env, *, production: bool) -> bool:
    """Django's DEBUG: off unless a developer sets OL_DEBUG=true, and never in production.

    Debug pages list every URL pattern and show tracebacks with local variables, so they are
    off in every mode someone else may reach, the embedded mode and the demo included. A
    DEBUG variable (read before OL_DEBUG existed) is refused rather than silently ignored.
    """
    if env.optional_str("DEBUG") is not None:
        raise ImproperlyConfigured("DEBUG is not read: set OL_DEBUG=true for debug pages")
    debug = env.bool("OL_DEBUG", default=False)
    if production and debug:
        raise ImproperlyConfigured("OL_DEBUG must be false when OL_MODE=production")
    return debug


def sqlite_database(path: str) -> dict[str, Any]:
    """SQLite tuned for a platform: WAL, IMMEDIATE writes, a busy timeout instead of errors."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # IMMEDIATE takes the write lock at BEGIN so two writers queue on the busy timeout
        # instead of one failing with "database is locked" on lock upgrade.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=30000;"
                "PRAGMA foreign_keys=ON;"
            ),
        },
        "TEST": {"NAME": str(_test_sqlite_path(path))},
    }


def _test_sqlite_path(path: str) -> str:
    # A file (not :memory:) so that concurrency tests see real separate connections.
    base, _, _ = path.rpartition(".")
    return f"{base or path}-test.sqlite3"
