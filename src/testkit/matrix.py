"""The permission matrix: one call checks every persona against one request.

For each persona the expected status must match exactly, and a refused request (any 4xx,
or a redirect to the login page) must leave the watched tables exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models
from django.http import HttpResponse

from oreledger.core.models import ObjectChange
from testkit.personas import PERSONAS, Province


def fingerprint(watched: Iterable[type[models.Model]]) -> str:
    """A digest of every row of the watched models and of the audit trail."""
    digest = hashlib.sha256()
    models_to_read: list[type[models.Model]] = [*watched, ObjectChange]
    for model in models_to_read:
        rows = list(model._default_manager.order_by("pk").values())
        digest.update(json.dumps(rows, default=str, sort_keys=True).encode())
    return digest.hexdigest()


def refused(response: HttpResponse) -> bool:
    """A 4xx, or the login redirect an anonymous visitor gets."""
    if 400 <= response.status_code < 500:
        return True
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return "/accounts/login/" in location


def check_matrix(
    world: Province,
    send: Callable[[Any], HttpResponse],
    expected: Mapping[str, int],
    *,
    api: bool = False,
    watch: Iterable[type[models.Model]] = (),
) -> dict[str, HttpResponse]:
    """Send the request as every persona; assert each status and that refusals change nothing.

    `send(client)` makes the request with the given client. `expected` names a status for
    every persona of PERSONAS (no persona may be forgotten).
    """
    missing = set(PERSONAS) - set(expected)
    assert not missing, f"the matrix must cover every persona; missing {sorted(missing)}"
    watched = list(watch)
    responses = {}
    for name in PERSONAS:
        client = world.api(name) if api else world.client(name)
        before = fingerprint(watched)
        response = send(client)
        responses[name] = response
        assert response.status_code == expected[name], (
            f"{name}: expected {expected[name]}, got {response.status_code}"
        )
        if refused(response):
            assert fingerprint(watched) == before, f"{name}: a refused request changed data"
    return responses
