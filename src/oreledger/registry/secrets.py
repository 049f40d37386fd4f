"""Station secrets: new ones, and their stored form (sealed at rest by `core.sealing`)."""

from __future__ import annotations

import secrets as _random

from oreledger.core.sealing import seal, unseal

# Binds each ciphertext to its purpose, so a value cannot be replayed in another column.
_AAD = b"oreledger.registry.station-secret"


def new_secret() -> str:
    """A fresh station signing secret (256 bits, URL-safe)."""
    return _random.token_urlsafe(32)


def encrypt(plain: str) -> str:
    """The stored form of a station secret."""
    return seal(plain, _AAD)


def decrypt(stored: str) -> str:
    """The station secret back from its stored form; ValueError if tampered or mis-keyed."""
    return unseal(stored, _AAD)
