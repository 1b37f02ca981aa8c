"""Forms for places: edit form (schema fields grouped in sections), list filters, CSV import."""

import re

from django import forms
from django.conf import settings

from common.uploads import check_size

from . import schema
from .models import Place
from .opendata import MODES
from .services import EDITABLE_FIELDS
from .validators import normalise_phone

CLOSED_MULTI = {name: vocab for name, vocab in schema.MULTI_VALUED.items() if vocab}

SECTIONS = [
    ("Identité", ["nom", "pivot", "typologie", "structure_parente"]),
    ("Adresse", ["adresse", "complement_adresse", "code_postal", "commune", "code_insee", "latitude", "longitude", "itinerance"]),
    ("Contact et accès", ["telephone", "courriels", "site_web", "horaires", "prise_rdv", "fiche_acces_libre", "modalites_acces"]),
    ("Présentation", ["presentation_resume", "presentation_detail"]),
    (
        "Offre",
        [
            "services",
            "publics_specifiquement_adresses",
            "prise_en_charge_specifique",
            "frais_a_charge",
            "modalites_accompagnement",
            "dispositif_programmes_nationaux",
            "formations_labels",
            "autres_formations_labels",
        ],
    ),
    ("Source des données", ["source"]),
]

HELP = {
    "pivot": "SIRET (14 chiffres) de la structure, ou numéro RNA (W suivi de 9 chiffres) pour une association.",
    "telephone": "Par exemple 03 80 12 34 56 ou +33380123456.",
    "courriels": "Plusieurs adresses : séparez-les par une virgule.",
    "site_web": "Adresse complète commençant par https://. Plusieurs adresses : séparez-les par une virgule.",
    "horaires": "Format OpenStreetMap, par exemple : Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off",
    "presentation_resume": "280 caractères au plus.",
    "presentation_detail": "Markdown accepté.",
    "latitude": "En degrés décimaux (ex. 47.3220). Laissez vide si inconnue.",
    "longitude": "En degrés décimaux (ex. 5.0415).",
    "code_insee": "Code officiel géographique de la commune (ex. 21231 pour Dijon).",
}


class PlaceForm(forms.ModelForm):
    typologie = forms.MultipleChoiceField(label="Typologie", required=False, widget=forms.CheckboxSelectMultiple)

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
                label=self.fields[name].label.capitalize(),
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
            field.label = field.label[0].upper() + field.label[1:]
            if name in HELP:
                field.help_text = HELP[name]
        self.fields["latitude"].widget = forms.NumberInput(attrs={"step": "any", "min": -90, "max": 90})
        self.fields["longitude"].widget = forms.NumberInput(attrs={"step": "any", "min": -180, "max": 180})

    def clean_telephone(self):
        return normalise_phone(self.cleaned_data.get("telephone", ""))

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
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}


def _choices(values, empty="Tous"):
    return [("", empty)] + [(v, v) for v in values]


class PlaceFilterForm(forms.Form):
    q = forms.CharField(label="Nom, commune ou code postal", required=False)
    services = forms.ChoiceField(label="Service", required=False, choices=_choices(schema.SERVICES))
    publics = forms.ChoiceField(label="Public", required=False, choices=_choices(schema.PUBLICS))
    frais = forms.ChoiceField(label="Frais", required=False, choices=_choices(schema.FRAIS))
    commune = forms.ChoiceField(label="Commune", required=False)
    labelled = forms.BooleanField(label="Lieux labellisés seulement", required=False)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = _choices(communes, empty="Toutes")

    def filters(self) -> dict:
        """Cleaned filters; invalid values are ignored (a list page never errors on a bad query)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


class PlaceImportForm(forms.Form):
    file = forms.FileField(label="Fichier CSV au format du schéma national", help_text="UTF-8, séparateur virgule, 10 Mo au plus.")
    mode = forms.ChoiceField(label="En cas d'erreur", choices=list(MODES.items()), initial="all", widget=forms.RadioSelect)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_size(upload, getattr(settings, "PLACES_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
        content = upload.read()
        if b"\x00" in content[:4096]:
            raise forms.ValidationError("Ce fichier n'est pas un fichier CSV (texte).")
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("Le fichier doit être encodé en UTF-8.") from None
        return content


class ManagerAddForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail du membre")
