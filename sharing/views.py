"""Sharing pages: thin views over ``selectors``, ``services`` and ``access``."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error
from common.markdown import render_markdown
from community.access import member_required
from community.models import User

from . import conf, selectors, services
from .access import booking_get_for_viewer, can_manage, item_get_for_viewer, item_get_managed, photo_get_managed
from .forms import BOOKING_ACTION_LABELS, BookingActionForm, BookingForm, ItemFilterForm, ItemForm, ItemPhotoAltForm, ItemPhotoForm
from .ics import build_calendar, feed_token, feed_user_id

PAGE_SIZE = 24


def _section(context: dict) -> dict:
    return {"current_section": "partage", **context}


@member_required
def item_list(request):
    """What members' structures lend, filtered by type, commune and free period."""
    form = ItemFilterForm(request.GET or None)
    items = selectors.item_list(viewer=request.user, filters=form.filters())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    can_lend = services.lendable_organisations(request.user).exists()
    return TemplateResponse(request, "sharing/item_list.html", _section({"form": form, "page": page, "items": page, "can_lend": can_lend}))


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = int(request.GET.get("annee", today.year)), int(request.GET.get("mois", today.month))
        datetime(year, month, 1)
    except (TypeError, ValueError):
        return today.year, today.month
    return year, month


def _slot_initial(request) -> dict:
    """A start and an end passed in the address (the nearest free slot's link)."""
    initial = {}
    for key, field in (("debut", "start"), ("fin", "end")):
        try:
            initial[field] = datetime.fromisoformat(request.GET.get(key, ""))
        except ValueError:
            continue
    return initial


@member_required
def item_detail(request, pk):
    """One item: its conditions, its month calendar, the booking form; its history for managers."""
    item = item_get_for_viewer(viewer=request.user, pk=pk)
    year, month = _month(request)
    manager = can_manage(request.user, item)
    context = {
        "item": item,
        "photos": selectors.item_photos(item=item),
        "description_html": render_markdown(item.description),
        "is_manager": manager,
        "today": timezone.localdate(),
        "form": BookingForm(item=item, initial=_slot_initial(request)) if item.is_active else None,
        "history": selectors.item_history(item=item) if manager else None,
        **selectors.item_month(item=item, year=year, month=month),
    }
    return TemplateResponse(request, "sharing/item_detail.html", _section(context))


@member_required
def item_create(request):
    """A member puts one of their structure's items up for lending."""
    organisations = services.lendable_organisations(request.user)
    if not organisations.exists():
        messages.info(request, _("Pour prêter du matériel, indiquez d'abord votre structure dans votre profil."))
        return redirect("community:profile_edit")
    form = ItemForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo, alt = data.pop("photo", None), data.pop("photo_alt", "")
        try:
            item = services.item_create(actor=request.user, data=data, photo=photo, photo_alt=alt)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("« %(name)s » est proposé au prêt.") % {"name": item.name})
            return redirect(item)
    return TemplateResponse(request, "sharing/item_form.html", _section({"form": form, "item": None}))


@member_required
def item_edit(request, pk):
    """The item's managers edit it (or take it off the list)."""
    item = item_get_managed(viewer=request.user, pk=pk)
    form = ItemForm(request.POST or None, request.FILES or None, instance=item, organisations=services.lendable_organisations(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.user, item=item, data=dict(form.cleaned_data))
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Les informations sont enregistrées."))
            return redirect(item)
    return TemplateResponse(request, "sharing/item_form.html", _section({"form": form, "item": item}))


@member_required
def item_photos(request, pk):
    """The item's managers add photos (up to ``SHARING_MAX_PHOTOS``), describe, order and remove them."""
    item = item_get_managed(viewer=request.user, pk=pk)
    form = ItemPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_photo_add(actor=request.user, item=item, upload=form.cleaned_data["image"], alt=form.cleaned_data["alt"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("La photo est ajoutée."))
            return redirect("sharing:item_photos", pk=item.pk)
    photos = selectors.item_photos(item=item)
    context = {"item": item, "form": form, "photos": photos, "max_photos": conf.max_photos(), "full": len(photos) >= conf.max_photos()}
    return TemplateResponse(request, "sharing/item_photos.html", _section(context))


@require_POST
@member_required
def photo_edit(request, pk, photo_pk):
    photo = photo_get_managed(viewer=request.user, item_pk=pk, pk=photo_pk)
    form = ItemPhotoAltForm(request.POST)
    if form.is_valid():
        services.item_photo_update(actor=request.user, photo=photo, alt=form.cleaned_data["alt"])
        messages.success(request, _("La description de la photo est enregistrée."))
    else:
        messages.error(request, _("La description tient en 200 caractères au plus."))
    return redirect("sharing:item_photos", pk=pk)


@require_POST
@member_required
def photo_move(request, pk, photo_pk):
    photo = photo_get_managed(viewer=request.user, item_pk=pk, pk=photo_pk)
    offset = -1 if request.POST.get("sens") == "avant" else 1
    services.item_photo_move(actor=request.user, photo=photo, offset=offset)
    messages.success(request, _("L'ordre des photos est enregistré."))
    return redirect("sharing:item_photos", pk=pk)


@require_POST
@member_required
def photo_delete(request, pk, photo_pk):
    photo = photo_get_managed(viewer=request.user, item_pk=pk, pk=photo_pk)
    services.item_photo_delete(actor=request.user, photo=photo)
    messages.success(request, _("La photo est retirée."))
    return redirect("sharing:item_photos", pk=pk)


@member_required
def booking_create(request, pk):
    """Ask for the item over a period; a taken period answers with the nearest free slot."""
    item = item_get_for_viewer(viewer=request.user, pk=pk)
    form = BookingForm(request.POST or None, item=item, initial=_slot_initial(request))
    slot = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            booking = services.booking_create(
                actor=request.user, item=item, start=d["start"], end=d["end"], quantity=d["quantity"], message=d["message"]
            )
        except services.SlotTaken as exc:
            form_add_validation_error(form, exc)
            slot = exc.slot
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            if booking.status == booking.Status.ACCEPTED:
                messages.success(request, _("C'est réservé : la structure accepte les réservations automatiquement."))
            else:
                messages.success(request, _("Votre demande est envoyée : vous serez prévenu·e de la réponse de la structure."))
            return redirect(booking)
    slot_url = ""
    if slot:
        local = [timezone.localtime(x).strftime("%Y-%m-%dT%H:%M") for x in slot]
        slot_url = f"{reverse('sharing:booking_create', args=[item.pk])}?debut={local[0]}&fin={local[1]}"
    context = {"item": item, "form": form, "slot": slot, "slot_url": slot_url}
    return TemplateResponse(request, "sharing/booking_form.html", _section(context), status=200)


@member_required
def booking_detail(request, pk):
    """A booking, for its borrower and the item's managers (404 for everyone else)."""
    booking = booking_get_for_viewer(viewer=request.user, pk=pk)
    actions = [(a, BOOKING_ACTION_LABELS[a]) for a in services.allowed_actions(request.user, booking)]
    context = {
        "booking": booking,
        "actions": actions,
        "needs_note": any(a in ("accept", "decline") for a, _label in actions),
        "is_manager": can_manage(request.user, booking.item),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "sharing/booking_detail.html", _section(context))


@require_POST
@member_required
def booking_action(request, pk):
    booking = booking_get_for_viewer(viewer=request.user, pk=pk)
    form = BookingActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Action inconnue."))
        return redirect(booking)
    try:
        services.booking_transition(actor=request.user, booking=booking, action=form.cleaned_data["action"], note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("C'est noté : %(status)s.") % {"status": booking.get_status_display().lower()})
    return redirect(booking)


@member_required
def my_bookings(request):
    """My bookings, and the requests on the items of my structure."""
    feed_url = request.build_absolute_uri(reverse("sharing:my_ics", args=[feed_token(request.user)]))
    now = timezone.now()
    mine = list(selectors.booking_list_mine(viewer=request.user)[:100])
    upcoming = sorted((b for b in mine if b.is_holding and b.end >= now), key=lambda b: (b.start, b.pk))
    context = {
        "upcoming": upcoming,
        "past": [b for b in mine if b not in upcoming],
        "to_handle": selectors.booking_list_to_handle(viewer=request.user)[:100],
        "feed_url": feed_url,
        "now": now,
    }
    return TemplateResponse(request, "sharing/my_bookings.html", _section(context))


def my_ics(request, token):
    """The private feed of my bookings: the signed token is the only credential."""
    user_id = feed_user_id(token)
    user = User.objects.filter(pk=user_id, is_active=True, erased_at__isnull=True).first() if user_id else None
    if user is None:
        raise Http404
    content = build_calendar(selectors.booking_list_for_feed(user=user), name=_("Mes réservations de matériel"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mes-reservations.ics"'
    return response
