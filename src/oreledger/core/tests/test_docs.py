"""The repository carries its own documents, and they agree with the code.

A clone has nothing beside it: every document, comment and help text points inside the
repository, to a path that exists. The catalogues of docs/reference/ are the code's own
tables written out (the rules of alerts/catalogue.py, the seeded permit matrix, the demo
province's grades and regions); a change to one without the other fails here.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from oreledger.alerts.catalogue import RULES, RuleSpec
from oreledger.demo.catalogue import GRADES
from oreledger.demo.geography import REGIONS

REPO = Path(__file__).resolve().parents[4]
SKIPPED_DIRS = {".git", ".venv", "node_modules", "var", "__pycache__", ".mypy_cache"}
BINARY = {".mo", ".png", ".jpg", ".svg", ".xlsx", ".pdf", ".sqlite3", ".ico", ".woff2"}
OUTSIDE = "../" + "shared"  # spelt in two parts so that this file does not name it
# A path-like token ending in .md (docs/specs/station-protocol.md), resolved from the repository
# root or from the file's own folder (a link between two documents)
MARKDOWN_PATH = re.compile(r"[\w./-]*[\w-]\.md\b")
DOCS_PATH = re.compile(r"(?<![\w/.])docs/[\w./-]*[\w/]")
LINK = re.compile(r"\]\(([^)\s]+)\)")
LINK_TEXT = re.compile(r"\[[^\]]*\]")


def _files() -> Iterator[Path]:
    for path in sorted(REPO.rglob("*")):
        relative = path.relative_to(REPO)
        # Build output (a package's egg-info copies its README) is not the repository's text.
        skipped = any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in relative.parts)
        if skipped or path.suffix in BINARY:
            continue
        if path.is_file():
            yield path


def _lines() -> Iterator[tuple[Path, int, str]]:
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            yield path, number, line


def _resolves(path: Path, target: str) -> bool:
    target = target.split("#", 1)[0]
    if not target:
        return True
    return (REPO / target).exists() or (path.parent / target).exists()


def test_nothing_refers_outside_the_repository_or_to_a_missing_document() -> None:
    # given every text file of the repository
    outside, dead = [], []
    for path, number, line in _lines():
        where = f"{path.relative_to(REPO)}:{number}"
        if OUTSIDE in line:
            outside.append(where)
        # A link's text names a document; its target (checked below) is the path.
        text = LINK_TEXT.sub("", line) if path.suffix == ".md" else line
        for token in MARKDOWN_PATH.findall(text) + DOCS_PATH.findall(text):
            if not _resolves(path, token):
                dead.append(f"{where}: {token}")
        if path.suffix == ".md":
            for target in LINK.findall(line):
                if not target.startswith(("http://", "https://", "mailto:")) and not _resolves(
                    path, target
                ):
                    dead.append(f"{where}: ({target})")
    # then none points outside it, and every document it names exists
    assert outside == []
    assert dead == []


def _table(document: str, heading: str) -> list[list[str]]:
    """The rows of the first table under a heading, cells without their backticks."""
    lines = (REPO / document).read_text(encoding="utf-8").splitlines()
    start = lines.index(heading)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            cells = [cell.strip().replace("`", "") for cell in line.strip().strip("|").split("|")]
            rows.append(cells)
        elif rows:
            break
    assert len(rows) > 2, f"no table under {heading!r} in {document}"
    return rows[2:]  # without the header and its separator


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {number}" for key, number in value.items())
    if isinstance(value, list):
        return " / ".join(str(number) for number in value)
    return str(value)


def rule_row(rule: RuleSpec) -> list[str]:
    """A rule of the catalogue as docs/reference/rules.md lists it (English, no backticks)."""
    with translation.override("en"):
        thresholds = "; ".join(
            f"{p.name} = {_value(rule.defaults[p.name])}{' ' + p.unit if p.unit else ''}"
            for p in rule.params
        )
        hours = rule.window_hours
        window = f"{hours // 24} d" if hours > 24 and hours % 24 == 0 else f"{hours} h"
        return [
            rule.code,
            "B" if rule.blocking else "",
            str(rule.name),
            str(rule.meaning),
            rule.subject,
            rule.mode,
            rule.severity,
            thresholds or "—",
            window,
        ]


def test_the_rules_catalogue_is_the_code_s() -> None:
    documented = _table("docs/reference/rules.md", "## The catalogue")
    assert documented == [rule_row(rule) for rule in RULES]


def _migration(name: str) -> Any:
    return importlib.import_module(name)


def test_the_permit_catalogue_is_the_seeded_one() -> None:
    kinds = _migration("oreledger.accounts.migrations.0003_department_kinds").DEPARTMENT_KINDS
    seeded = _migration("oreledger.registry.migrations.0002_permit_catalogue")
    assert _table("docs/reference/permits.md", "## Department kinds") == [list(k) for k in kinds]
    assert _table("docs/reference/permits.md", "## Permit types") == [
        [code, zh, en, kind, holder, "yes" if gate else ""]
        for code, zh, en, kind, holder, gate in seeded.PERMIT_TYPES
    ]
    assert _table(
        "docs/reference/permits.md", "## Required permits (the procedures check, 手续核查)"
    ) == [
        [applies_to, holder_kind, ", ".join(codes)]
        for applies_to, holder_kind, codes in seeded.REQUIREMENTS
    ]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def test_the_grade_table_is_the_demo_province_s() -> None:
    assert _table("docs/reference/grades.md", "## The demo province's table") == [
        [code, name, str(rank), _percent(mgo), _percent(cao), _percent(sio2)]
        for code, name, rank, mgo, cao, sio2 in GRADES
    ]


def test_the_regions_are_the_demo_province_s() -> None:
    assert _table("docs/reference/regions.md", "## Regions") == [
        [r.code, r.name_zh, r.name_en, r.level, r.parent_code or "—", f"{r.lat:.2f}, {r.lon:.2f}"]
        for r in REGIONS
    ]


@pytest.mark.parametrize(
    "document",
    [
        "docs/ARCHITECTURE.md",
        "docs/DEVELOPING.md",
        "docs/specs/station-protocol.md",
        "docs/specs/province-bundle.md",
        "docs/specs/api-essentials.md",
        "docs/specs/federation-protocol.md",
        "docs/reference/rules.md",
        "docs/reference/permits.md",
        "docs/reference/grades.md",
        "docs/reference/regions.md",
    ],
)
def test_the_repository_carries_its_architecture_contracts_and_catalogues(document: str) -> None:
    text = (REPO / document).read_text(encoding="utf-8")
    assert text.startswith("# ")
