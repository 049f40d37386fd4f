"""Pages of the worklist's tasks: groups, the task list, a task with its reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oreledger.core.cells import CODE
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import ENTERPRISE_USER, VIEW, get_for_user, may
from oreledger.worklist import services
from oreledger.worklist.filtersets import TaskFilter
from oreledger.worklist.forms import ReportForm
from oreledger.worklist.models import Task, WorkingGroup
from oreledger.worklist.policies import REPORT
from oreledger.worklist.queries import (
    STATUS_RULE,
    task_progress_by_group,
    task_standing,
    task_status,
    today_local,
    week_of,
)


def _status(task: Task) -> str:
    return str(task_status(task, today_local()).label)


class TaskListView(ScopedListView):
    """The joint action's tasks in the reader's scope, by due date, with their status."""

    model = Task
    template_name = "worklist/task_list.html"
    filterset_class = TaskFilter
    related = ("group", "responsible_department__kind", "region", "responsible_person")
    prefetch = ("milestones", "reports")
    default_order = "due"
    title = _("Joint action tasks")
    columns = (
        Column("number", _("Number"), order_by="number", link=True, kind=CODE),
        Column("title", _("Task"), order_by="title"),
        Column("group.name", _("Working group"), order_by="group__ordering"),
        Column("responsible_department", _("Responsible unit")),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("start", _("Start"), order_by="start"),
        Column("due", _("Due"), order_by="due"),
        Column("status", _("Status"), value=_status),
    )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # An enterprise has no tasks of the joint action: the list is not there (as the groups).
        if request.user.is_authenticated and not may(request.user, VIEW, Task):
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rule"] = STATUS_RULE
        return context


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """The working groups with this week's task figures in the reader's region."""
    user: Any = request.user
    if getattr(user, "role", None) == ENTERPRISE_USER or not user.region_id:
        raise Http404
    week = week_of(today_local())
    groups = WorkingGroup.objects.for_user(request.user, VIEW).select_related(
        "lead_department__kind", "lead_department__region", "leader"
    )
    progress = {p.group.pk: p for p in task_progress_by_group(user.region, week)}
    rows = [(g, progress.get(g.pk)) for g in groups.prefetch_related("members")]
    return render(
        request,
        "worklist/group_list.html",
        {
            "title": _("Working groups"),
            "rows": rows,
            "week": week,
            "rule": STATUS_RULE,
            # A leader column only when some group names one (the demo's groups name none).
            "has_leaders": any(g.leader_id for g, _p in rows),
        },
    )


@login_required
def task_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A task with its milestones, weekly reports and the report form for its unit."""
    task = get_for_user(
        Task.objects.select_related("group", "responsible_department__kind", "region"),
        request.user,
        VIEW,
        number=number,
    )
    may_report = Task.objects.for_user(request.user, REPORT).filter(pk=task.pk).exists()
    form = ReportForm(request.POST or None, initial={"week": week_of(today_local())})
    if request.method == "POST":
        if not may_report:
            raise Http404
        if form.is_valid():
            try:
                services.report_progress(actor=request.user, task=task, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Progress reported."))
                return redirect(task)
    context = {
        "title": task,
        "task": task,
        "standing": task_standing(task),
        "rule": STATUS_RULE,
        "milestones": task.milestones.all(),
        "reports": task.reports.select_related("reported_by"),
        "form": form if may_report else None,
    }
    return render(request, "worklist/task_detail.html", context)
