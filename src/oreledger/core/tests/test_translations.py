"""Every string a person reads has its zh-Hans translation (no gaps, no fuzzy guesses)."""

from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(PACKAGE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_app_with_templates_or_models_has_a_catalogue() -> None:
    # The two tool apps (the demo generator and the station simulator) speak to a console.
    apps_with_text = {p.parent.name for p in PACKAGE.glob("*/apps.py")} - {"demo", "simulator"}
    with_catalogue = {p.parts[-5] for p in CATALOGUES}
    assert apps_with_text - with_catalogue == set()


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert (missing, fuzzy) == ([], [])


def test_one_source_string_reads_the_same_in_every_app() -> None:
    # Django merges the apps' catalogues and the first app's translation wins, so a
    # string translated two ways shows the wrong one somewhere (a price column headed
    # 合同数量, an alert "开放"). Different meanings take a context (pgettext).
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)).translated_entries():
            seen.setdefault((entry.msgctxt, entry.msgid), {})[path.parts[-5]] = entry.msgstr
    clashes = {key: apps for key, apps in seen.items() if len(set(apps.values())) > 1}
    assert clashes == {}
