"""Pages of grading: the standard in force and its versions, assays, the grade mix."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.core.cells import CODE, DECIMAL
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import ADD, VIEW, get_for_user, may
from oreledger.grading.forms import AssayForm, StandardForm, grade_formset
from oreledger.grading.models import Assay, GradingStandard
from oreledger.grading.services import publish_standard, record_assay, standard_in_force
from oreledger.registry.models import Site


def _standard_page(request: HttpRequest, standard: GradingStandard | None) -> HttpResponse:
    versions = GradingStandard.objects.for_user(request.user).order_by("-effective_from")
    today = timezone.localdate()
    in_force = standard_in_force(today)
    return render(
        request,
        "grading/standard.html",
        {
            "title": _("Grading standard"),
            "standard": standard,
            "grades": standard.grades.order_by("rank") if standard else [],
            "versions": versions,
            "in_force": in_force,
            "may_publish": may(request.user, ADD, GradingStandard),
        },
    )


@login_required
def standard(request: HttpRequest) -> HttpResponse:
    """The standard in force today (or the first one to come), with every version."""
    if not may(request.user, VIEW, GradingStandard):
        raise Http404
    current = standard_in_force(timezone.localdate()) or (
        GradingStandard.objects.order_by("effective_from").first()
    )
    return _standard_page(request, current)


@login_required
def standard_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One version of the grading standard."""
    return _standard_page(
        request, get_for_user(GradingStandard.objects.all(), request.user, VIEW, code=code)
    )


@login_required
def standard_new(request: HttpRequest) -> HttpResponse:
    """Publish a new version (province office); earlier versions stay as they were."""
    if not may(request.user, ADD, GradingStandard):
        raise Http404
    current = standard_in_force(timezone.localdate())
    form = StandardForm(request.POST or None)
    initial = [
        {
            k: getattr(g, k)
            for k in (
                "code",
                "name_zh",
                "rank",
                "mgo_min",
                "cao_max",
                "sio2_max",
                "fe2o3_max",
                "al2o3_max",
            )
        }
        for g in (current.grades.order_by("rank") if current else [])
    ]
    formset = grade_formset(request.POST or None, initial=initial)
    error = None
    if (
        request.method == "POST"
        and form.is_valid()
        and formset.is_valid()
        and not confirmed(request)
    ):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Publish the grading standard %(code)s, in force from %(day)s?")
                % {
                    "code": form.cleaned_data["code"],
                    "day": f"{form.cleaned_data['effective_from']:%Y-%m-%d}",
                },
                consequence=_(
                    "Assays sampled from that day are graded by it. A published version cannot "
                    "be changed or withdrawn; only a newer version replaces it."
                ),
                action_label=_("Publish"),
                facts=[(_("Grades"), len(formset.specs()))],
                danger=False,
            ),
            cancel_url=reverse("grading:standard"),
        )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            created, _new = publish_standard(
                actor=request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                effective_from=form.cleaned_data["effective_from"],
                notes=form.cleaned_data["notes"],
                grades=formset.specs(),
            )
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, _("The new version was published."))
            return redirect(created.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "grading/standard_form.html",
        {
            "title": _("New version of the grading standard"),
            "form": form,
            "formset": formset,
            "error": error,
        },
        status=status,
    )


class AssayFilter(django_filters.FilterSet):
    """Filters of the assay list."""

    site = django_filters.CharFilter(field_name="site__code", label=_("Site code"))
    grade = django_filters.CharFilter(field_name="grade__code", label=_("Grade"))
    since = django_filters.DateFilter(
        field_name="sampled_on",
        lookup_expr="gte",
        label=_("Sampled since"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Assay
        fields = ["site", "grade", "since"]


def _pct(name: str) -> Any:
    return lambda a: getattr(a, name)


class AssayListView(ScopedListView):
    """Assays per site with the grade each earned."""

    model = Assay
    title = _("Assays")
    filterset_class = AssayFilter
    related = ("site__enterprise", "grade")
    default_order = "-sampled_on"
    template_name = "grading/assay_list.html"
    columns = (
        Column("site.code", _("Site"), order_by="site__code", kind=CODE),
        Column("site.name", _("Site name")),
        Column("lot", _("Lot"), order_by="lot", kind=CODE),
        Column("sampled_on", _("Sampled on"), order_by="sampled_on"),
        Column("mgo", "MgO %", order_by="mgo", kind=DECIMAL),
        Column("cao", "CaO %", order_by="cao", kind=DECIMAL),
        Column("sio2", "SiO2 %", order_by="sio2", kind=DECIMAL),
        Column("fe2o3", "Fe2O3 %", kind=DECIMAL),
        Column("al2o3", "Al2O3 %", kind=DECIMAL),
        Column("loi", _("LOI %"), kind=DECIMAL),
        Column(
            "grade",
            _("Grade"),
            value=lambda a: str(a.grade) if a.grade else "—",
            order_by="grade__rank",
            kind=CODE,
        ),
        Column("lab", _("Laboratory")),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_record"] = may(self.request.user, ADD, Assay)
        return context


@login_required
def assay_new(request: HttpRequest) -> HttpResponse:
    """Record a laboratory assay; it is graded under the standard of its sampling date."""
    if not may(request.user, ADD, Assay):
        raise Http404
    sites = Site.objects.for_user(request.user, VIEW).filter(kind="mine")
    form = AssayForm(request.POST or None, sites=sites)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assay = record_assay(
                actor=request.user,
                site=data["site"],
                lot=data["lot"],
                sampled_on=data["sampled_on"],
                components={k: data[k] for k in ("mgo", "cao", "sio2", "fe2o3", "al2o3", "loi")},
                lab=data["lab"],
            )
        except DomainError as refusal:
            error = refusal
        else:
            grade = assay.grade or _("no grade")
            messages.success(request, _("Assay recorded: %(grade)s.") % {"grade": grade})
            return redirect("grading:assay_list")
    return render(
        request,
        "grading/assay_form.html",
        {"title": _("Record an assay"), "form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def mix(request: HttpRequest) -> HttpResponse:
    """The grade mix of the jurisdiction's assays: overall and per site (top 20 sites)."""
    if not may(request.user, VIEW, Assay):
        raise Http404
    assays = Assay.objects.for_user(request.user)
    since = request.GET.get("since") or ""
    if since:
        try:
            assays = assays.filter(sampled_on__gte=forms.DateField().clean(since))
        except forms.ValidationError:
            since = ""
    rows = (
        assays.values("site__code", "grade__code", "grade__rank")
        .annotate(n=Count("id"))
        .order_by("site__code", "grade__rank")
    )
    per_site: dict[str, dict[str, int]] = defaultdict(dict)
    ranks: dict[str, int] = {}
    for row in rows:
        code = row["grade__code"] or "—"
        ranks[code] = row["grade__rank"] or 999
        per_site[row["site__code"]][code] = row["n"]
    grades = sorted(ranks, key=lambda c: ranks[c])
    totals = {g: sum(site.get(g, 0) for site in per_site.values()) for g in grades}
    top = sorted(per_site, key=lambda s: -sum(per_site[s].values()))[:20]
    chart = {
        "grades": grades,
        "totals": [totals[g] for g in grades],
        "sites": top,
        "series": [{"grade": g, "counts": [per_site[s].get(g, 0) for s in top]} for g in grades],
    }
    return render(
        request,
        "grading/mix.html",
        {
            "title": _("Grade mix"),
            "chart": chart,
            "totals": totals,
            "since": since,
            "count": sum(totals.values()),
        },
    )
