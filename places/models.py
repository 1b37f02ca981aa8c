"""Mediation places: one row per place, with every field of the national schema.

Schema fields keep the schema's own column names (``nom``, ``code_postal``, ``services``…) so the
open-data export and import map one to one; the schema's ``id`` is ``schema_id`` (``id`` is our
primary key). Multi-valued columns are stored as the schema writes them: values joined by ``|``
(``Place.values("services")`` gives the list). Beyond the schema: ``langues`` and
``accessibilite`` (closed vocabularies in ``schema.EXTRA_MULTI_VALUED``, never exported),
``confirmed_on`` (the managers' last confirmation of the record) and ``confirm_reminded_at``, ``managers`` (members who may edit
the place), ``is_published`` (staff moderation), ``is_labelled`` (kept by the labels app through
``places.services.place_set_label_state``) and ``search_text`` (accent- and case-free text of the
searchable fields, kept by ``save`` and by the bulk import through ``Place.fill_search_text``).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from common.text import normalize

from . import conf, schema
from .validators import (
    SchemaChoicesValidator,
    check_postcode_insee,
    validate_emails,
    validate_insee,
    validate_opening_hours,
    validate_phone,
    validate_pivot,
    validate_postcode,
    validate_urls,
)

# Fields a place manager edits: the schema's columns except those the site keeps (the one list
# the form, the service and the import share).
EDITABLE_FIELDS = [*schema.EDITABLE_COLUMNS, *schema.EXTRA_MULTI_VALUED]
# The offer (what the place does, for whom, how): the schema's vocabularies plus languages and
# accessibility. Its managers confirm it regularly (``confirmed_on``).
OFFER_FIELDS = [
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "modalites_accompagnement",
    "modalites_acces",
    "frais_a_charge",
    "itinerance",
    "dispositif_programmes_nationaux",
    "langues",
    "accessibilite",
    "horaires",
]
# Fields whose words the search box finds (accents and case ignored).
SEARCH_FIELDS = ["nom", "commune", "code_postal", "adresse", "complement_adresse", "structure_parente", "presentation_resume"]


def new_schema_id() -> str:
    """Identifier for a place created here (the schema's ``id``: unique, stable, opaque)."""
    return f"maillage-{uuid.uuid4().hex[:12]}"


class PlaceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, viewer):
        """Published places, plus the viewer's own places; hub staff see every place."""
        if viewer is not None and getattr(viewer, "is_authenticated", False):
            if viewer.is_hub_staff:
                return self
            return self.filter(models.Q(is_published=True) | models.Q(managers=viewer)).distinct()
        return self.published()


def _multi(label: str, column: str) -> models.TextField:
    return models.TextField(label, blank=True, default="", validators=[SchemaChoicesValidator(column)])


class Place(TimeStampedModel):
    schema_id = models.CharField(_("identifiant (id)"), max_length=100, unique=True, default=new_schema_id)
    pivot = models.CharField(_("pivot (SIRET ou RNA)"), max_length=14, validators=[validate_pivot], db_index=True)
    nom = models.CharField(_("nom"), max_length=250)
    commune = models.CharField(_("commune"), max_length=150, db_index=True)
    code_postal = models.CharField(_("code postal"), max_length=5, validators=[validate_postcode])
    code_insee = models.CharField(_("code INSEE"), max_length=5, blank=True, default="", validators=[validate_insee], db_index=True)
    adresse = models.CharField(_("adresse"), max_length=250)
    complement_adresse = models.CharField(_("complément d'adresse"), max_length=250, blank=True, default="")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    typologie = models.CharField(_("typologie"), max_length=250, blank=True, default="")
    telephone = models.CharField(_("téléphone"), max_length=16, blank=True, default="", validators=[validate_phone])
    courriels = models.TextField(_("courriels"), blank=True, default="", validators=[validate_emails])
    site_web = models.TextField(_("site web"), blank=True, default="", validators=[validate_urls])
    horaires = models.TextField(_("horaires (format OpenStreetMap)"), blank=True, default="", validators=[validate_opening_hours])
    presentation_resume = models.CharField(
        _("présentation résumée"), max_length=280, blank=True, default="", validators=[MaxLengthValidator(280)]
    )
    presentation_detail = models.TextField(_("présentation détaillée"), blank=True, default="")
    source = models.CharField(_("source"), max_length=250, blank=True, default="")
    itinerance = _multi(_("itinérance"), "itinerance")
    structure_parente = models.CharField(_("structure parente"), max_length=250, blank=True, default="")
    date_maj = models.DateField(_("date de mise à jour"), default=timezone.localdate)
    services = _multi(_("services"), "services")
    publics_specifiquement_adresses = _multi(_("publics spécifiquement adressés"), "publics_specifiquement_adresses")
    prise_en_charge_specifique = _multi(_("prise en charge spécifique"), "prise_en_charge_specifique")
    frais_a_charge = _multi(_("frais à charge"), "frais_a_charge")
    dispositif_programmes_nationaux = _multi(_("dispositifs et programmes nationaux"), "dispositif_programmes_nationaux")
    formations_labels = _multi(_("formations et labels"), "formations_labels")
    autres_formations_labels = models.TextField(_("autres formations et labels"), blank=True, default="")
    modalites_acces = _multi(_("modalités d'accès"), "modalites_acces")
    modalites_accompagnement = _multi(_("modalités d'accompagnement"), "modalites_accompagnement")
    fiche_acces_libre = models.URLField(_("fiche Acceslibre"), max_length=500, blank=True, default="")
    prise_rdv = models.URLField(_("prise de rendez-vous en ligne"), max_length=500, blank=True, default="")

    # Beyond the schema.
    langues = _multi(_("langues parlées"), "langues")
    accessibilite = _multi(_("accessibilité"), "accessibilite")
    confirmed_on = models.DateField(_("informations confirmées le"), null=True, blank=True)
    confirm_reminded_at = models.DateTimeField(_("rappel de confirmation envoyé le"), null=True, blank=True)
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="managed_places", verbose_name=_("gestionnaires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("créé par")
    )
    is_published = models.BooleanField(_("publié"), default=False, db_index=True)
    is_labelled = models.BooleanField(_("labellisé"), default=False, db_index=True)
    labelled_until = models.DateField(_("label valable jusqu'au"), null=True, blank=True)
    search_text = models.TextField(_("texte de recherche"), blank=True, default="", editable=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["nom", "pk"]
        verbose_name = _("lieu de médiation numérique")
        verbose_name_plural = _("lieux de médiation numérique")
        indexes = [models.Index(fields=["is_published", "nom"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90), name="place_latitude_range"
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180), name="place_longitude_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.commune})"

    def get_absolute_url(self) -> str:
        return reverse("places:place_detail", kwargs={"pk": self.pk})

    def values(self, column: str) -> list[str]:
        """The list of values of a multi-valued column."""
        return schema.split_values(getattr(self, column))

    @property
    def last_confirmed(self):
        """When a manager last confirmed the record (saving it counts), else its update date."""
        return self.confirmed_on or self.date_maj

    @property
    def is_stale(self) -> bool:
        """Not confirmed for ``PLACES_STALE_MONTHS`` (12): flagged on the map, list and exports."""
        return self.last_confirmed is not None and self.last_confirmed < conf.stale_before()

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def clean(self):
        super().clean()
        message = check_postcode_insee(self.code_postal, self.code_insee)
        if message:
            raise ValidationError({"code_insee": message})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": gettext("Indiquez la latitude et la longitude, ou aucune des deux.")})

    def fill_search_text(self) -> None:
        """``search_text`` from the searchable fields and the typology labels (``save`` calls it;
        bulk writes call it themselves)."""
        words = [getattr(self, name) for name in SEARCH_FIELDS]
        words += [str(schema.TYPOLOGIES.get(code, code)) for code in schema.split_values(self.typologie)]
        self.search_text = normalize(" ".join(w for w in words if w))

    def save(self, *args, **kwargs):
        self.fill_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)
