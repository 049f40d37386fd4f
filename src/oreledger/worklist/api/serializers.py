"""Serializers of the worklist API: tasks with status, milestones and reports; timeliness."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from oreledger.worklist.models import Milestone, ProgressReport, Task, WorkingGroup
from oreledger.worklist.queries import task_status, today_local


class GroupSerializer(serializers.ModelSerializer[WorkingGroup]):
    """A working group with its lead and member departments."""

    lead_department = serializers.CharField(source="lead_department.__str__", read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = WorkingGroup
        fields = ["id", "name", "lead_department", "members"]

    def get_members(self, group: WorkingGroup) -> list[str]:
        """The member departments' names."""
        return [str(d) for d in group.members.all()]


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    """A time node."""

    class Meta:
        model = Milestone
        fields = ["title", "due", "done_on"]


class ReportSerializer(serializers.ModelSerializer[ProgressReport]):
    """A weekly progress report."""

    class Meta:
        model = ProgressReport
        fields = ["week", "text", "percent", "problems", "help_needed", "reported_on"]


class TaskSerializer(serializers.ModelSerializer[Task]):
    """A task with its computed status."""

    group = serializers.CharField(source="group.name", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    responsible_unit = serializers.CharField(
        source="responsible_department.__str__", read_only=True
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "number",
            "title",
            "group",
            "region",
            "responsible_unit",
            "start",
            "due",
            "completed_on",
            "status",
        ]

    def get_status(self, task: Task) -> str:
        """On track, at risk, overdue or done today (`worklist.queries.task_status`)."""
        return str(
            task_status(
                task, today_local(), milestones=task.milestones.all(), reports=task.reports.all()
            ).value
        )


class TaskDetailSerializer(TaskSerializer):
    """A task with its measures, milestones and reports."""

    milestones = MilestoneSerializer(many=True, read_only=True)
    reports = ReportSerializer(many=True, read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [
            *TaskSerializer.Meta.fields,
            "measures",
            "completion_standard",
            "milestones",
            "reports",
        ]


def timeliness_data(table: Any) -> dict[str, Any]:
    """The timeliness table as JSON (rates as fractions, None when nothing is expected)."""
    return {
        "weeks": [w.isoformat() for w in table.weeks],
        "grace_days": table.grace_days,
        "expected": table.expected,
        "reported": table.reported,
        "on_time": table.on_time,
        "reporting_rate": table.reporting_rate,
        "on_time_rate": table.on_time_rate,
        "counties": [
            {
                "region": row.region.code,
                "name": row.region.name_zh,
                "expected": row.expected,
                "reported": row.reported,
                "on_time": row.on_time,
                "reporting_rate": row.reporting_rate,
                "on_time_rate": row.on_time_rate,
                "weeks": [
                    {
                        "week": c.week.isoformat(),
                        "status": str(c.status.value),
                        "confirmed_at": c.confirmed_at,
                    }
                    for c in row.cells
                ],
            }
            for row in table.rows
        ],
    }
