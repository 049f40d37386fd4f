"""Pages of the market: listings, bids, floor prices, price index, messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from oreledger.accounts.choices import Role
from oreledger.core import numbers
from oreledger.core.audit import history_for
from oreledger.core.cells import CODE, MONEY, TONNES_KG
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView, paged
from oreledger.core.permissions import (
    CHANGE,
    PROVINCE_OFFICE,
    VIEW,
    can,
    get_for_user,
)
from oreledger.trade import services
from oreledger.trade.filtersets import ListingFilter
from oreledger.trade.forms import (
    BidForm,
    FloorPriceForm,
    ListingForm,
    grade_of_code,
    show_refusal,
    to_kg,
)
from oreledger.trade.models import Bid, FloorPrice, Listing, Notification
from oreledger.trade.policies import ACCEPT, BID, WITHDRAW
from oreledger.trade.queries import price_index as compute_index
from oreledger.trade.queries import quota_room
from oreledger.trade.views.common import is_htmx, reraise, with_unread

# --- listings ---------------------------------------------------------------------------


class ListingListView(ScopedListView):
    """Listings the person may see: their own, or open ones to bid on."""

    model = Listing
    title = _("Listings")
    template_name = "trade/listing_list.html"
    filterset_class = ListingFilter
    related = ("seller", "site", "grade")
    default_order = "-created_at"
    columns = (
        Column("number", _("Number"), order_by="number", kind=CODE),
        Column("seller.name", _("Seller"), order_by="seller__name"),
        Column("site.code", _("Mine"), order_by="site__code", kind=CODE),
        Column("grade.code", _("Grade"), order_by="grade__rank", kind=CODE),
        Column("quantity_kg", _("Tonnes"), order_by="quantity_kg", kind=TONNES_KG),
        Column("open_kg", _("Open (t)"), kind=TONNES_KG),
        Column("asking_price", _("Asking price (yuan/t)"), order_by="asking_price", kind=MONEY),
        Column("valid_to", _("Valid to"), order_by="valid_to"),
        Column("status", _("Status"), order_by="status", kind=CODE),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        context["can_list"] = getattr(user, "enterprise", None) is not None and (
            user.enterprise.kind == "mine_operator"
        )
        if getattr(user, "enterprise_id", None) is not None:
            context["my_bids"] = (
                Bid.objects.for_user(user)
                .filter(bidder_id=user.enterprise_id)
                .select_related("listing", "contract", "destination_site")
                .order_by("-created_at")[:20]
            )
        return with_unread(self.request, **context)


@login_required
def listing_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A listing, its bids (as the viewer may see them) and what the viewer may do."""
    listing = get_for_user(
        Listing.objects.select_related("seller", "site", "grade"),
        request.user,
        VIEW,
        number=number,
    )
    bids = (
        Bid.objects.for_user(request.user)
        .filter(listing=listing)
        .select_related("bidder", "destination_site", "contract")
    )
    is_seller = can(request.user, CHANGE, listing)
    may_bid = Listing.objects.for_user(request.user, BID).filter(pk=listing.pk).exists()
    form = BidForm(user=request.user) if may_bid else None
    return render(
        request,
        "trade/listing_detail.html",
        with_unread(
            request,
            listing=listing,
            bids=bids,
            is_seller=is_seller,
            form=form,
            title=listing.number,
            history=history_for(listing)[:50] if is_seller or not may_bid else [],
        ),
    )


@login_required
def listing_create(request: HttpRequest) -> HttpResponse:
    """A mine operator offers ore."""
    user: Any = request.user
    form = ListingForm(request.POST or None, user=user)
    room = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        grade = grade_of_code(data["grade"])
        try:
            result = services.create_listing(
                actor=user,
                site=data["site"],
                grade=grade,
                quantity_kg=to_kg(data["quantity_t"]),
                asking_price=data["asking_price"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                note=data["note"],
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            for warning in result.warnings:
                messages.warning(request, warning)
            messages.success(
                request, gettext("Listing %(n)s is open for bids.") % {"n": result.listing.number}
            )
            return redirect(result.listing.get_absolute_url())
    if getattr(user, "enterprise_id", None) is None:
        return render(
            request,
            "core/error.html",
            {
                "code": 403,
                "title": _("Not allowed"),
                "message": _("Only a user of an enterprise can do this."),
            },
            status=403,
        )
    site = form.fields["site"].queryset.first()  # type: ignore[attr-defined]
    if site is not None:
        from django.utils import timezone

        room = quota_room(site, timezone.localdate().year)
    return render(
        request,
        "trade/form.html",
        with_unread(
            request,
            form=form,
            title=_("New listing"),
            room=room,
            room_site=site,
            submit=_("Open listing"),
            testid="listing-form",
        ),
    )


@login_required
@require_POST
def bid_create(request: HttpRequest, number: str) -> HttpResponse:
    """Bid on a listing (a processor or trader)."""
    listing = get_for_user(Listing.objects.all(), request.user, VIEW, number=number)
    form = BidForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.place_bid(
                actor=request.user,
                listing=listing,
                destination_site=data["destination_site"],
                price=data["price"],
                quantity_kg=to_kg(data["quantity_t"]),
                note=data["note"],
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, gettext("Your bid was sent to the seller."))
            return redirect(listing.get_absolute_url())
    bids = Bid.objects.for_user(request.user).filter(listing=listing)
    return render(
        request,
        "trade/listing_detail.html",
        with_unread(
            request,
            listing=listing,
            bids=bids,
            is_seller=False,
            form=form,
            title=listing.number,
        ),
        status=400,
    )


def _bid_confirmation(bid: Bid, action: str) -> Confirmation:
    facts = [
        (_("Listing"), bid.listing.number),
        (_("Bidder"), bid.bidder.name),
        (_("Price (yuan/t)"), numbers.money(bid.price)),
        (_("Tonnes"), numbers.tonnes(bid.quantity_kg)),
    ]
    if action == "accept":
        return Confirmation(
            question=_("Accept this bid on listing %(listing)s?") % {"listing": bid.listing.number},
            consequence=_(
                "A draft contract with the bidder is made from it for both parties to submit "
                "to the county. An accepted bid cannot be taken back."
            ),
            action_label=_("Accept the bid"),
            facts=facts,
            danger=False,
        )
    if action == "reject":
        return Confirmation(
            question=_("Decline this bid on listing %(listing)s?")
            % {"listing": bid.listing.number},
            consequence=_("The bidder is told; a declined bid cannot be accepted later."),
            action_label=_("Decline the bid"),
            facts=facts,
        )
    return Confirmation(
        question=_("Withdraw your bid on listing %(listing)s?") % {"listing": bid.listing.number},
        consequence=_("The seller can no longer accept it; a withdrawn bid cannot be renewed."),
        action_label=_("Withdraw the bid"),
        facts=facts,
    )


def _bid_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    bid = get_for_user(Bid.objects.select_related("listing", "bidder"), request.user, VIEW, pk=pk)
    # Asked only of someone the service would let act; anyone else gets its refusal as before.
    allowed = can(request.user, WITHDRAW if action == "withdraw" else ACCEPT, bid)
    if allowed and not confirmed(request):
        return ask_confirmation(
            request,
            _bid_confirmation(bid, action),
            cancel_url=bid.listing.get_absolute_url(),
            row=(f"bid-{bid.pk}", 6),
        )
    error = None
    try:
        if action == "accept":
            services.accept_bid(actor=request.user, bid=bid)
        elif action == "reject":
            services.reject_bid(actor=request.user, bid=bid)
        else:
            services.withdraw_bid(actor=request.user, bid=bid)
    except DomainError as refusal:
        reraise(refusal)
        error = refusal.message
    if is_htmx(request):
        bid = Bid.objects.select_related("bidder", "destination_site", "contract", "listing").get(
            pk=bid.pk
        )
        response = render(
            request,
            "trade/_bid_row.html",
            {"bid": bid, "error": error, "is_seller": can(request.user, ACCEPT, bid)},
        )
        response["HX-Trigger"] = "listingChanged"
        return response
    if error:
        messages.error(request, error)
    return redirect(bid.listing.get_absolute_url())


@login_required
@require_POST
def bid_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller accepts a bid: a draft contract."""
    return _bid_action(request, pk, "accept")


@login_required
@require_POST
def bid_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller declines a bid."""
    return _bid_action(request, pk, "reject")


@login_required
@require_POST
def bid_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The bidder takes back a bid."""
    return _bid_action(request, pk, "withdraw")


@login_required
@require_POST
def listing_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """The seller takes a listing off the market."""
    listing = get_for_user(Listing.objects.all(), request.user, VIEW, number=number)
    if can(request.user, CHANGE, listing) and not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Withdraw listing %(number)s?") % {"number": listing.number},
                consequence=_(
                    "It is taken off the market and its pending bids are declined. "
                    "This cannot be undone."
                ),
                action_label=_("Withdraw the listing"),
            ),
            cancel_url=listing.get_absolute_url(),
        )
    try:
        services.withdraw_listing(actor=request.user, listing=listing)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(listing.get_absolute_url())


# --- floor prices, price index, notifications ---------------------------------------------


@login_required
def floor_prices(request: HttpRequest) -> HttpResponse:
    """Floor prices by grade with their history; the province sets new ones here."""
    user: Any = request.user
    may_set = user.is_superuser or user.role == PROVINCE_OFFICE
    form = FloorPriceForm(request.POST or None) if may_set else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_floor_price(
                actor=user,
                grade=grade_of_code(data["grade"]),
                valid_from=data["valid_from"],
                floor_yuan=data["floor_yuan"],
                note=data["note"],
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, gettext("The floor price was set."))
            return redirect("trade:floor_prices")
    rows = FloorPrice.objects.for_user(user).select_related("grade", "set_by")
    return render(
        request,
        "trade/floor_prices.html",
        with_unread(request, rows=rows, form=form, title=_("Floor prices")),
    )


def price_index(request: HttpRequest) -> HttpResponse:
    """The weekly price index by grade: officials see every cell; the public goes to the
    portal's index, where a cell from fewer than three sellers is suppressed."""
    if not request.user.is_authenticated:
        return redirect("public:table", "prices")
    try:
        weeks = max(4, min(52, int(request.GET.get("weeks", 12))))
    except ValueError:
        weeks = 12
    enterprise = getattr(request.user, "role", None) == Role.ENTERPRISE_USER
    # An enterprise is a market participant: it reads the index as the public does.
    index = compute_index(weeks=weeks, public=enterprise)
    return render(
        request,
        "trade/price_index.html",
        {
            "index": index,
            "title": _("Magnesite price index"),
            "weeks": weeks,
            "week_options": (4, 8, 12, 26, 52),
            "chart": {
                "weeks": index["weeks"],
                "series": [
                    {
                        "name": f"{g['grade']} {g['name']}",
                        "approved": [w["approved_avg"] for w in g["weeks"]],
                        "delivered": [w["delivered_avg"] for w in g["weeks"]],
                    }
                    for g in index["grades"]
                ],
                "labels": {
                    "approved": gettext("contracted"),
                    "delivered": gettext("delivered"),
                    "axis": gettext("yuan/t"),
                },
            },
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The person's messages; opening the page does not mark them read, the button does."""
    if request.method == "POST":
        services.mark_read(actor=request.user)
        return redirect("trade:notifications")
    page = paged(
        request, Notification.objects.for_user(request.user).order_by("-created_at", "-pk")
    )
    return render(
        request,
        "trade/notifications.html",
        with_unread(request, rows=page["page_obj"], title=_("Notifications"), **page),
    )
