"""Fixtures of the portal's tests."""

import pytest
from django.core.cache import caches

from oreledger.public.tests.portal import Portal, build_portal


@pytest.fixture(autouse=True)
def _fresh_answers() -> None:
    """Each test starts with no cached answer (the cache outlives a test's transaction)."""
    caches["public"].clear()


@pytest.fixture
def portal(world) -> Portal:
    return build_portal(world)
