"""Pages of sites, stations, vehicles and permits: detail, create, edit and status changes."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from oreledger.core.audit import history_for
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.permissions import ADD, CHANGE, VIEW, can, get_for_user
from oreledger.core.sealing import seal, unseal
from oreledger.registry import services
from oreledger.registry.choices import OperatingStatus, PermitStatus
from oreledger.registry.forms import (
    PermitForm,
    PermitStatusForm,
    ReasonForm,
    SiteForm,
    StationForm,
    StatusForm,
    VehicleForm,
)
from oreledger.registry.maps import map_data
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle
from oreledger.registry.queries import blacklisted_here, county_blacklistings
from oreledger.registry.services._common import GRACE_RANGE
from oreledger.registry.views.common import (
    form_page,
    never_store,
    require,
    status_confirmation,
)

_SESSION_SLOT = "registry_station_secret"
# The secret waits for its one showing sealed: the session table never holds it in plaintext.
_SESSION_PURPOSE = b"session:station-secret"
GRACE_CHOICES = (0, 1, 24, 72, 168)


def _detail(request: HttpRequest, template: str, obj: Any, **extra: Any) -> HttpResponse:
    context = {
        "object": obj,
        "history": history_for(obj)[:100],
        "can_change": can(request.user, CHANGE, obj),
        "title": str(obj),
        **extra,
    }
    return render(request, template, context)


def _preselected(request: HttpRequest, field: str, model: Any, key: str) -> dict[str, Any]:
    value = request.GET.get(field)
    if value and model.objects.for_user(request.user, VIEW).filter(**{key: value}).exists():
        return {field: value}
    return {}


# ---------------------------------------------------------------- sites


@login_required
def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A site: its facts, boundary on a map, stations and permits."""
    site = get_for_user(
        Site.objects.select_related("enterprise", "region__parent"), request.user, VIEW, code=code
    )
    stations = list(Station.objects.for_user(request.user).filter(site=site))
    permits = Permit.objects.for_user(request.user).filter(site=site).select_related("type")
    region = site.region if site.region.level == "county" else site.region.parent
    return _detail(
        request,
        "registry/site_detail.html",
        site,
        stations=stations,
        permits=permits,
        map=map_data([site], stations, [region] if region else [], "site"),
    )


@login_required
def site_create(request: HttpRequest) -> HttpResponse:
    """Register a site of an enterprise."""
    require(request.user, ADD, Site)
    initial = _preselected(request, "enterprise", Enterprise, "uscc")
    form = SiteForm(request.POST or None, initial=initial, user=request.user)

    def save(data: dict[str, Any]) -> Site:
        data.pop("permitted_hours", None)
        return services.create_site(
            actor=request.user,
            hours_from=form.instance.hours_from,
            hours_to=form.instance.hours_to,
            **data,
        )

    return form_page(
        request,
        form=form,
        title=_("New site"),
        back_url=reverse("registry:site_list"),
        save=save,
    )


@login_required
def site_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change a site."""
    site = get_for_user(Site.objects.all(), request.user, CHANGE, code=code)
    form = SiteForm(request.POST or None, instance=site, user=request.user)

    def save(data: dict[str, Any]) -> Site:
        for key in ("permitted_hours", "enterprise", "code"):
            data.pop(key, None)
        return services.update_site(
            actor=request.user,
            site=site,
            hours_from=form.instance.hours_from,
            hours_to=form.instance.hours_to,
            **data,
        )

    return form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": site},
        back_url=site.get_absolute_url(),
        save=save,
    )


@login_required
def site_status(request: HttpRequest, code: str) -> HttpResponse:
    """Suspend, reopen or shut a site, with the reason."""
    site = get_for_user(Site.objects.all(), request.user, CHANGE, code=code)
    form = StatusForm(request.POST or None, initial={"status": site.status})
    return form_page(
        request,
        form=form,
        title=_("Status of %(name)s") % {"name": site},
        back_url=site.get_absolute_url(),
        confirm=lambda d: status_confirmation(
            site, site.status, d["status"], OperatingStatus(d["status"]).label, d["reason"]
        ),
        save=lambda d: services.change_site_status(
            actor=request.user, site=site, status=d["status"], reason=d["reason"]
        ),
        done=_("The status was changed."),
    )


# ---------------------------------------------------------------- stations


@login_required
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A station; a secret just issued is shown here once, then never again."""
    station = get_for_user(
        Station.objects.select_related("site__enterprise", "region"), request.user, VIEW, code=code
    )
    shown = request.session.pop(_SESSION_SLOT, None)
    secret = (
        unseal(shown["sealed"], _SESSION_PURPOSE)
        if shown and shown.get("station") == station.code and "sealed" in shown
        else None
    )
    now = timezone.now()
    grace_until = station.previous_secret_expires_at
    response = _detail(
        request,
        "registry/station_detail.html",
        station,
        new_secret=secret,
        grace_until=grace_until if grace_until and grace_until > now else None,
        grace_choices=GRACE_CHOICES,
        reason_form=ReasonForm(),
    )
    return never_store(response)


@login_required
def station_create(request: HttpRequest) -> HttpResponse:
    """Register a weighbridge; its secret is shown once on its page."""
    require(request.user, ADD, Station)
    initial = _preselected(request, "site", Site, "code")
    form = StationForm(request.POST or None, initial=initial, user=request.user)

    def save(data: dict[str, Any]) -> Station:
        station, secret = services.create_station(actor=request.user, **data)
        assert secret is not None  # issue_secret defaults to True: a new station gets one
        request.session[_SESSION_SLOT] = {
            "station": station.code,
            "sealed": seal(secret, _SESSION_PURPOSE),
        }
        return station

    return form_page(
        request,
        form=form,
        title=_("New station"),
        back_url=reverse("registry:station_list"),
        save=save,
        done=_("The station was registered. Copy its secret now."),
    )


@login_required
def station_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change a station's name, place or site."""
    station = get_for_user(Station.objects.all(), request.user, CHANGE, code=code)
    form = StationForm(request.POST or None, instance=station, user=request.user)

    def save(data: dict[str, Any]) -> Station:
        data.pop("code", None)
        return services.update_station(actor=request.user, station=station, **data)

    return form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": station},
        back_url=station.get_absolute_url(),
        save=save,
    )


@login_required
@require_POST
def station_rotate(request: HttpRequest, code: str) -> HttpResponse:
    """Issue a new secret; the old one works until the grace period ends."""
    station = get_for_user(Station.objects.all(), request.user, CHANGE, code=code)
    try:
        hours = int(request.POST.get("grace_hours", "24"))
    except ValueError:
        hours = -1
    if hours not in GRACE_CHOICES:
        # Refused before a timedelta is built: a huge number would overflow it (a 500).
        return render(
            request,
            "core/error.html",
            {"code": 400, "title": _("Bad request"), "message": GRACE_RANGE},
            status=400,
        )
    if not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Issue a new secret for station %(code)s?") % {"code": station.code},
                consequence=_(
                    "The new secret is shown once. The old one stops working after %(hours)s "
                    "hours: the weighbridge must be given the new one before then, or its "
                    "tickets are refused."
                )
                % {"hours": hours},
                action_label=_("Issue a new secret"),
            ),
            cancel_url=station.get_absolute_url(),
        )
    try:
        secret = services.rotate_station_secret(
            actor=request.user, station=station, grace=datetime.timedelta(hours=hours)
        )
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        request.session[_SESSION_SLOT] = {
            "station": station.code,
            "sealed": seal(secret, _SESSION_PURPOSE),
        }
        messages.success(request, _("A new secret was issued. Copy it now."))
    return redirect(station.get_absolute_url())


@login_required
@require_POST
def station_disable(request: HttpRequest, code: str) -> HttpResponse:
    """Stop honouring the station's signatures, or start again."""
    station = get_for_user(Station.objects.all(), request.user, CHANGE, code=code)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect(station.get_absolute_url())
    if not confirmed(request):
        disabling = station.disabled_at is None
        return ask_confirmation(
            request,
            Confirmation(
                question=(
                    _("Disable station %(code)s?") if disabling else _("Enable station %(code)s?")
                )
                % {"code": station.code},
                consequence=_(
                    "Its signatures are no longer honoured: every request it sends is refused "
                    "until it is enabled again."
                )
                if disabling
                else _("Its signed requests are accepted again."),
                action_label=_("Disable the station") if disabling else _("Enable the station"),
                facts=[(_("Reason"), form.cleaned_data["reason"])],
                danger=disabling,
            ),
            cancel_url=station.get_absolute_url(),
        )
    change = services.enable_station if station.disabled_at else services.disable_station
    change(actor=request.user, station=station, reason=form.cleaned_data["reason"])
    messages.success(request, _("The station was changed."))
    return redirect(station.get_absolute_url())


# ---------------------------------------------------------------- vehicles


@login_required
def vehicle_detail(request: HttpRequest, plate: str) -> HttpResponse:
    """A truck."""
    vehicle = get_for_user(Vehicle.objects.select_related("owner"), request.user, VIEW, plate=plate)
    return _detail(
        request,
        "registry/vehicle_detail.html",
        vehicle,
        reason_form=ReasonForm(),
        county_blacklistings=county_blacklistings(vehicle.plate),
        blacklisted_here=blacklisted_here(vehicle),
    )


@login_required
def vehicle_create(request: HttpRequest) -> HttpResponse:
    """Register a truck."""
    require(request.user, ADD, Vehicle)
    initial = _preselected(request, "owner", Enterprise, "uscc")
    form = VehicleForm(request.POST or None, initial=initial, user=request.user)
    return form_page(
        request,
        form=form,
        title=_("New vehicle"),
        back_url=reverse("registry:vehicle_list"),
        save=lambda data: services.create_vehicle(actor=request.user, **data),
    )


@login_required
def vehicle_edit(request: HttpRequest, plate: str) -> HttpResponse:
    """Change a truck's owner, axles or tare."""
    vehicle = get_for_user(Vehicle.objects.all(), request.user, CHANGE, plate=plate)
    form = VehicleForm(request.POST or None, instance=vehicle, user=request.user)

    def save(data: dict[str, Any]) -> Vehicle:
        data.pop("plate", None)
        return services.update_vehicle(actor=request.user, vehicle=vehicle, **data)

    return form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": vehicle},
        back_url=vehicle.get_absolute_url(),
        save=save,
    )


@login_required
@require_POST
def vehicle_blacklist(request: HttpRequest, plate: str) -> HttpResponse:
    """Blacklist a truck with the reason, or lift the blacklisting."""
    vehicle = get_for_user(Vehicle.objects.all(), request.user, CHANGE, plate=plate)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect(vehicle.get_absolute_url())
    if not confirmed(request):
        blacklisting = not blacklisted_here(vehicle)
        return ask_confirmation(
            request,
            Confirmation(
                question=(
                    _("Blacklist vehicle %(plate)s?")
                    if blacklisting
                    else _("Lift the blacklisting of vehicle %(plate)s?")
                )
                % {"plate": vehicle.plate},
                consequence=_(
                    "No waybill can be issued for it and every weighbridge holds it, until the "
                    "blacklisting is lifted."
                )
                if blacklisting
                else _("Waybills can be issued for it again."),
                action_label=_("Blacklist") if blacklisting else _("Lift the blacklisting"),
                facts=[(_("Reason"), form.cleaned_data["reason"])],
                danger=blacklisting,
            ),
            cancel_url=vehicle.get_absolute_url(),
        )
    change = services.reinstate_vehicle if blacklisted_here(vehicle) else services.blacklist_vehicle
    change(actor=request.user, vehicle=vehicle, reason=form.cleaned_data["reason"])
    messages.success(request, _("The vehicle was changed."))
    return redirect(vehicle.get_absolute_url())


# ---------------------------------------------------------------- permits


@login_required
def permit_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A permit."""
    permit = get_for_user(
        Permit.objects.select_related(
            "type__department_kind", "holder", "site", "department__kind", "department__region"
        ),
        request.user,
        VIEW,
        number=number,
    )
    return _detail(
        request,
        "registry/permit_detail.html",
        permit,
        state_today=permit.state_on(timezone.localdate()),
    )


def _permit_save(request: HttpRequest, permit: Permit | None) -> Any:
    def save(data: dict[str, Any]) -> Permit:
        if permit is None:
            return services.create_permit(actor=request.user, **data)
        for key in ("number", "holder"):
            data.pop(key, None)
        return services.update_permit(actor=request.user, permit=permit, **data)

    return save


@login_required
def permit_create(request: HttpRequest) -> HttpResponse:
    """Record a permit."""
    require(request.user, ADD, Permit)
    initial = _preselected(request, "holder", Enterprise, "uscc")
    form = PermitForm(request.POST or None, initial=initial, user=request.user)
    return form_page(
        request,
        form=form,
        title=_("New permit"),
        back_url=reverse("registry:permit_list"),
        save=_permit_save(request, None),
    )


@login_required
def permit_edit(request: HttpRequest, number: str) -> HttpResponse:
    """Change a permit."""
    permit = get_for_user(Permit.objects.all(), request.user, CHANGE, number=number)
    form = PermitForm(request.POST or None, instance=permit, user=request.user)
    return form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": permit.number},
        back_url=permit.get_absolute_url(),
        save=_permit_save(request, permit),
    )


@login_required
def permit_status(request: HttpRequest, number: str) -> HttpResponse:
    """Suspend, revoke or reinstate a permit, with the reason."""
    permit = get_for_user(Permit.objects.all(), request.user, CHANGE, number=number)
    form = PermitStatusForm(request.POST or None, initial={"status": permit.status})
    return form_page(
        request,
        form=form,
        title=_("Status of %(name)s") % {"name": permit.number},
        back_url=permit.get_absolute_url(),
        confirm=lambda d: status_confirmation(
            permit.number, permit.status, d["status"], PermitStatus(d["status"]).label, d["reason"]
        ),
        save=lambda d: services.change_permit_status(
            actor=request.user, permit=permit, status=d["status"], reason=d["reason"]
        ),
        done=_("The status was changed."),
    )
