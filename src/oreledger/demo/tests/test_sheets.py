"""The demo province fills every sheet the apps register, in the importer's order."""

from __future__ import annotations

from oreledger.core.bundle import sheet_order
from oreledger.demo.generator import SHEETS


def test_the_demo_fills_every_registered_sheet_in_order() -> None:
    # given the sheets the generator writes without Django (its own list, kept by hand)
    # when the apps' registered sheets are put in order
    order = sheet_order()
    # then the hand-kept list has not drifted from what the importer expects
    assert list(SHEETS) == order
