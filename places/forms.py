"""Forms for places: edit form (schema fields grouped in sections), list filters, CSV import.

Forms render through the project form renderer (``{{ form }}``, ``{{ field.as_field_group }}``).
"""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.uploads import check_size
from community.selectors import user_get_by_email

from . import finder, schema
from .models import EDITABLE_FIELDS, OFFER_FIELDS, Place
from .opendata import import_modes
from .phones import phone_e164

CLOSED_MULTI = dict(schema.VOCABULARIES)

SECTIONS = [
    (_("Identité"), ["nom", "pivot", "typologie", "structure_parente"]),
    (_("Adresse"), ["adresse", "complement_adresse", "code_postal", "commune", "code_insee", "latitude", "longitude", "itinerance"]),
    (_("Contact et accès"), ["telephone", "courriels", "site_web", "horaires", "prise_rdv", "fiche_acces_libre", "modalites_acces"]),
    (_("Présentation"), ["presentation_resume", "presentation_detail"]),
    (
        _("Offre"),
        [
            "services",
            "publics_specifiquement_adresses",
            "prise_en_charge_specifique",
            "frais_a_charge",
            "modalites_accompagnement",
            "dispositif_programmes_nationaux",
            "formations_labels",
            "autres_formations_labels",
            "langues",
            "accessibilite",
        ],
    ),
    (_("Source des données"), ["source"]),
]

HELP = {
    "pivot": _("SIRET (14 chiffres) de la structure, ou numéro RNA (W suivi de 9 chiffres) pour une association."),
    "telephone": _("Par exemple 03 80 12 34 56, ou 0262 12 34 56 à La Réunion."),
    "courriels": _("Plusieurs adresses : séparez-les par une virgule."),
    "site_web": _("Adresse complète commençant par https://. Plusieurs adresses : séparez-les par une virgule."),
    "horaires": _("Format OpenStreetMap, par exemple : Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off"),
    "presentation_resume": _("280 caractères au plus."),
    "presentation_detail": _("Markdown accepté."),
    "latitude": _("En degrés décimaux (ex. 47.3220). Laissez vide si inconnue."),
    "longitude": _("En degrés décimaux (ex. 5.0415)."),
    "code_insee": _("Code officiel géographique de la commune (ex. 21231 pour Dijon)."),
}


class PlaceForm(forms.ModelForm):
    """The place record, in sections; multi-valued columns as checkboxes (joined with "|" here,
    so the model's validators see the stored form)."""

    typologie = forms.MultipleChoiceField(label=_("Typologie"), required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Place
        fields = EDITABLE_FIELDS
        widgets = {
            "presentation_resume": forms.Textarea(attrs={"rows": 3, "maxlength": 280}),
            "presentation_detail": forms.Textarea(attrs={"rows": 6}),
            "autres_formations_labels": forms.TextInput(),
            "courriels": forms.TextInput(attrs={"autocomplete": "email"}),
            "site_web": forms.TextInput(attrs={"inputmode": "url"}),
            "horaires": forms.TextInput(attrs={"spellcheck": "false"}),
            "telephone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, vocabulary in CLOSED_MULTI.items():
            self.fields[name] = forms.MultipleChoiceField(
                label=self.fields[name].label,
                required=False,
                choices=[(v, v) for v in vocabulary],
                widget=forms.CheckboxSelectMultiple,
            )
        current = self.instance.values("typologie") if self.instance.pk else []
        self.fields["typologie"].choices = [(k, v) for k, v in schema.TYPOLOGIES.items()] + [
            (c, c) for c in current if c not in schema.TYPOLOGIES
        ]
        if self.instance.pk:
            for name in [*CLOSED_MULTI, "typologie"]:
                self.initial[name] = self.instance.values(name)
            for name in ("courriels", "site_web"):
                self.initial[name] = ", ".join(self.instance.values(name))
        for name, field in self.fields.items():
            field.label = str(field.label)[:1].upper() + str(field.label)[1:]
            if name in HELP:
                field.help_text = HELP[name]
        self.fields["latitude"].widget = forms.NumberInput(attrs={"step": "any", "min": -90, "max": 90})
        self.fields["longitude"].widget = forms.NumberInput(attrs={"step": "any", "min": -180, "max": 180})

    def clean_telephone(self):
        return phone_e164(self.cleaned_data.get("telephone", ""))

    def _split_list(self, name):
        return schema.join_values(v.strip() for v in re.split(r"[,;|\s]+", self.cleaned_data.get(name) or "") if v.strip())

    def clean_courriels(self):
        return self._split_list("courriels")

    def clean_site_web(self):
        return self._split_list("site_web")

    def clean(self):
        data = super().clean()
        for name in [*CLOSED_MULTI, "typologie"]:
            if isinstance(data.get(name), list):
                data[name] = schema.join_values(data[name])
        return data

    def sections(self):
        """(title, bound fields) per section of the page."""
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}


class OfferForm(forms.ModelForm):
    """The offer only (what, for whom, how, when): the form a manager fills in a minute when the
    stale-data reminder asks; multi-valued fields as checkboxes, joined with "|"."""

    class Meta:
        model = Place
        fields = OFFER_FIELDS
        widgets = {"horaires": forms.TextInput(attrs={"spellcheck": "false"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in OFFER_FIELDS:
            if name in CLOSED_MULTI:
                self.fields[name] = forms.MultipleChoiceField(
                    label=self.fields[name].label,
                    required=False,
                    choices=[(v, v) for v in CLOSED_MULTI[name]],
                    widget=forms.CheckboxSelectMultiple,
                )
                self.initial[name] = self.instance.values(name)
        for name, field in self.fields.items():
            field.label = str(field.label)[:1].upper() + str(field.label)[1:]
            if name in HELP:
                field.help_text = HELP[name]

    def clean(self):
        data = super().clean()
        for name in CLOSED_MULTI:
            if isinstance(data.get(name), list):
                data[name] = schema.join_values(data[name])
        return data

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in OFFER_FIELDS if name in self.cleaned_data}


ALL = _("Tous")


def _choices(values, empty=ALL):
    return [("", empty)] + [(v, v) for v in values]


class PlaceFilterForm(forms.Form):
    """The finder (GET, works without JavaScript): need, public, modality, fees, accessibility,
    language, itinerance, place and distance, and "open at". Invalid values are ignored."""

    q = forms.CharField(label=_("Nom, commune ou code postal"), required=False)
    services = forms.ChoiceField(label=_("Besoin"), required=False, choices=_choices(schema.SERVICES, empty=_("Tous les besoins")))
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    rayon = forms.ChoiceField(
        label=_("Distance"),
        required=False,
        choices=[("", _("Dans la commune")), *finder.RADII],
        help_text=_("Autour de la commune choisie."),
    )
    ouvert = forms.ChoiceField(label=_("Ouvert"), required=False, choices=[("", _("Peu importe")), *finder.SHORTCUTS])
    jour = forms.ChoiceField(label=_("Ou ouvert le"), required=False, choices=[("", _("Tous les jours")), *finder.WEEKDAYS])
    heure = forms.TimeField(label=_("À"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    publics = forms.ChoiceField(label=_("Public"), required=False, choices=_choices(schema.PUBLICS))
    prise_en_charge = forms.ChoiceField(
        label=_("Prise en charge spécifique"), required=False, choices=_choices(schema.PRISE_EN_CHARGE, empty=_("Toutes"))
    )
    modalite = forms.ChoiceField(
        label=_("Modalité d'accompagnement"), required=False, choices=_choices(schema.MODALITES_ACCOMPAGNEMENT, empty=_("Toutes"))
    )
    frais = forms.ChoiceField(label=_("Frais"), required=False, choices=_choices(schema.FRAIS))
    accessibilite = forms.ChoiceField(label=_("Accessibilité"), required=False, choices=_choices(schema.ACCESSIBILITE, empty=_("Toutes")))
    langue = forms.ChoiceField(label=_("Langue parlée"), required=False, choices=_choices(schema.LANGUES, empty=_("Toutes")))
    itinerance = forms.ChoiceField(label=_("Itinérance"), required=False, choices=[("", ALL), *[(v, v) for v in schema.ITINERANCE]])
    labelled = forms.BooleanField(label=_("Lieux labellisés seulement"), required=False)

    PRIMARY = ("q", "services", "commune", "rayon", "ouvert", "jour", "heure")

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = _choices(communes, empty=_("Toutes"))

    def primary_fields(self):
        return [self[name] for name in self.PRIMARY]

    def more_fields(self):
        return [self[name] for name in self.fields if name not in self.PRIMARY]

    def more_used(self) -> bool:
        """Whether a criterion of the folded part is set (the part then opens)."""
        return any(self.data.get(name) for name in self.fields if name not in self.PRIMARY)

    def filters(self) -> dict:
        """Cleaned filters; invalid values are ignored (a list page never errors on a bad query)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class PlaceImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV au format du schéma national"), help_text=_("UTF-8, séparateur virgule, 10 Mo au plus."))
    mode = forms.ChoiceField(label=_("En cas d'erreur"), choices=import_modes, initial="all", widget=forms.RadioSelect)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_size(upload, getattr(settings, "PLACES_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
        content = upload.read()
        if b"\x00" in content[:4096]:
            raise forms.ValidationError(_("Ce fichier n'est pas un fichier CSV (texte)."))
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Le fichier doit être encodé en UTF-8.")) from None
        return content


class ManagerAddForm(forms.Form):
    """A member to make a manager, by e-mail address; ``cleaned_data["member"]`` is the account."""

    email = forms.EmailField(label=_("Adresse e-mail du membre"))

    def clean_email(self):
        email = self.cleaned_data["email"]
        member = user_get_by_email(email)
        if member is None:
            raise forms.ValidationError(_("Aucun membre actif n'a cette adresse."))
        self.cleaned_data["member"] = member
        return email
