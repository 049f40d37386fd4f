"""`oreledger import-bundle`: errors, dry run, outcomes and the secrets file."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from oreledger.registry.models import Enterprise, Station
from oreledger.registry.tests.test_bundle_import import base_rows, counts, workbook


def _save(tmp_path: Path, rows: dict[str, Any]) -> Path:
    path = tmp_path / "bundle.xlsx"
    path.write_bytes(workbook(rows).getvalue())
    return path


def test_the_command_imports_and_writes_the_secrets_file_0600(world: Any, tmp_path: Path) -> None:
    # given a valid bundle
    path, secrets = _save(tmp_path, base_rows()), tmp_path / "secrets.json"
    out = io.StringIO()
    # when imported with --secrets-out
    call_command("import_bundle", str(path), "--secrets-out", str(secrets), stdout=out)
    # then each sheet's outcome is printed and the new secrets are in a 0600 file
    assert "enterprises: 2 created, 0 updated, 0 unchanged" in out.getvalue()
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    written = json.loads(secrets.read_text())
    assert sorted(written) == ["stations", "tokens"]
    assert list(written["stations"]) == ["HC-ST-901"] and list(written["tokens"]) == ["hc_clerk"]
    assert Station.objects.get().secret_encrypted
    # and a second import lists no secrets: existing stations and users keep theirs
    call_command("import_bundle", str(path), "--secrets-out", str(secrets), stdout=io.StringIO())
    assert json.loads(secrets.read_text()) == {"stations": {}, "tokens": {}}


def test_the_command_prints_every_error_and_writes_nothing(world: Any, tmp_path: Path) -> None:
    rows = base_rows()
    rows["enterprises"][0]["region_code"] = "219999"
    rows["vehicles"][0]["plate"] = "XX"
    path, err = _save(tmp_path, rows), io.StringIO()
    before = counts()
    with translation.override("en"), pytest.raises(CommandError, match="2 errors"):
        call_command("import_bundle", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "enterprises!2: region_code: Unknown region code 219999.",
        "vehicles!2: plate: XX is not a mainland vehicle plate: expected a province "
        "abbreviation, an authority letter and 5 characters (6 for new-energy vehicles), "
        "e.g. 辽C12345.",
    ]
    assert counts() == before


def test_dry_run_validates_only(world: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_bundle", str(_save(tmp_path, base_rows())), "--dry-run", stdout=out)
    assert out.getvalue().startswith("dry run: 8 rows valid")
    assert not Enterprise.objects.filter(name="海城测试镁矿有限公司").exists()
