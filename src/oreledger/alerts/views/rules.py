"""Pages of the rules: thresholds in force, their history, changes and back-testing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Region
from oreledger.alerts import services
from oreledger.alerts.backtest import BACK_TESTABLE, back_test
from oreledger.alerts.catalogue import BY_CODE, RULES, describe
from oreledger.alerts.choices import Severity
from oreledger.alerts.engine import effective_rules, region_chain
from oreledger.alerts.forms import BackTestForm, RuleChangeForm
from oreledger.alerts.models import DeadlinePolicy, RuleVersion
from oreledger.core.errors import DomainError
from oreledger.core.permissions import CHANGE, VIEW, may


def _viewer_region(request: HttpRequest) -> Region:
    """The region whose thresholds the viewer sees (their own; the province for admins)."""
    region = getattr(request.user, "region", None)
    if region is None:
        region = Region.objects.filter(parent__isnull=True).order_by("code").first()
    if region is None:
        raise Http404
    return region


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every rule of the catalogue with the thresholds in force in the viewer's region."""
    if not may(request.user, VIEW, RuleVersion):
        raise Http404
    region = _viewer_region(request)
    effective = effective_rules(region)
    rows = []
    for rule in RULES:
        eff = effective.get(rule.code)
        rows.append(
            {
                "rule": rule,
                "params": describe(rule.code, eff.params) if eff else "—",
                "severity": eff.severity if eff else rule.severity,
                "severity_label": Severity(eff.severity if eff else rule.severity).label,
                "version": eff.version if eff else None,
                "enabled": eff.enabled if eff else False,
            }
        )
    context = {
        "title": _("Rules and thresholds"),
        "region": region,
        "rows": rows,
        "deadlines": DeadlinePolicy.objects.for_user(request.user),
    }
    return render(request, "alerts/rule_list.html", context)


@login_required
def rule_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One rule: thresholds in force, the history of versions, a change form, a back-test."""
    if code not in BY_CODE or not may(request.user, VIEW, RuleVersion):
        raise Http404
    rule = BY_CODE[code]
    region = _viewer_region(request)
    effective = effective_rules(region).get(code)
    params = effective.params if effective else dict(rule.defaults)
    severity = effective.severity if effective else rule.severity
    may_change = bool(rule.params) and may(request.user, CHANGE, RuleVersion)
    change_form = RuleChangeForm(
        request.POST if request.method == "POST" else None,
        rule=rule,
        initial_params=params,
        severity=severity,
        prefix="change",
    )
    if request.method == "POST" and may_change and change_form.is_valid():
        try:
            version = services.change_rule(
                actor=request.user,
                rule=code,
                region=region,
                params=change_form.params(),
                severity=change_form.cleaned_data["severity"],
                note=change_form.cleaned_data["note"],
            )
        except DomainError as exc:
            for name, texts in (exc.fields or {"": [exc.message]}).items():
                for text in texts:
                    change_form.add_error(None, f"{name}: {text}" if name else text)
        else:
            messages.success(request, _("Version %(v)s saved.") % {"v": version.number})
            return redirect("alerts:rule_detail", code=code)
    test_form = BackTestForm(
        request.GET if "bt-days" in request.GET else None,
        rule=rule,
        initial_params=params,
        prefix="bt",
    )
    results = None
    if code in BACK_TESTABLE and test_form.is_bound and test_form.is_valid():
        try:
            results = back_test(
                rule=code,
                region=region,
                proposed={**params, **test_form.params()},
                current=params,
                days=test_form.cleaned_data["days"],
            )
        except (DomainError, ValueError, TypeError) as exc:
            test_form.add_error(None, getattr(exc, "message", str(exc)))
    names = dict(Region.objects.values_list("code", "name_zh"))
    history = (
        RuleVersion.objects.for_user(request.user)
        .filter(Q(region__code__in=region_chain(region)) | Q(region__isnull=True), rule=code)
        .select_related("region", "author")
        .order_by("-created_at", "-pk")
    )
    context = {
        "title": rule.name,
        "rule": rule,
        "region": region,
        "effective": effective,
        "severity_label": Severity(severity).label,
        "params_text": describe(code, params),
        "history": [
            (v, describe(code, v.previous or {}), describe(code, v.params)) for v in history
        ],
        "change_form": change_form,
        "may_change": may_change,
        "test_form": test_form,
        "back_testable": code in BACK_TESTABLE,
        "results": [
            {**row, "name": names.get(row["county"], row["county"])} for row in results or []
        ],
        "tested": results is not None,
    }
    return render(request, "alerts/rule_detail.html", context)
