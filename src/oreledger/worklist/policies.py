"""Who sees the worklist: every government role its jurisdiction; who reports and confirms."""

from __future__ import annotations

from typing import Any

from oreledger.core.permissions import (
    ADD,
    CHANGE,
    COUNTY_OPERATOR,
    DEPARTMENT_OFFICER,
    GOVERNMENT_ROLES,
    PROVINCE_OFFICE,
    VIEW,
    ConfigurationPolicy,
    JurisdictionPolicy,
    register,
)
from oreledger.worklist.models import (
    Milestone,
    ProgressReport,
    ReportingRules,
    Task,
    WeeklyConfirmation,
    WorkingGroup,
)

# Reporting progress on a task: its responsible unit (a department) or the office.
REPORT = "report"

TASK_ROLES: dict[str, Any] = {
    VIEW: GOVERNMENT_ROLES,
    ADD: {PROVINCE_OFFICE},
    CHANGE: {PROVINCE_OFFICE},
    REPORT: {PROVINCE_OFFICE, COUNTY_OPERATOR, DEPARTMENT_OFFICER},
}


def _task_policy(prefix: str) -> JurisdictionPolicy:
    return JurisdictionPolicy(
        region_path=f"{prefix}region__path",
        roles=TASK_ROLES,
        department=f"{prefix}responsible_department_id",
    )


register(Task, _task_policy(""))
register(Milestone, _task_policy("task__"))
register(ProgressReport, _task_policy("task__"))
# Working groups are the province's organisation: every official sees them, the province sets them.
register(
    WorkingGroup,
    ConfigurationPolicy(roles={VIEW: GOVERNMENT_ROLES, CHANGE: {PROVINCE_OFFICE}}),
)
register(
    ReportingRules,
    ConfigurationPolicy(roles={VIEW: GOVERNMENT_ROLES, CHANGE: {PROVINCE_OFFICE}}),
)
# A county operator confirms the county's week; the province reads every county's.
register(
    WeeklyConfirmation,
    JurisdictionPolicy(
        region_path="region__path",
        roles={VIEW: GOVERNMENT_ROLES, ADD: {COUNTY_OPERATOR}, CHANGE: {COUNTY_OPERATOR}},
    ),
)
