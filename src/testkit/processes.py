"""Running oreledger commands as real processes against the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

from django.db import connection


def test_database_url() -> str:
    """A DATABASE_URL that points a child process at the database this test uses."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child oreledger process on the test database."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = test_database_url()
    env.update(overrides)
    return env


def start(*args: str, **popen: Any) -> subprocess.Popen[bytes]:
    """Start `oreledger <args>` as a child process."""
    return subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "oreledger", *args], **popen
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
