"""Refusals of the grading services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

GRADE_RANKS_OVERLAP = _("Two grades share rank %(rank)s; each grade needs its own rank.")
GRADE_CODE_DUPLICATE = _("The grade code %(code)s appears twice in the table.")
GRADE_LIMITS_INVERTED = _(
    "Grade %(better)s ranks above %(worse)s but its %(limit)s limit is looser; "
    "a better grade must be at least as strict."
)
GRADE_TABLE_EMPTY = _("A grading standard needs at least one grade.")
STANDARD_NOT_LATER = _(
    "A new version must take effect after the version in force from %(date)s; "
    "published versions are never rewritten."
)
STANDARD_NOT_FUTURE = _(
    "A new version takes effect after today (%(today)s) so that no assay is regraded."
)
STANDARD_EXISTS = _("A standard with the code %(code)s exists already and cannot be changed.")
ASSAY_IMPOSSIBLE = _("This composition is impossible: %(reason)s")
ASSAY_IN_FUTURE = _("The sampling date %(date)s lies in the future.")
ASSAY_DUPLICATE = _("The lot %(lot)s of this site has an assay already.")
NO_STANDARD = _("No grading standard is in force on %(date)s.")


class GradingError(DomainError):
    """A refused grading request."""


def ranks_overlap(rank: int) -> GradingError:
    """Two grades of one table with the same rank."""
    return GradingError("grade_ranks_overlap", GRADE_RANKS_OVERLAP, params={"rank": rank})


def code_duplicate(code: str) -> GradingError:
    """Two grades of one table with the same code."""
    return GradingError("grade_code_duplicate", GRADE_CODE_DUPLICATE, params={"code": code})


def limits_inverted(better: str, worse: str, limit: str) -> GradingError:
    """A better-ranked grade that is looser than a worse one."""
    return GradingError(
        "grade_limits_inverted",
        GRADE_LIMITS_INVERTED,
        params={"better": better, "worse": worse, "limit": limit},
    )
