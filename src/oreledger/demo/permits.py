"""The demo province's permits: what each holder needs, with a realistic few out of order."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from oreledger.demo import catalogue
from oreledger.demo.places import MINERAL, Enterprise, Site


def permit_rows(
    rng: random.Random, today: date, enterprises: Sequence[Enterprise], sites: Sequence[Site]
) -> list[dict[str, Any]]:
    """The permits sheet: every enterprise's and site's permits, a few missing or in trouble."""
    required = catalogue.REQUIRED_PERMITS
    # An exact few holders lack one required permit, counted apart for enterprises and
    # sites; holders are keyed by USCC or site code, which never coincide.
    missing: dict[str, str] = {}
    for holders in (
        [(e.uscc, e.kind, e) for e in enterprises],
        [(s.code, s.kind, s.owner) for s in sites],
    ):
        eligible = [
            (key, kind) for key, kind, owner in holders
            if kind in required and owner is not None and not owner.pristine
        ]  # fmt: skip
        for key, kind in rng.sample(eligible, round(len(eligible) * catalogue.MISSING_SHARE)):
            missing[key] = rng.choice(required[kind])
    writer = _PermitWriter(rng, today)
    for enterprise in enterprises:
        writer.permit("business_licence", enterprise, None)
        for permit_type in required.get(enterprise.kind, ()):
            if missing.get(enterprise.uscc) != permit_type:
                writer.permit(permit_type, enterprise, None)
        for site in enterprise.sites:
            for permit_type in required.get(site.kind, ()):
                if missing.get(site.code) != permit_type:
                    writer.permit(permit_type, enterprise, site)
            if site.kind in catalogue.OPTIONAL_PERMITS:
                permit_type, share = catalogue.OPTIONAL_PERMITS[site.kind]
                if rng.random() < share:
                    writer.permit(permit_type, enterprise, site)
    return writer.rows


class _PermitWriter:
    """Writes permit rows, numbering each permit type's serials in turn."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.rows: list[dict[str, Any]] = []
        self._serials: Counter[str] = Counter()

    def permit(self, permit_type: str, holder: Enterprise, site: Site | None) -> None:
        """One permit of holder's (for site, if any), valid or with one of the named problems."""
        rng, today = self.rng, self.today
        status = "valid"
        if permit_type == "business_licence":
            valid_from = today - timedelta(days=rng.randint(2 * 365, 20 * 365))
            valid_to = valid_from + timedelta(days=30 * 365 + 7)  # 营业期限 of thirty years
        else:
            valid_from = today - timedelta(days=rng.randint(60, 5 * 365))
            valid_to = today + timedelta(days=rng.randint(365, 5 * 365))
            problem = None if holder.pristine else self._problem(catalogue.PERMIT_PROBLEMS)
            if problem == "expiring":
                valid_to = today + timedelta(days=rng.randint(1, 30))
            elif problem == "expired":
                valid_to = today - timedelta(days=rng.randint(1, 365))
                valid_from = valid_to - timedelta(days=rng.randint(365, 5 * 365))
            elif problem is not None:
                status = problem
        county = site.town.county if site is not None else holder.county
        mining = permit_type == "mining_licence"
        self._serials[permit_type] += 1
        serial = self._serials[permit_type]
        number = catalogue.permit_number(permit_type, serial, holder.uscc, county, valid_from)
        self.rows.append(
            {"number": number,
             "type": permit_type, "holder_uscc": holder.uscc,
             "site_code": site.code if site is not None else None,
             "department": catalogue.PERMIT_DEPARTMENTS[permit_type],
             "region_code": county.code,
             "valid_from": valid_from, "valid_to": valid_to, "status": status,
             "scope_t": site.capacity_t if mining and site is not None else None,
             "mineral": MINERAL if mining else None}
        )  # fmt: skip

    def _problem(self, shares: Sequence[tuple[str, float]]) -> str | None:
        """One of the named problems with its share of probability, or None."""
        draw = self.rng.random()
        for problem, share in shares:
            if draw < share:
                return problem
            draw -= share
        return None
