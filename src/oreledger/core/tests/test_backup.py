"""Backup and restore: an encrypted archive taken while stations write, restored and verified."""

from __future__ import annotations

import datetime
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from oreledger.core.backup import (
    BackupError,
    archive_name,
    prune_backups,
    read_manifest,
    restore_backup,
    write_backup,
)
from oreledger.core.jobs import nightly_backup
from oreledger.core.localtime import LOCAL
from oreledger.core.scheduler import periodic_jobs
from oreledger.weighing.models import Ticket
from oreledger.weighing.tests.support import body as batch
from oreledger.weighing.tests.support import (
    build_chain,
    exit_gate,
    plate,
    post,
    ticket,
    waybills_for,
)
from testkit import processes

PASSPHRASE = "菱镁矿 correct horse battery"


@pytest.fixture
def empty_database() -> Iterator[str]:
    """The DATABASE_URL of a database with no table, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield "sqlite:///" + str(
            Path(connection.settings_dict["NAME"]).with_name("restored.sqlite3")
        )
        Path(connection.settings_dict["NAME"]).with_name("restored.sqlite3").unlink(missing_ok=True)
        return
    name = f"ol_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    yield processes.test_database_url().rsplit("/", 1)[0] + "/" + name
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _oreledger(*args: str, url: str, var: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-m", "oreledger", *args],
        env=processes.child_env(
            DATABASE_URL=url, OL_VAR_DIR=str(var), OL_BACKUP_PASSPHRASE=PASSPHRASE
        ),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _send_tickets(
    code: str,
    secret: str,
    items: list[dict[str, Any]],
    started: threading.Event,
    stop: threading.Event,
) -> None:
    """A station sending one ticket per request until told to stop (its own connection)."""
    client = Client()
    try:
        for item in items:
            answer = post(client, code, secret, batch([item]))
            assert answer.status_code == 200, answer.content
            started.set()
            if stop.is_set():
                break
    finally:
        connection.close()


@pytest.mark.concurrency
def test_a_backup_taken_while_a_station_writes_restores_consistent_and_verified(
    world_tx: Any, tmp_path: Path, empty_database: str, settings: Any
) -> None:
    # given a mine whose exit station keeps sending tickets, and an uploaded file
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media/evidence").mkdir(parents=True)
    (tmp_path / "media/evidence/photo.jpg").write_bytes(b"\xff\xd8\xff-a weighbridge photo")
    chain = build_chain(world_tx)
    mine, code, secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(60)])
    items = [ticket(i + 1, w.plate, waybill=w.number, net=20_000) for i, w in enumerate(waybills)]
    started, stop = threading.Event(), threading.Event()
    writer = threading.Thread(target=_send_tickets, args=(code, secret, items, started, stop))
    writer.start()
    try:
        assert started.wait(60)
        before = Ticket.objects.count()
        # when the backup is taken while the station writes
        summary = write_backup(tmp_path / "during.olbackup", passphrase=PASSPHRASE)
    finally:
        stop.set()
        writer.join(120)
    after = Ticket.objects.count()
    # then the archive names what it holds, and its ticket count lies between the two reads
    manifest = read_manifest(summary.path, passphrase=PASSPHRASE)
    assert manifest == summary.manifest
    assert before <= manifest["tables"]["weighing_ticket"] <= after
    assert manifest["keys"] == ["ledger_key", "secret_key"]
    assert manifest["media"] == ["evidence/photo.jpg"]
    assert b"weighbridge photo" not in summary.path.read_bytes()
    # when it is restored with the command onto an empty database in a fresh place
    fresh = tmp_path / "fresh"
    restored = _oreledger("restore", str(summary.path), url=empty_database, var=fresh)
    # then every count is equal, the ledger and the chains verify, files and keys are back
    assert restored.returncode == 0, restored.stderr
    lines = restored.stdout.splitlines()
    assert "every count equal; 1 uploaded files; keys secret_key" in lines[0]
    assert lines[-2:] == ["The quota ledger is sound.", "ticket chains intact"]
    assert (fresh / "media/evidence/photo.jpg").read_bytes() == b"\xff\xd8\xff-a weighbridge photo"
    assert (fresh / "secret_key").read_text() == (Path(settings.VAR_DIR) / "secret_key").read_text()
    # and a second restore onto the now filled database is refused, changing nothing
    again = _oreledger("restore", str(summary.path), url=empty_database, var=fresh)
    assert again.returncode == 1
    assert "is not empty" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_writes_an_archive_whose_counts_are_the_databases(
    tmp_path: Path, settings: Any
) -> None:
    # given a quiet database
    settings.MEDIA_ROOT = tmp_path / "media"
    # when the command backs it up
    done = _oreledger(
        "backup",
        "--out",
        str(tmp_path / "x.olbackup"),
        url=processes.test_database_url(),
        var=Path(settings.VAR_DIR),
    )
    # then the archive's counts are the database's, table by table
    assert done.returncode == 0, done.stderr
    manifest = read_manifest(tmp_path / "x.olbackup", passphrase=PASSPHRASE)
    with connection.cursor() as cursor:
        tables = [
            t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")
        ]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    assert manifest["tables"] == counts
    assert manifest["engine"] == connection.vendor
    assert done.stdout.startswith(f"{tmp_path / 'x.olbackup'}: {connection.vendor} database")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_tables(tmp_path: Path) -> None:
    # given an archive, and the test database (migrated: it has tables)
    archive = write_backup(tmp_path / "a.olbackup", passphrase=PASSPHRASE).path
    tickets = Ticket.objects.count()
    # when it is restored there
    with pytest.raises(BackupError, match="is not empty") as refused:
        restore_backup(archive, passphrase=PASSPHRASE)
    # then nothing changed
    assert "restore only onto an empty database" in str(refused.value)
    assert Ticket.objects.count() == tickets


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("passphrase", "wrong passphrase, or altered or truncated"),
        ("flip", "wrong passphrase, or altered or truncated"),
        ("truncate", "wrong passphrase, or altered or truncated"),
        ("segment", "wrong passphrase, or altered or truncated"),
        ("header", "not an oreledger backup"),
    ],
)
def test_an_archive_opens_only_whole_and_with_its_passphrase(
    tmp_path: Path, damage: str, message: str
) -> None:
    # given an archive, damaged one way (or opened with another passphrase)
    path = write_backup(tmp_path / "a.olbackup", passphrase=PASSPHRASE).path
    data = bytearray(path.read_bytes())
    passphrase = "another passphrase" if damage == "passphrase" else PASSPHRASE
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        data = data[:-100]
    elif damage == "segment":
        # the header (35 bytes) and whole segments only: the one sealed as last is cut off
        whole = 35 + (1 << 20) + 16
        data = data[:whole] if len(data) > whole else data[:35]
    elif damage == "header":
        data[:8] = b"NOTOURS!"
    path.write_bytes(bytes(data))
    # when it is read
    with pytest.raises(BackupError) as refused:
        read_manifest(path, passphrase=passphrase)
    # then it is refused, saying why
    assert message in str(refused.value)


def test_prune_keeps_the_last_days_and_always_the_newest(tmp_path: Path) -> None:
    # given nightly archives of 20 nights, and a file that is not one
    now = datetime.datetime(2026, 12, 6, 0, 5, tzinfo=LOCAL)
    for night in range(20):
        (tmp_path / archive_name(now - datetime.timedelta(days=night))).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("keep me")
    # when archives older than 14 days are pruned
    removed = prune_backups(tmp_path, keep_days=14, now=now)
    # then the 5 oldest (15..19 nights ago) are gone and the rest stay
    assert sorted(p.name for p in removed) == [
        archive_name(now - datetime.timedelta(days=n)) for n in range(19, 14, -1)
    ]
    assert len(list(tmp_path.glob("*.olbackup"))) == 15
    assert (tmp_path / "notes.txt").exists()
    # and the newest survives even when every archive is old
    assert prune_backups(tmp_path, keep_days=1, now=now + datetime.timedelta(days=30))
    assert [p.name for p in tmp_path.glob("*.olbackup")] == [archive_name(now)]


@pytest.mark.django_db(transaction=True)
def test_the_nightly_backup_writes_an_archive_and_prunes_old_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a backup directory holding an archive of a month ago, and a passphrase
    old = archive_name(datetime.datetime(2020, 1, 1, tzinfo=LOCAL))
    (tmp_path / old).write_bytes(b"x")
    monkeypatch.setenv("OL_BACKUP_PASSPHRASE", PASSPHRASE)
    # when the scheduled job runs
    with override_settings(OL_BACKUP_DIR=tmp_path, OL_BACKUP_KEEP_DAYS=7):
        result = nightly_backup.call(period="2026-12-06")
    # then a new archive is there, readable with the passphrase, and the old one is gone
    assert result["removed"] == [old]
    assert [p.name for p in tmp_path.iterdir()] == [result["archive"]]
    assert read_manifest(tmp_path / result["archive"], passphrase=PASSPHRASE)["format"] == 1
    assert "core.nightly_backup" in [job.name for job in periodic_jobs()]
    assert [job.every for job in periodic_jobs() if job.name == "core.nightly_backup"] == [
        datetime.timedelta(days=1)
    ]


def test_the_nightly_backup_without_a_passphrase_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given no passphrase
    monkeypatch.delenv("OL_BACKUP_PASSPHRASE", raising=False)
    # when the scheduled job runs
    with override_settings(OL_BACKUP_DIR=tmp_path):
        result = nightly_backup.call(period="2026-12-06")
    # then it says so and writes nothing
    assert result == {"skipped": "OL_BACKUP_PASSPHRASE is not set"}
    assert list(tmp_path.iterdir()) == []
