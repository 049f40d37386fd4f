"""The shell's pages: home, system jobs, and the error pages."""

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


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Forbidden, in the person's language."""
    return render(
        request,
        "core/error.html",
        {
            "code": 403,
            "title": _("Not allowed"),
            "message": _("You may see this record but not take this action."),
        },
        status=403,
    )


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Not found — also what a record outside one's jurisdiction looks like."""
    return render(
        request,
        "core/error.html",
        {
            "code": 404,
            "title": _("Not found"),
            "message": _("There is no such page or record in your jurisdiction."),
        },
        status=404,
    )


def error_500(request: HttpRequest) -> HttpResponse:
    """A bug: the request changed nothing that was not committed."""
    return render(
        request,
        "core/error.html",
        {
            "code": 500,
            "title": _("Server error"),
            "message": _("Something went wrong on our side. The team has been told."),
        },
        status=500,
    )
