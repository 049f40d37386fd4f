"""Backups: the database, uploaded files and key material in one passphrase-encrypted archive.

An archive is a tar stream (manifest.json, the database, keys/, media/) encrypted with
AES-256-GCM in 1 MiB segments under a key derived from the passphrase with scrypt. The
segments follow the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015): each
nonce is a random prefix, the segment's counter and a last-segment flag, and every segment
authenticates the header, so a reordered, truncated or altered archive does not decrypt.

The database is copied from one snapshot while the platform keeps writing: SQLite's online
backup API, or `pg_dump` in the custom format under a snapshot exported by the transaction
that counted the rows. The manifest's counts are of that same snapshot, and restore checks
every table against them.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connections
from django.utils import timezone

from oreledger.core.localtime import LOCAL
from oreledger.core.sealing import key_fingerprint

logger = logging.getLogger(__name__)

FORMAT = 1
_MAGIC = b"OLBACKUP"
_SEGMENT = 1 << 20
_TAG = 16
_SALT = 16
_PREFIX = 7
# scrypt at 2**17 × 8: 128 MiB and about half a second per backup, a guessed passphrase too.
_SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P = 17, 8, 1
_HEADER = struct.Struct(f">8sBBBB{_SALT}s{_PREFIX}s")
_NAME_PREFIX = "oreledger-"
_NAME_SUFFIX = ".olbackup"

# Key material kept outside the database (files), by name in the archive; apps register theirs.
_KEY_FILES: dict[str, Callable[[], Path]] = {
    "secret_key": lambda: Path(settings.VAR_DIR) / "secret_key",
    # Keys the quota ledger's hashes and signs the chain-head checkpoints: without it a
    # restored ledger cannot be verified.
    "ledger_key": lambda: Path(settings.OL_LEDGER_KEY_FILE),
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def read_passphrase(path: Path | None, *, confirm: bool) -> str:
    """The archive's passphrase: from a file, else OL_BACKUP_PASSPHRASE, else asked twice."""
    if path is not None:
        return path.read_text(encoding="utf-8").rstrip("\n")
    if os.environ.get("OL_BACKUP_PASSPHRASE"):
        return os.environ["OL_BACKUP_PASSPHRASE"]
    passphrase = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("Passphrase again: ") != passphrase:
        raise BackupError("the two passphrases differ")
    return passphrase


def register_key_file(name: str, path: Callable[[], Path]) -> None:
    """Add a file of key material that lives outside the database (from an AppConfig.ready)."""
    _KEY_FILES[name] = path


# --- encryption ---------------------------------------------------------------------------


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    if not passphrase:
        raise BackupError("an empty passphrase protects nothing")
    return Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p).derive(passphrase.encode())


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class _Sealer(io.RawIOBase):
    """A write-only stream that encrypts what it is given, segment by segment, into `out`."""

    def __init__(self, out: IO[bytes], passphrase: str) -> None:
        super().__init__()
        salt, prefix = os.urandom(_SALT), os.urandom(_PREFIX)
        self._header = _HEADER.pack(
            _MAGIC, FORMAT, _SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P, salt, prefix
        )
        self._aead = AESGCM(_derive(passphrase, salt, _SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P))
        self._prefix, self._out, self._buffer, self._counter = prefix, out, bytearray(), 0
        out.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer.extend(data)
        # Keep at least one byte back: the last segment is sealed as last only at close.
        while len(self._buffer) > _SEGMENT:
            self._seal(bytes(self._buffer[:_SEGMENT]), last=False)
            del self._buffer[:_SEGMENT]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._out.write(self._aead.encrypt(nonce, plain, self._header))
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class _Opener(io.RawIOBase):
    """A read-only stream of the plaintext of an archive; BackupError if it was altered."""

    def __init__(self, source: IO[bytes], passphrase: str) -> None:
        super().__init__()
        header = source.read(_HEADER.size)
        if len(header) < _HEADER.size or not header.startswith(_MAGIC):
            raise BackupError("not an oreledger backup")
        _magic, version, log2_n, r, p, salt, prefix = _HEADER.unpack(header)
        if version != FORMAT:
            raise BackupError(f"backup format {version} is not readable by this version")
        self._header, self._prefix, self._source = header, prefix, source
        self._aead = AESGCM(_derive(passphrase, salt, log2_n, r, p))
        self._counter, self._plain, self._done = 0, b"", False
        self._ahead = source.read(_SEGMENT + _TAG)

    def readable(self) -> bool:
        return True

    def _next(self) -> None:
        sealed, self._ahead = self._ahead, self._source.read(_SEGMENT + _TAG)
        last = not self._ahead
        try:
            self._plain = self._aead.decrypt(
                _nonce(self._prefix, self._counter, last), sealed, self._header
            )
        except InvalidTag:
            raise BackupError(
                "the archive cannot be opened: wrong passphrase, or altered or truncated"
            ) from None
        self._counter += 1
        self._done = last

    def drain(self) -> None:
        """Read to the end: tar stops at its end marker, the last segment must still open."""
        while not self._done:
            self._next()
        self._plain = b""

    def readinto(self, buffer: Any) -> int:
        while not self._plain and not self._done:
            self._next()
        size = min(len(buffer), len(self._plain))
        buffer[:size] = self._plain[:size]
        self._plain = self._plain[size:]
        return size


# --- database snapshots -------------------------------------------------------------------


def _engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"no backup for the {vendor} database")
    return vendor


def _count_rows(cursor: Any, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - introspected names
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in rows]


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _snapshot_sqlite(target: Path) -> dict[str, int]:
    """Copy the database with the online backup API (one step: one consistent read)."""
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        return _count_rows(copy.cursor(), _sqlite_tables(copy), _sqlite_quote)
    finally:
        copy.close()
        source.close()


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)") from None
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def _snapshot_postgresql(target: Path) -> dict[str, int]:
    """Count every table and dump it under one exported snapshot (what the counts saw)."""
    conn = connections.create_connection("default")
    try:
        conn.set_autocommit(False)
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = conn.introspection.table_names(cursor)
            counts = _count_rows(cursor, tables, conn.ops.quote_name)
            args, env = _pg_environment()
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", *args],
                env,
            )
        conn.rollback()
        return counts
    finally:
        conn.close()


def _current_counts() -> dict[str, int]:
    conn = connections["default"]
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
        if conn.vendor == "sqlite":
            tables = [t for t in tables if not t.startswith("sqlite_")]
        return _count_rows(cursor, tables, conn.ops.quote_name)


# --- backup -------------------------------------------------------------------------------


@dataclass
class BackupSummary:
    """What an archive holds: its manifest and where it was written."""

    path: Path
    manifest: dict[str, Any]
    size: int = 0

    def __str__(self) -> str:
        m = self.manifest
        rows = sum(m["tables"].values())
        return (
            f"{self.path}: {m['engine']} database ({len(m['tables'])} tables, {rows} rows), "
            f"{len(m['media'])} uploaded files, keys {', '.join(m['keys']) or 'none'}; "
            f"{self.size} bytes"
        )


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


def _keys() -> dict[str, bytes]:
    found = {}
    for name, where in _KEY_FILES.items():
        path = where()
        if path.is_file():
            found[name] = path.read_bytes()
    # Key material given in the environment cannot be restored as a file; it is kept so
    # that an operator can set it again (sealed station secrets open only under it).
    environment = {
        name: os.environ[name] for name in ("SECRET_KEY", "OL_SECRETS_KEY") if os.environ.get(name)
    }
    if environment:
        found["environment.json"] = json.dumps(environment, indent=1).encode()
    return found


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def write_backup(out: Path, *, passphrase: str) -> BackupSummary:
    """Write an encrypted archive of the database, uploaded files and key material to `out`."""
    engine = _engine()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix="backup-") as work:
        os.chmod(work, 0o700)
        dump = Path(work) / "database"
        counts = _snapshot_sqlite(dump) if engine == "sqlite" else _snapshot_postgresql(dump)
        keys = _keys()
        media = list(_media_files())
        database = "database.sqlite3" if engine == "sqlite" else "database.pgdump"
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "node_code": settings.OL_NODE_CODE,
            "engine": engine,
            "database": database,
            "tables": counts,
            "keys": sorted(keys),
            "sealing_key": key_fingerprint(),
            "media": [name for name, _path in media],
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw:
            sealer = _Sealer(raw, passphrase)
            with tarfile.open(fileobj=sealer, mode="w|") as archive:
                _add(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
                archive.add(dump, arcname=database)
                for name, data in keys.items():
                    _add(archive, f"keys/{name}", data)
                for name, path in media:
                    archive.add(path, arcname=f"media/{name}")
            sealer.close()
            raw.flush()
            os.fsync(raw.fileno())
    # Written aside and renamed: an interrupted backup never looks like a finished one.
    os.replace(partial, out)
    return BackupSummary(out, manifest, out.stat().st_size)


# --- restore ------------------------------------------------------------------------------


@dataclass
class RestoreSummary:
    """What a restore put back, and what the operator still has to do."""

    manifest: dict[str, Any]
    media: int = 0
    keys: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        m = self.manifest
        lines = [
            f"restored the backup of {m['created_at']} ({m['engine']}): "
            f"{len(m['tables'])} tables, {sum(m['tables'].values())} rows, every count equal; "
            f"{self.media} uploaded files; keys {', '.join(self.keys) or 'none'}"
        ]
        return "\n".join(lines + self.notes)


def _refuse_non_empty() -> None:
    conn = connections["default"]
    with conn.cursor() as cursor:
        tables = [t for t in conn.introspection.table_names(cursor) if not t.startswith("sqlite_")]
    if tables:
        raise BackupError(
            f"the database {conn.settings_dict['NAME']} is not empty ({len(tables)} tables): "
            "restore only onto an empty database"
        )


def _load_sqlite(dump: Path) -> None:
    connections.close_all()
    target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    source = sqlite3.connect(dump)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _load_postgresql(dump: Path) -> None:
    args, env = _pg_environment()
    _run(
        [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            *args,
            str(dump),
        ],
        env,
    )


def _inside(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"the archive names a file outside its place: {name}")
    return path


def _restore_key(name: str, data: bytes, summary: RestoreSummary) -> None:
    if name not in _KEY_FILES:
        # Environment key material: written beside the var directory, for the operator.
        path = Path(settings.VAR_DIR) / f"restored-{name}"
        summary.notes.append(f"key material from the environment saved to {path}: set it again")
    else:
        path = _KEY_FILES[name]()
        if path.is_file() and path.read_bytes() != data:
            # A fresh install generates its own key at first start; the archive's replaces it.
            os.replace(path, path.with_name(path.name + ".before-restore"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    if name == "ledger_key" and not os.environ.get("OL_LEDGER_KEY"):
        # Settings read the key file at start, before the archive's key replaced it; the
        # verification that follows in this process must check the hashes under the restored key.
        settings.OL_LEDGER_KEY = data.decode().strip()
    summary.keys.append(name)


def _first_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    member = archive.next()
    data = archive.extractfile(member) if member is not None else None
    if member is None or member.name != "manifest.json" or data is None:
        raise BackupError("the archive has no manifest")
    return dict(json.loads(data.read()))


def read_manifest(source: Path, *, passphrase: str) -> dict[str, Any]:
    """The manifest of an archive read whole: the passphrase and every segment checked,
    nothing restored."""
    with open(source, "rb") as raw:
        opener = _Opener(raw, passphrase)
        with tarfile.open(fileobj=opener, mode="r|") as archive:
            manifest = _first_manifest(archive)
            names = {member.name for member in archive}
        opener.drain()
    expected = {manifest["database"]} | {f"media/{name}" for name in manifest["media"]}
    if not expected <= names:
        raise BackupError(f"the archive lacks {sorted(expected - names)}")
    return manifest


def restore_backup(source: Path, *, passphrase: str) -> RestoreSummary:
    """Put an archive back onto the empty configured database; every table count checked."""
    engine = _engine()
    media_root = Path(settings.MEDIA_ROOT)
    with (
        open(source, "rb") as raw,
        tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix="restore-") as work,
    ):
        opener = _Opener(raw, passphrase)
        with tarfile.open(fileobj=opener, mode="r|") as archive:
            manifest = _first_manifest(archive)
            if manifest["engine"] != engine:
                raise BackupError(f"a {manifest['engine']} backup cannot be restored onto {engine}")
            _refuse_non_empty()
            summary = RestoreSummary(manifest)
            for member in archive:
                data = archive.extractfile(member) if member.isfile() else None
                if data is None:
                    continue
                if member.name == manifest["database"]:
                    dump = Path(work) / "database"
                    with open(dump, "wb") as handle:
                        shutil.copyfileobj(data, handle)
                    _load_sqlite(dump) if engine == "sqlite" else _load_postgresql(dump)
                elif member.name.startswith("keys/"):
                    _restore_key(member.name.removeprefix("keys/"), data.read(), summary)
                elif member.name.startswith("media/"):
                    path = _inside(media_root, member.name.removeprefix("media/"))
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with open(path, "wb") as handle:
                        shutil.copyfileobj(data, handle)
                    summary.media += 1
        opener.drain()
    counts = _current_counts()
    differing = {
        table: (expected, counts.get(table))
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    }
    if differing:
        raise BackupError(f"restored counts differ from the backup's: {differing}")
    if manifest.get("sealing_key") != _sealing_after_restart():
        summary.notes.append(
            "station secrets were sealed under other key material: set OL_SECRETS_KEY "
            "(or SECRET_KEY) as it was when the backup was taken, then restart"
        )
    return summary


def _sealing_after_restart() -> str:
    """The sealing key's fingerprint once the process restarts on the restored key file."""
    key_file = _KEY_FILES["secret_key"]()
    if os.environ.get("OL_SECRETS_KEY") or os.environ.get("SECRET_KEY") or not key_file.is_file():
        return key_fingerprint()
    return key_fingerprint(key_file.read_text().strip())


# --- nightly backups ----------------------------------------------------------------------


def archive_name(now: datetime.datetime) -> str:
    """The nightly archive's file name, by local date and time."""
    return f"{_NAME_PREFIX}{now.astimezone(LOCAL):%Y%m%d-%H%M%S}{_NAME_SUFFIX}"


def prune_backups(directory: Path, *, keep_days: int, now: datetime.datetime) -> list[Path]:
    """Delete the nightly archives older than `keep_days`; the newest one is always kept."""
    archives = sorted(directory.glob(f"{_NAME_PREFIX}*{_NAME_SUFFIX}"))
    cutoff = now - datetime.timedelta(days=keep_days)
    removed = []
    for path in archives[:-1]:
        stamp = path.name.removeprefix(_NAME_PREFIX).removesuffix(_NAME_SUFFIX)
        try:
            taken = datetime.datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=LOCAL)
        except ValueError:
            continue  # not one of ours
        if taken < cutoff:
            path.unlink()
            removed.append(path)
    return removed


def digest(path: Path) -> str:
    """SHA-256 of an archive file, for the operator's log."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
