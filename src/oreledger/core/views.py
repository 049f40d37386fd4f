"""The shell's pages: home and system jobs (the error pages are in core.error_pages)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import UserPassesTestMixin
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_tasks_db.models import DBTaskResult

from oreledger.core.home import jurisdiction_summary
from oreledger.core.listing import paged
from oreledger.core.navigation import MenuItem, register_menu_item


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's jurisdiction and what they can do there."""
    return render(request, "core/home.html", jurisdiction_summary(request.user))


class JobsView(UserPassesTestMixin, TemplateView):
    """Background jobs for administrators: what ran, what failed and why."""

    template_name = "core/jobs.html"

    def test_func(self) -> bool:
        user: Any = self.request.user
        return bool(user.is_authenticated and (user.is_superuser or user.role == "admin"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        jobs = DBTaskResult.objects.order_by("-enqueued_at", "id")
        if status:
            jobs = jobs.filter(status=status)
        context.update(
            counts={
                row["status"]: row["n"]
                for row in DBTaskResult.objects.values("status").annotate(n=Count("id"))
            },
            status=status,
            **paged(self.request, jobs),
            title=_("Background jobs"),
        )
        return context


def _is_admin(user: Any) -> bool:
    return bool(user.is_superuser or user.role == "admin")


register_menu_item(
    MenuItem(
        section=_("System"),
        label=_("Background jobs"),
        url_name="core:jobs",
        visible=_is_admin,
        order=900,
    )
)
