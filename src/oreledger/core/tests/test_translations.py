"""Every string a person reads has its zh-Hans translation (no gaps, no fuzzy guesses)."""

from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(PACKAGE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_app_with_templates_or_models_has_a_catalogue() -> None:
    apps_with_text = {p.parent.name for p in PACKAGE.glob("*/apps.py")} - {"demo"}
    with_catalogue = {p.parts[-5] for p in CATALOGUES}
    assert apps_with_text - with_catalogue == set()


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert (missing, fuzzy) == ([], [])
