"""Writes on shared items and bookings. Keyword-only, ``actor`` first, one transaction;
notifications through the community notification service (each member's preferences apply).

* ``item_create`` / ``item_update``: a member of the lending organisation (or hub staff);
* ``item_photo_add`` / ``item_photo_update`` / ``item_photo_move`` / ``item_photo_delete``: the
  item's managers; at most ``SHARING_MAX_PHOTOS`` per item (counted under the item's lock), the
  upload judged and re-encoded by ``community.images.picture_variants``; files deleted after commit;
* ``booking_create``: never more copies held than the stock at any instant, even under
  concurrent requests: the item row is locked first (``select_for_update`` on PostgreSQL; on
  SQLite the transaction begins with ``BEGIN IMMEDIATE``, which serialises writers), then the
  bookings overlapping the period are read and the new one written in the same transaction;
  a refused request says which free slot of the same length is nearest;
* ``booking_transition``: accept / decline (the organisation), hand over / get back (the
  organisation), cancel (the borrower), each a conditional update from the expected state;
* ``booking_reminders_send``: the periodic job, reminders before the start and when a return is
  late (each booking reminded once).
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.markdown import plain_excerpt
from community.images import picture_variants
from community.models import Organisation, User, is_approved_member
from community.notifications import notification_send

from . import conf
from .access import can_manage, managers_of
from .models import Booking, Item, ItemPhoto
from .selectors import held_intervals, nearest_free_slot, peak_use

ITEM_FIELDS = ("name", "kind", "organisation", "commune", "location", "description", "quantity", "auto_approve", "is_active")


class SlotTaken(ValidationError):
    """The period asked is taken; ``slot`` is the nearest free one of the same length (or None)."""

    def __init__(self, message, slot):
        super().__init__({"start": message})
        self.slot = slot


def moment(value: datetime) -> str:
    """ "lundi 7 décembre 2026 à 14:00", in the hub's time zone."""
    local = timezone.localtime(value)
    return _("%(day)s à %(time)s") % {"day": date_format(local, "l j F Y"), "time": date_format(local, "H:i")}


def lendable_organisations(actor: User):
    """The organisations the actor may lend for: their own; every one for hub staff."""
    if actor.is_hub_staff:
        return Organisation.objects.order_by("name")
    profile = getattr(actor, "profile", None)
    org_id = profile.organisation_id if profile and is_approved_member(actor) else None
    return Organisation.objects.filter(pk=org_id) if org_id else Organisation.objects.none()


def item_create(*, actor: User, data: dict, photo=None, photo_alt: str = "") -> Item:
    """Put an item up for lending, for one of the actor's organisations; ``photo`` (an upload) is
    its first photo. A refused photo refuses the whole item: nothing saved."""
    organisation = data.get("organisation")
    if organisation is None or not lendable_organisations(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    item = Item(created_by=actor, **{k: data[k] for k in ITEM_FIELDS if k in data})
    item.full_clean()
    with transaction.atomic():
        item.save()
        if photo:
            try:
                item_photo_add(actor=actor, item=item, upload=photo, alt=photo_alt)
            except ValidationError as exc:
                raise ValidationError({"photo": exc.messages}) from exc
    return item


def item_update(*, actor: User, item: Item, data: dict) -> Item:
    """Edit an item (its managers); moving it to another organisation needs to lend for that one too."""
    if not can_manage(actor, item):
        raise PermissionDenied
    organisation = data.get("organisation") or item.organisation
    if organisation.pk != item.organisation_id and not lendable_organisations(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    for key in ITEM_FIELDS:
        if key in data:
            setattr(item, key, data[key])
    item.full_clean()
    with transaction.atomic():
        item.save()
    return item


def item_photo_add(*, actor: User, item: Item, upload, alt: str = "") -> ItemPhoto:
    """Add a photo at the end of the item's gallery (its managers). Refused in French, nothing
    saved, when the upload is not an image, too large (bytes or pixels) or the item already has
    ``SHARING_MAX_PHOTOS`` photos."""
    if not can_manage(actor, item):
        raise PermissionDenied
    limit = conf.max_photos()
    with transaction.atomic():
        Item.objects.select_for_update().filter(pk=item.pk).first()  # serialises concurrent adds
        count = ItemPhoto.objects.filter(item=item).count()
        if count >= limit:
            raise ValidationError(
                {"image": _("Ce matériel a déjà %(n)s photos, le maximum : retirez-en une avant d'en ajouter.") % {"n": limit}}
            )
        try:
            variants = picture_variants(upload)
        except ValidationError as exc:
            raise ValidationError({"image": exc.messages}) from exc
        photo = ItemPhoto(item=item, alt=(alt or "").strip()[:200], position=count, width=variants.width, height=variants.height)
        stored = []
        try:
            for field, content in (
                ("image", variants.large),
                ("image_webp", variants.large_webp),
                ("thumb", variants.thumb),
                ("thumb_webp", variants.thumb_webp),
            ):
                getattr(photo, field).save(content.name, content, save=False)
                stored.append(getattr(photo, field).name)
            photo.save()
        except Exception:
            for name in stored:
                default_storage.delete(name)
            raise
    return photo


def _photo_managed(actor: User, photo: ItemPhoto) -> None:
    if not can_manage(actor, photo.item):
        raise PermissionDenied


def item_photo_update(*, actor: User, photo: ItemPhoto, alt: str) -> ItemPhoto:
    """Change a photo's description (its alternative text)."""
    _photo_managed(actor, photo)
    photo.alt = (alt or "").strip()[:200]
    photo.save(update_fields=["alt"])
    return photo


def _renumber(item: Item, ordered: list[int]) -> None:
    for position, pk in enumerate(ordered):
        ItemPhoto.objects.filter(pk=pk).exclude(position=position).update(position=position)


def item_photo_move(*, actor: User, photo: ItemPhoto, offset: int) -> None:
    """Move a photo ``offset`` places (−1 earlier, +1 later; the first is the cover)."""
    _photo_managed(actor, photo)
    with transaction.atomic():
        Item.objects.select_for_update().filter(pk=photo.item_id).first()
        ordered = list(ItemPhoto.objects.filter(item_id=photo.item_id).order_by("position", "pk").values_list("pk", flat=True))
        if photo.pk not in ordered:
            return
        index = ordered.index(photo.pk)
        target = max(0, min(len(ordered) - 1, index + offset))
        ordered.insert(target, ordered.pop(index))
        _renumber(photo.item, ordered)


def item_photo_delete(*, actor: User, photo: ItemPhoto) -> None:
    """Remove a photo; its files go after commit, the others close the gap."""
    _photo_managed(actor, photo)
    with transaction.atomic():
        Item.objects.select_for_update().filter(pk=photo.item_id).first()
        photo.delete()  # the files: ``signals``, after commit
        ordered = list(ItemPhoto.objects.filter(item_id=photo.item_id).order_by("position", "pk").values_list("pk", flat=True))
        _renumber(photo.item, ordered)


def _check_request(*, item: Item, start, end, quantity: int, now: datetime) -> None:
    errors = {}
    if not item.is_active:
        raise ValidationError(_("Ce matériel n'est plus proposé au prêt."))
    if start is None or end is None:
        raise ValidationError(_("Indiquez le début et la fin de la réservation."))
    if end <= start:
        errors["end"] = _("La fin doit être après le début.")
    elif end - start > timedelta(days=conf.max_days()):
        errors["end"] = _("Une réservation dure au plus %(days)s jours.") % {"days": conf.max_days()}
    if start < now:
        errors["start"] = _("Ce début est déjà passé : choisissez une date à venir.")
    if quantity < 1:
        errors["quantity"] = _("Indiquez au moins un exemplaire.")
    elif quantity > item.quantity:
        errors["quantity"] = ngettext(
            "La structure n'en prête qu'un exemplaire.", "La structure n'en prête que %(n)s exemplaires.", item.quantity
        ) % {"n": item.quantity}
    if errors:
        raise ValidationError(errors)


def _taken_message(slot) -> str:
    if slot is None:
        return _("Ce créneau est déjà réservé et aucun créneau de la même durée n'est libre dans les six mois autour.")
    return _("Ce créneau est déjà réservé. Créneau libre le plus proche : du %(start)s au %(end)s.") % {
        "start": moment(slot[0]),
        "end": moment(slot[1]),
    }


def booking_create(*, actor: User, item: Item, start: datetime, end: datetime, quantity: int = 1, message: str = "") -> Booking:
    """Ask for (or, if the organisation accepts automatically, book) ``quantity`` copies from
    ``start`` to ``end``. Refused with French messages, nothing saved, when the period is wrong,
    the stock too small, or the copies already held: then ``SlotTaken.slot`` is the nearest free
    slot of the same length."""
    if not is_approved_member(actor):
        raise PermissionDenied
    now = timezone.now()
    _check_request(item=item, start=start, end=end, quantity=quantity, now=now)
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        if peak_use(held_intervals(item=locked, start=start, end=end), start, end) + quantity > locked.quantity:
            slot = nearest_free_slot(item=locked, start=start, end=end, quantity=quantity)
            raise SlotTaken(_taken_message(slot), slot)
        auto = locked.auto_approve
        booking = Booking.objects.create(
            item=locked,
            borrower=actor,
            start=start,
            end=end,
            quantity=quantity,
            message=(message or "").strip()[:1000],
            status=Booking.Status.ACCEPTED if auto else Booking.Status.REQUESTED,
            decided_at=now if auto else None,
        )
        verb = _("Réservation de %(item)s du %(start)s") if auto else _("Demande de réservation de %(item)s pour le %(start)s")
        for manager in managers_of(locked).exclude(pk=actor.pk):
            notification_send(
                recipient=manager,
                kind="sharing.request",
                actor=actor,
                verb=verb % {"item": locked.name, "start": moment(start)},
                description=plain_excerpt(booking.message, 200),
                target=booking,
                url=booking.get_absolute_url(),
            )
    return booking


# action -> (who: "manager" or "borrower", from states, to state, verb for the other side)
TRANSITIONS = {
    "accept": ("manager", (Booking.Status.REQUESTED,), Booking.Status.ACCEPTED),
    "decline": ("manager", (Booking.Status.REQUESTED, Booking.Status.ACCEPTED), Booking.Status.DECLINED),
    "hand_over": ("manager", (Booking.Status.ACCEPTED,), Booking.Status.HANDED_OVER),
    "return": ("manager", (Booking.Status.HANDED_OVER,), Booking.Status.RETURNED),
    "cancel": ("borrower", (Booking.Status.REQUESTED, Booking.Status.ACCEPTED), Booking.Status.CANCELLED),
}


def allowed_actions(user: User, booking: Booking) -> list[str]:
    """The transitions ``user`` may apply to the booking now (for the buttons)."""
    manager = can_manage(user, booking.item)
    borrower = booking.borrower_id == user.pk
    return [
        action
        for action, (who, sources, _target) in TRANSITIONS.items()
        if booking.status in sources and ((who == "manager" and manager) or (who == "borrower" and borrower))
    ]


def booking_transition(*, actor: User, booking: Booking, action: str, note: str = "") -> Booking:
    """Move a booking along: accept, decline, hand over, get back (the organisation) or cancel
    (the borrower). The other side is told."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Action inconnue."))
    who, sources, target = TRANSITIONS[action]
    is_manager = can_manage(actor, booking.item)
    if (who == "manager" and not is_manager) or (who == "borrower" and booking.borrower_id != actor.pk):
        raise PermissionDenied
    now = timezone.now()
    changes = {"status": target, "updated_at": now}
    if action in ("accept", "decline"):
        changes.update(decided_by=actor, decided_at=now, decision_note=(note or "").strip()[:300])
    elif action == "hand_over":
        changes["handed_over_at"] = now
    elif action == "return":
        changes["returned_at"] = now
    with transaction.atomic():
        if not Booking.objects.filter(pk=booking.pk, status__in=sources).update(**changes):
            raise ValidationError(_("Cette réservation a changé entre-temps : rechargez la page."))
        booking.refresh_from_db()
        verb = _("%(item)s : réservation du %(start)s %(status)s") % {
            "item": booking.item.name,
            "start": moment(booking.start),
            "status": booking.get_status_display().lower(),
        }
        if who == "manager" and booking.borrower_id and booking.borrower_id != actor.pk:
            recipients = [(booking.borrower, "sharing.booking")]
        else:
            recipients = [(m, "sharing.request") for m in managers_of(booking.item).exclude(pk=actor.pk)]
        for recipient, kind in recipients:
            notification_send(recipient=recipient, kind=kind, actor=actor, verb=verb, target=booking, url=booking.get_absolute_url())
    return booking


def booking_reminders_send(*, now: datetime | None = None) -> int:
    """Remind borrowers of accepted bookings starting within ``SHARING_REMINDER_HOURS``, and
    borrowers and organisations of handed-over items not back at the end. Each booking gets each
    reminder once (conditional update first). Returns the number of reminders sent."""
    now = now or timezone.now()
    sent = 0
    soon = Booking.objects.filter(
        status=Booking.Status.ACCEPTED, reminded_at__isnull=True, start__gt=now, start__lte=now + timedelta(hours=conf.reminder_hours())
    ).select_related("item", "borrower")
    for booking in soon:
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            if booking.borrower_id:
                notification_send(
                    recipient=booking.borrower,
                    kind="sharing.reminder",
                    verb=_("Rappel : vous avez réservé %(item)s à partir du %(start)s")
                    % {"item": booking.item.name, "start": moment(booking.start)},
                    target=booking,
                    url=booking.get_absolute_url(),
                )
            sent += 1
    late = Booking.objects.filter(status=Booking.Status.HANDED_OVER, late_reminded_at__isnull=True, end__lt=now).select_related(
        "item", "borrower"
    )
    for booking in late:
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking.pk, late_reminded_at__isnull=True).update(late_reminded_at=now):
                continue
            verb = _("%(item)s devait être rendu le %(end)s") % {"item": booking.item.name, "end": moment(booking.end)}
            recipients = [(booking.borrower, "sharing.reminder")] if booking.borrower_id else []
            recipients += [(m, "sharing.request") for m in managers_of(booking.item)]
            for recipient, kind in recipients:
                notification_send(recipient=recipient, kind=kind, verb=verb, target=booking, url=booking.get_absolute_url())
            sent += 1
    return sent
