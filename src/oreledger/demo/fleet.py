"""The demo province's trucks: each haulier's fleet, with its plates, axles and tares."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from oreledger.demo import catalogue
from oreledger.demo.places import Enterprise, apportion


def vehicle_rows(
    rng: random.Random, trucks: int, enterprises: Sequence[Enterprise]
) -> list[dict[str, Any]]:
    """The vehicles sheet: trucks shared out among the hauliers, a few of them blacklisted."""
    rows: list[dict[str, Any]] = []
    hauliers = [e for e in enterprises if e.kind == "haulier"]
    if not hauliers or trucks <= 0:
        return rows
    floor = min(5, trucks // len(hauliers))
    fleets = apportion(trucks - floor * len(hauliers), [rng.paretovariate(1.3) for _ in hauliers])
    new_energy = set(rng.sample(range(trucks), round(trucks * catalogue.NEW_ENERGY_SHARE)))
    blacklist_count = max(1, round(trucks * catalogue.BLACKLISTED_SHARE))
    blacklisted = set(rng.sample(range(trucks), blacklist_count))
    axle_counts, axle_weights = zip(*catalogue.AXLE_WEIGHTS.items(), strict=True)
    plates: set[str] = set()
    index = 0
    for haulier, fleet in zip(hauliers, fleets, strict=True):
        for _ in range(fleet + floor):
            while True:
                prefix = haulier.county.plate_prefix
                if rng.random() < 0.05:  # trucks registered elsewhere also haul here
                    prefix = rng.choice(catalogue.OTHER_PLATE_PREFIXES)
                plate = catalogue.plate(rng, prefix, new_energy=index in new_energy)
                if plate not in plates:
                    break
            plates.add(plate)
            axles = rng.choices(axle_counts, weights=axle_weights)[0]
            low, high = catalogue.TARE_KG_BY_AXLES[axles]
            rows.append(
                {"plate": plate, "owner_uscc": haulier.uscc, "axles": axles,
                 "tare_kg": int(round(rng.uniform(low, high), -1)),
                 "status": "blacklisted" if index in blacklisted else "registered"}
            )  # fmt: skip
            index += 1
    return rows
