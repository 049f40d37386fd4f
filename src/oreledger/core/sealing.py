"""Secrets at rest: AES-256-GCM under a key derived from the platform's secret.

The key is `OL_SECRETS_KEY` when set (so that rotating Django's SECRET_KEY does not lock
every weighbridge out), else derived from SECRET_KEY with HKDF. Each sealed value is bound
to its purpose, so a value cannot be replayed in another column. Secrets are never logged.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_NONCE_BYTES = 12
_VERSION = "v1"


def _key() -> bytes:
    material = os.environ.get("OL_SECRETS_KEY") or getattr(settings, "OL_SECRETS_KEY", None)
    return _derived((material or settings.SECRET_KEY).encode())


# Every signed station request opens its station's secret: the derivation is done once per
# key material, not once per request (keyed by the material, so a new key takes effect).
@functools.lru_cache(maxsize=4)
def _derived(source: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"oreledger-secrets",
        info=b"station-secret-encryption",
    ).derive(source)


def seal(plain: str, purpose: bytes) -> str:
    """The stored form: "v1:" + base64(nonce ‖ ciphertext ‖ tag)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key()).encrypt(nonce, plain.encode(), purpose)
    return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(stored: str, purpose: bytes) -> str:
    """The secret back from its stored form; raises ValueError if tampered or mis-keyed."""
    version, _sep, body = stored.partition(":")
    if version != _VERSION or not body:
        raise ValueError("unknown secret format")
    raw = base64.urlsafe_b64decode(body.encode())
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    try:
        return AESGCM(_key()).decrypt(nonce, sealed, purpose).decode()
    except Exception as exc:  # InvalidTag carries nothing worth showing
        raise ValueError("the secret cannot be decrypted with this key") from exc


def key_fingerprint(secret_key: str | None = None) -> str:
    """A short digest of the sealing key (or of the one a given SECRET_KEY would give): a
    restored backup tells whether its station secrets open."""
    key = _key() if secret_key is None else _derived(secret_key.encode())
    return hashlib.sha256(b"oreledger-sealing-fingerprint" + key).hexdigest()[:16]
