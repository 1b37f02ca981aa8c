"""Writes on places. Every function is keyword-only, names the acting member ``actor``, validates,
and saves in one transaction.

Stable API for other apps: ``place_set_label_state(place=, labelled=, valid_until=None)`` (the
labels app calls it when a label is granted, expires or is withdrawn).

The offer: ``place_offer_update`` (the offer's fields only) and ``place_offer_confirm`` ("still
true") record the managers' confirmation; ``place_confirm_reminders_send`` (periodic, idempotent)
asks the managers of records unconfirmed for ``PLACES_CONFIRM_REMINDER_MONTHS`` to confirm them.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User
from community.notifications import notification_send

from . import conf
from .access import can_manage_place
from .models import EDITABLE_FIELDS, OFFER_FIELDS, Place
from .opendata import ImportError_, ImportReport, import_plan
from .phones import phone_e164
from .schema import FIELDS, join_values

# Columns an import rewrites on a place it matched (its identifier stays ours).
IMPORT_UPDATE_FIELDS = [name for name in FIELDS if name != "schema_id"]


def _apply(place: Place, data: dict) -> None:
    """Copy editable values onto ``place``: lists are joined with "|" (the schema's multi-valued
    form) and the phone number is put in the schema's international form."""
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"unknown or read-only place field: {name}")
        if isinstance(value, list | tuple):
            value = join_values(value)
        if name == "telephone":
            value = phone_e164(value)
        setattr(place, name, value)


def place_create(*, actor: User | None, data: dict, publish: bool | None = None) -> Place:
    """Create a place; the actor becomes its manager. A member's place waits for staff moderation
    (unpublished); staff may publish at once (``publish`` defaults to ``actor.is_hub_staff``)."""
    is_staff = bool(actor and actor.is_hub_staff)
    if publish is None:
        publish = is_staff
    if publish and not is_staff:
        raise PermissionDenied
    today = timezone.localdate()
    place = Place(created_by=actor, is_published=publish, date_maj=today, confirmed_on=today)
    _apply(place, data)
    place.full_clean()
    with transaction.atomic():
        place.save()
        if actor is not None:
            place.managers.add(actor)
    return place


def place_update(*, actor: User, place: Place, data: dict) -> Place:
    """Edit a place (its managers and staff); the update date becomes today. Nothing is saved
    when a value is refused (the row keeps its previous values)."""
    if not can_manage_place(actor, place):
        raise PermissionDenied
    _apply(place, data)
    _confirmed(place)
    place.full_clean()
    with transaction.atomic():
        place.save()
    return place


def _confirmed(place: Place) -> None:
    place.date_maj = place.confirmed_on = timezone.localdate()
    place.confirm_reminded_at = None


def place_offer_update(*, actor: User, place: Place, data: dict) -> Place:
    """Managers edit the offer (services, publics, modalities, fees, languages, accessibility,
    hours); saving confirms the record. Nothing is saved when a value is refused."""
    if not can_manage_place(actor, place):
        raise PermissionDenied
    unknown = set(data) - set(OFFER_FIELDS)
    if unknown:
        raise ValueError(f"not an offer field: {sorted(unknown)}")
    _apply(place, data)
    _confirmed(place)
    place.full_clean()
    with transaction.atomic():
        place.save()
    return place


def place_offer_confirm(*, actor: User, place: Place) -> Place:
    """A manager says the record is still true: the confirmation date becomes today."""
    if not can_manage_place(actor, place):
        raise PermissionDenied
    _confirmed(place)
    Place.objects.filter(pk=place.pk).update(
        date_maj=place.date_maj, confirmed_on=place.confirmed_on, confirm_reminded_at=None, updated_at=timezone.now()
    )
    return place


def places_due_for_reminder(*, today: date | None = None):
    """Published places with managers, last confirmed (and last reminded) before the reminder
    period: those the periodic job reminds."""
    cutoff = conf.reminder_before(today)
    return (
        Place.objects.published()
        .filter(managers__isnull=False)
        .annotate(confirmed=Coalesce("confirmed_on", "date_maj"))
        .filter(confirmed__lt=cutoff)
        .filter(Q(confirm_reminded_at__isnull=True) | Q(confirm_reminded_at__date__lt=cutoff))
        .distinct()
    )


def place_confirm_reminders_send(*, today: date | None = None) -> int:
    """Ask the managers of each due place to confirm or update it (in-app notification, e-mail
    as their preferences say, a link only). A conditional update claims each place, so a second
    run, or two workers, remind nobody twice within the period. Returns the places reminded."""
    cutoff = conf.reminder_before(today)
    reminded = 0
    for place in places_due_for_reminder(today=today).prefetch_related("managers"):
        with transaction.atomic():
            claimed = (
                Place.objects.filter(pk=place.pk)
                .filter(Q(confirm_reminded_at__isnull=True) | Q(confirm_reminded_at__date__lt=cutoff))
                .update(confirm_reminded_at=timezone.now())
            )
            if not claimed:
                continue
            url = reverse("places:place_offer", kwargs={"pk": place.pk})
            for manager in place.managers.all():
                notification_send(
                    recipient=manager,
                    kind="places.confirm",
                    verb=_("Les informations de %(place)s sont-elles à jour ?") % {"place": place.nom},
                    description=_("Confirmez-les ou corrigez-les en quelques clics."),
                    target=place,
                    url=url,
                )
            reminded += 1
    return reminded


def place_set_published(*, actor: User, place: Place, published: bool) -> Place:
    """Staff moderation: publish a place on the public map and open data, or withdraw it."""
    if not (actor and actor.is_hub_staff):
        raise PermissionDenied
    Place.objects.filter(pk=place.pk).update(is_published=published, updated_at=timezone.now())
    place.is_published = published
    return place


def place_manager_add(*, actor: User, place: Place, member: User) -> None:
    """A manager (or staff) makes another active member a manager of the place."""
    if not can_manage_place(actor, place):
        raise PermissionDenied
    if not member.is_active or member.erased_at is not None:
        raise ValidationError(_("Ce compte n'est pas actif."))
    place.managers.add(member)


def place_manager_remove(*, actor: User, place: Place, member: User) -> None:
    """Remove a manager; a place keeps at least one manager unless staff remove them."""
    if not can_manage_place(actor, place):
        raise PermissionDenied
    with transaction.atomic():
        if not actor.is_hub_staff and not place.managers.exclude(pk=member.pk).exists():
            raise ValidationError(_("Un lieu garde au moins un·e gestionnaire."))
        place.managers.remove(member)


def place_set_label_state(*, place: Place, labelled: bool, valid_until: date | None = None) -> None:
    """Called by the labels app: the place carries (or no longer carries) the regional label.

    Drives the "labelled only" filter of the list and map. ``valid_until`` is shown on the page.
    """
    Place.objects.filter(pk=place.pk).update(is_labelled=labelled, labelled_until=valid_until if labelled else None)
    place.is_labelled = labelled
    place.labelled_until = valid_until if labelled else None


def _insert_places(places: list[Place]) -> None:
    """Insert new places. On PostgreSQL one ``COPY`` (about three times faster than
    ``bulk_create``'s INSERT … UNNEST, which builds one array per column in Python)."""
    if connection.vendor != "postgresql":
        Place.objects.bulk_create(places, batch_size=500)
        return
    fields = [f for f in Place._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(Place._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {table} ({columns}) FROM STDIN"  # noqa: S608 - names from the model
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for place in places:
            copy.write_row([f.get_db_prep_save(f.pre_save(place, True), connection) for f in fields])


def place_import(*, actor: User, content: bytes | str, mode: str = "all", dry_run: bool = False) -> ImportReport:
    """Staff import a schema CSV (``opendata.import_plan`` checks every row): in mode ``all`` one
    refused row and nothing is written; in mode ``valid`` the valid rows are written and the others
    reported. Either way the writes are one transaction (bulk inserts and updates), so an import
    is never half applied; two imports racing on one identifier leave the second with nothing written."""
    if not (actor and actor.is_hub_staff):
        raise PermissionDenied
    plan = import_plan(content=content, mode=mode, actor=actor)
    report = plan.report
    if dry_run or not plan.readable or (mode == "all" and report.row_errors):
        return report
    now = timezone.now()
    for place in plan.to_create:
        place.created_at = place.updated_at = now
        place.fill_search_text()
    for place in plan.to_update:
        place.updated_at = now
        place.fill_search_text()
    try:
        with transaction.atomic():
            _insert_places(plan.to_create)
            Place.objects.bulk_update(plan.to_update, [*IMPORT_UPDATE_FIELDS, "updated_at", "search_text"], batch_size=500)
    except IntegrityError:
        report.errors.append(ImportError_(1, "id", _("Un autre import vient d'écrire ces lieux : rien n'a été importé, recommencez.")))
        return report
    report.created, report.updated, report.applied = len(plan.to_create), len(plan.to_update), True
    return report
