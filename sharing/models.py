"""Shared equipment and rooms: what members' structures lend, and the bookings of it.

An ``Item`` belongs to an organisation (``community.Organisation``); the approved members of that
organisation manage it (hub staff too). A ``Booking`` holds ``quantity`` copies of the item from
``start`` to ``end``; while it is requested, accepted or handed over it holds them, and the sum of
the quantities held at any instant never exceeds the item's stock. ``services.booking_create``
enforces it under a lock of the item row (``select_for_update`` on PostgreSQL, the write lock
``BEGIN IMMEDIATE`` takes on SQLite), so concurrent requests are served one after the other.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from community.models import Commune, Organisation


def item_photo_path(instance, filename):
    return f"partage/{filename}"


class Item(TimeStampedModel):
    class Kind(models.TextChoices):
        EQUIPMENT = "materiel", _("Matériel")
        ROOM = "salle", _("Salle")
        VEHICLE = "vehicule", _("Véhicule")
        OTHER = "autre", _("Autre")

    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.EQUIPMENT, db_index=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="shared_items", verbose_name=_("structure qui prête")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="shared_items", verbose_name=_("commune")
    )
    location = models.CharField(
        _("lieu de retrait"), max_length=200, blank=True, help_text=_("Adresse ou salle où l'on vient le chercher.")
    )
    description = models.TextField(_("description et conditions"), blank=True, max_length=5000)
    quantity = models.PositiveSmallIntegerField(_("nombre d'exemplaires"), default=1)
    auto_approve = models.BooleanField(
        _("accepter les réservations automatiquement"),
        default=False,
        help_text=_("Sinon, un membre de la structure accepte ou refuse chaque demande."),
    )
    is_active = models.BooleanField(_("proposé au prêt"), default=True, help_text=_("Décochez pour le retirer de la liste."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("matériel ou salle partagé")
        verbose_name_plural = _("matériels et salles partagés")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="sharing_item_quantity_positive")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sharing:item_detail", kwargs={"pk": self.pk})

    @property
    def cover(self):
        """The first photo, read from the prefetched ``photos`` (``selectors.item_list``)."""
        return next(iter(self.photos.all()), None)


class Booking(TimeStampedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demandée")
        ACCEPTED = "accepted", _("Acceptée")
        HANDED_OVER = "handed_over", _("Remise")
        RETURNED = "returned", _("Rendue")
        DECLINED = "declined", _("Refusée")
        CANCELLED = "cancelled", _("Annulée")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("matériel ou salle"))
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="bookings", verbose_name=_("emprunteur·se")
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    quantity = models.PositiveSmallIntegerField(_("nombre d'exemplaires"), default=1)
    message = models.TextField(_("message à la structure"), blank=True, max_length=1000)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_note = models.CharField(_("mot de la structure"), max_length=300, blank=True)
    handed_over_at = models.DateTimeField(_("remise le"), null=True, blank=True)
    returned_at = models.DateTimeField(_("rendue le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    late_reminded_at = models.DateTimeField(_("relance de retard envoyée le"), null=True, blank=True)

    # the states that hold copies of the item
    HOLDING = (Status.REQUESTED, Status.ACCEPTED, Status.HANDED_OVER)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("réservation")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="sharing_booking_end_after_start"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="sharing_booking_quantity_positive"),
        ]
        indexes = [models.Index(fields=["item", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.item} ({self.start:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("sharing:booking_detail", kwargs={"pk": self.pk})

    @property
    def is_holding(self) -> bool:
        return self.status in self.HOLDING


class ItemPhoto(models.Model):
    """A photo of a shared item, in the order its managers chose (``position`` 0 is the cover).

    RGPD: these photos belong to an organisation's item, not to a person: they are not in a
    member's data export nor erased with an account (take no photo of people). Their files are
    deleted with the row (``signals``), so with the item and its organisation too.

    ``image`` (+ WebP) is fitted in 1,600 px for the gallery, ``thumb`` (+ WebP) a crop for
    the cards (16:9, 640 × 360); all four re-encoded without metadata by ``community.images.picture_variants``."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="photos", verbose_name=_("matériel ou salle"))
    image = models.ImageField(_("photo"), upload_to=item_photo_path)
    image_webp = models.FileField(upload_to=item_photo_path, blank=True, editable=False)
    thumb = models.FileField(upload_to=item_photo_path, blank=True, editable=False)
    thumb_webp = models.FileField(upload_to=item_photo_path, blank=True, editable=False)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt = models.CharField(
        _("description de la photo"),
        max_length=200,
        blank=True,
        help_text=_("Ce que montre la photo, pour qui ne la voit pas. Vide : le nom du matériel."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("photo de matériel")
        verbose_name_plural = _("photos de matériel")

    def __str__(self) -> str:
        return self.alt_text

    @property
    def alt_text(self) -> str:
        """The alternative text: the one given, else the item's name."""
        return self.alt.strip() or self.item.name

    def file_names(self) -> list[str]:
        return [f.name for f in (self.image, self.image_webp, self.thumb, self.thumb_webp) if f]
