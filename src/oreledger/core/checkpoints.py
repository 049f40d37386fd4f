"""Chain-head checkpoints kept outside the database: each quota account's and each station's
chain head, signed daily into the var directory and compared by `verify-ledger` and
`verify-chain`.

Someone who can write to the database can rewrite a chain and its head together; they cannot
rewrite yesterday's signed file beside the process (the key is not in the database), so the
verify commands name where today's chain departs from the heads it had then. The federation
carries the same files to the hub (`checkpoint_files`).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from oreledger.core.localtime import local_day

# A chain's heads: its key (an account id, a station code) → (entries in it, the last hash).
Heads = dict[str, tuple[int, str]]

_CHAINS: dict[str, Callable[[], Heads]] = {}
VERSION = 1


def register_chain(name: str, heads: Callable[[], Heads]) -> None:
    """Have the daily checkpoint keep the heads of one kind of chain (from an app's ready())."""
    _CHAINS[name] = heads


def _directory() -> Path:
    return Path(settings.OL_CHECKPOINT_DIR)


def sign(text: str) -> str:
    """HMAC-SHA256 of a checkpoint's canonical text under the ledger key."""
    key = settings.OL_LEDGER_KEY.encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _canonical(body: dict) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def write_checkpoint(*, now: datetime.datetime | None = None) -> Path:
    """Write today's signed checkpoint of every registered chain's heads; its path."""
    now = now or timezone.now()
    chains = {name: {k: list(v) for k, v in heads().items()} for name, heads in _CHAINS.items()}
    body = {
        "version": VERSION,
        "node": settings.OL_NODE_CODE,
        "taken_at": now.astimezone(datetime.UTC).isoformat(),
        "chains": chains,
    }
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{local_day(now):%Y-%m-%d}.json"
    text = json.dumps({"checkpoint": body, "signature": sign(_canonical(body))}, indent=1)
    # Written beside, then renamed: a reader never sees half a checkpoint.
    partial = path.with_suffix(".part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path


@dataclass(frozen=True)
class Checkpoint:
    """One day's signed chain heads, read back and verified."""

    path: Path
    taken_at: datetime.datetime
    chains: dict[str, Heads]

    @property
    def name(self) -> str:
        """How a report names it: its file's day."""
        return self.path.stem


class CheckpointForged(ValueError):
    """A checkpoint file whose signature does not verify under the ledger key."""


def read_checkpoint(path: Path) -> Checkpoint:
    """A checkpoint file, its signature verified (CheckpointForged if it does not)."""
    stored = json.loads(path.read_text(encoding="utf-8"))
    body = stored.get("checkpoint") or {}
    if not hmac.compare_digest(sign(_canonical(body)), str(stored.get("signature", ""))):
        raise CheckpointForged(f"checkpoint {path.name}: the signature does not verify")
    chains = {
        name: {key: (int(n), str(h)) for key, (n, h) in heads.items()}
        for name, heads in body["chains"].items()
    }
    return Checkpoint(path, datetime.datetime.fromisoformat(body["taken_at"]), chains)


def checkpoint_files() -> list[Path]:
    """Every checkpoint file kept, oldest first (what the federation carries to the hub)."""
    directory = _directory()
    return sorted(directory.glob("*.json")) if directory.exists() else []


def checkpoints() -> list[Checkpoint]:
    """Every checkpoint kept, oldest first, each verified (CheckpointForged on a bad one)."""
    return [read_checkpoint(path) for path in checkpoint_files()]


@dataclass(frozen=True)
class Departure:
    """Where a chain no longer holds the head a checkpoint signed."""

    chain: str
    key: str
    entry: int
    detail: str


def compare(
    chain: str, hashes_at: Callable[[dict[str, set[int]]], dict[str, dict[int, str]]]
) -> list[Departure]:
    """Each chain of the kind that departs from a checkpointed head, at the earliest one.

    `hashes_at({key: positions})` answers, per key, the hash stored now at each position
    (absent where the chain is shorter). Between the last checkpoint that still holds and
    the first that does not lies the first entry that differs; both bounds are named.
    """
    kept = checkpoints()
    wanted: dict[str, set[int]] = {}
    for checkpoint in kept:
        for key, (length, _head) in checkpoint.chains.get(chain, {}).items():
            if length:
                wanted.setdefault(key, set()).add(length)
    if not wanted:
        return []
    now = hashes_at(wanted)
    departures: list[Departure] = []
    for key in sorted(wanted):
        held = 0
        for checkpoint in kept:
            length, expected = checkpoint.chains.get(chain, {}).get(key, (0, ""))
            if not length:
                continue
            stored = now.get(key, {}).get(length)
            if stored == expected:
                held = max(held, length)
                continue
            what = "is missing" if stored is None else "differs"
            departures.append(
                Departure(
                    chain,
                    key,
                    length,
                    f"entry #{length} {what} from the checkpoint of {checkpoint.name}; the first"
                    f" changed entry lies after #{held} and at or before #{length}",
                )
            )
            break
    return departures
