"""Forms: search (GET), watches, calls (manual entry), sources, CSV import, partner search."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.forms import FoldedCriteria, FormOnce, ServiceModelForm
from community.models import Commune, Department, Region

from .filters import SORTS, CallFilters
from .models import (
    CALL_FORM_FIELDS,
    SOURCE_FIELDS,
    ApplicationStatus,
    Beneficiary,
    CallKind,
    ConsortiumVisibility,
    FundingCall,
    Scope,
    Source,
    SupportKind,
    SupportStatus,
    Theme,
    WatchFrequency,
    codes_to_text,
    text_to_codes,
)

SORT_CHOICES = [("deadline", _("Date limite la plus proche")), ("newest", _("Plus récents")), ("relevance", _("Pertinence"))]


class CallSearchForm(FoldedCriteria, FormOnce, forms.Form):
    """The search's filters (some 30 options). Unsearched, its markup is kept whole per language;
    on a search, each field left blank keeps its group (``FormOnce.once_field_groups``): only
    what the member filled in renders afresh."""

    template_name = "forms/filters_fold.html"

    once_field_groups = True

    q = forms.CharField(label=_("Mots-clés"), required=False, max_length=200)
    themes = forms.MultipleChoiceField(label=_("Thématiques"), choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple)
    beneficiaries = forms.MultipleChoiceField(
        label=_("Bénéficiaires"), choices=Beneficiary.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    kinds = forms.MultipleChoiceField(label=_("Type d'aide"), choices=CallKind.choices, required=False, widget=forms.CheckboxSelectMultiple)
    my_territory = forms.BooleanField(label=_("Couvre mon territoire"), required=False)
    open_now = forms.BooleanField(label=_("Ouverts actuellement"), required=False)
    deadline_before = forms.DateField(label=_("Date limite avant le"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount_min = forms.IntegerField(label=_("Montant d'au moins (€)"), required=False, min_value=0)
    include_closed = forms.BooleanField(label=_("Inclure les appels clôturés (archives)"), required=False)
    # the default named as initial: a search sent with it is no criterion set (FoldedCriteria)
    sort = forms.ChoiceField(label=_("Trier par"), choices=SORT_CHOICES, required=False, initial="deadline")

    def to_filters(self, *, territory) -> CallFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return CallFilters(
            q=data.get("q") or "",
            themes=tuple(data.get("themes") or ()),
            beneficiaries=tuple(data.get("beneficiaries") or ()),
            kinds=tuple(data.get("kinds") or ()),
            my_territory=bool(data.get("my_territory")),
            open_now=bool(data.get("open_now")),
            deadline_before=data.get("deadline_before"),
            amount_min=data.get("amount_min"),
            include_closed=bool(data.get("include_closed")),
            sort=data.get("sort") if data.get("sort") in SORTS else "deadline",
            territory=territory,
        )


class WatchForm(FormOnce, forms.Form):
    """Under every search: the frequency's group is kept (``once_field_groups``); the name, the
    search's words by default, renders each time."""

    once_field_groups = True

    name = forms.CharField(label=_("Nom de l'alerte"), max_length=120)
    frequency = forms.ChoiceField(label=_("Recevoir les nouveaux appels"), choices=WatchFrequency.choices, initial=WatchFrequency.WEEKLY)


class _CallFieldsForm(ServiceModelForm):
    """What the hub's call form and a member's report share: themes and beneficiaries as boxes
    (stored as text codes), the perimeter's territory required unless national, data for the
    service with blank texts as ""."""

    themes_list = forms.MultipleChoiceField(
        label=_("Thématiques"), choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    beneficiaries_list = forms.MultipleChoiceField(
        label=_("Bénéficiaires"), choices=Beneficiary.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    BLANK_AS_EMPTY: tuple[str, ...] = ("description",)

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope and scope != Scope.NATIONAL and not data.get(scope):
            self.add_error(scope, _("Choisissez le territoire du périmètre."))
        return data

    def service_data(self) -> dict:
        data = {k: self.cleaned_data.get(k) for k in self.Meta.fields}
        data["themes"] = codes_to_text(self.cleaned_data.get("themes_list") or [])
        data["beneficiaries"] = codes_to_text(self.cleaned_data.get("beneficiaries_list") or [])
        for key in self.BLANK_AS_EMPTY:
            data[key] = data[key] or ""
        return data


class CallForm(_CallFieldsForm):
    publish = forms.BooleanField(label=_("Publier tout de suite"), required=False)
    BLANK_AS_EMPTY = ("description", "eligibility", "rate", "official_url", "application_url")

    class Meta:
        model = FundingCall
        fields = CALL_FORM_FIELDS
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "predeposit_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "commune": forms.TextInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.all()
        self.fields["department"].queryset = Department.objects.all()
        self.fields["commune"] = forms.CharField(label=_("Commune (code INSEE)"), required=False, max_length=5)
        if self.instance.pk:
            self.fields["themes_list"].initial = text_to_codes(self.instance.themes)
            self.fields["beneficiaries_list"].initial = text_to_codes(self.instance.beneficiaries)
            self.initial["commune"] = self.instance.commune.insee if self.instance.commune_id else ""
            del self.fields["publish"]

    def clean_commune(self):
        insee = (self.cleaned_data.get("commune") or "").strip().upper()
        if not insee:
            return None
        commune = Commune.objects.filter(insee=insee).first()
        if commune is None:
            raise ValidationError(_("Code INSEE inconnu."))
        return commune


class SourceForm(ServiceModelForm):
    """Collects the fields; ``services.source_save`` validates and saves."""

    class Meta:
        model = Source
        fields = SOURCE_FIELDS


class CsvImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV (UTF-8, séparateur ; ou ,)"))
    publish = forms.BooleanField(label=_("Publier les appels importés (sinon : file de relecture)"), required=False)
    valid_rows_only = forms.BooleanField(
        label=_("Importer les lignes valides même s'il y a des erreurs"),
        required=False,
        help_text=_("Par défaut, une seule ligne en erreur et rien n'est importé."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 2 * 1024 * 1024:
            raise ValidationError(_("Fichier trop volumineux (2 Mo au plus)."))
        return f


class PartnerSearchForm(forms.Form):
    message = forms.CharField(label=_("Partenaires recherchés"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class ShareForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Groupe"), queryset=None, empty_label=None)
    message = forms.CharField(label=_("Message (facultatif)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


# The fields a member fills in to report a call (link, funder, deadline, themes, territory,
# beneficiaries, amount); staff complete the rest from the review queue.
REPORT_FIELDS = ("official_url", "title", "funders", "deadline", "scope", "region", "department", "amount_max", "description")


class CallReportForm(_CallFieldsForm):
    class Meta:
        model = FundingCall
        fields = REPORT_FIELDS
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "description": forms.Textarea(attrs={"rows": 4})}
        labels = {"official_url": _("Lien vers l'appel"), "funders": _("Financeur(s)"), "amount_max": _("Montant maximum (€)")}
        help_texts = {"description": _("Ce qui vous a paru important (facultatif, Markdown accepté).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official_url"].required = True
        self.fields["region"].queryset = Region.objects.all()
        self.fields["department"].queryset = Department.objects.all()
        self.fields["scope"].choices = [c for c in Scope.choices if c[0] != Scope.COMMUNE]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus (envoyé à la personne)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


# --- Consortia, application tracking, help from the hub -----------------------------------------
class ConsortiumForm(forms.Form):
    name = forms.CharField(label=_("Nom du projet"), max_length=200)
    description = forms.CharField(
        label=_("Le projet en quelques lignes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    partners_wanted = forms.CharField(
        label=_("Partenaires recherchés"),
        help_text=_("Compétences, territoires ou types de structures qui manquent."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    visibility = forms.ChoiceField(
        label=_("Visibilité"), choices=ConsortiumVisibility.choices, initial=ConsortiumVisibility.MEMBERS, widget=forms.RadioSelect
    )
    role = forms.CharField(label=_("Votre rôle dans le projet"), max_length=200, required=False)


class ConsortiumSettingsForm(forms.Form):
    looking_for_partners = forms.BooleanField(label=_("Nous cherchons encore des partenaires"), required=False)
    visibility = forms.ChoiceField(label=_("Visibilité"), choices=ConsortiumVisibility.choices, widget=forms.RadioSelect)
    partners_wanted = forms.CharField(
        label=_("Partenaires recherchés"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class JoinForm(forms.Form):
    role = forms.CharField(
        label=_("Le rôle que vous proposez"),
        max_length=200,
        help_text=_("Par exemple : ateliers numériques dans le Jura, accompagnement administratif."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail du membre"), required=False)
    role = forms.CharField(label=_("Rôle proposé"), max_length=200, required=False)
    member = forms.IntegerField(required=False, widget=forms.HiddenInput)  # a suggested partner's button

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("member"):
            self.add_error("email", _("Indiquez l'adresse e-mail du membre à inviter."))
        return data


class MatchingOptOutForm(forms.Form):
    opt_out = forms.BooleanField(label=_("Ne pas me suggérer comme partenaire aux consortiums"), required=False)


class ConsortiumFileForm(forms.Form):
    file = forms.FileField(label=_("Fichier (PDF ou image)"))
    note = forms.CharField(label=_("Description (facultatif)"), max_length=300, required=False)


class ApplicationForm(forms.Form):
    status = forms.ChoiceField(label=_("État de la candidature"), choices=ApplicationStatus.choices)
    submitted_on = forms.DateField(label=_("Déposé le"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    decided_on = forms.DateField(
        label=_("Réponse reçue le"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount_asked = forms.IntegerField(label=_("Montant demandé (€)"), min_value=0, required=False)
    amount_granted = forms.IntegerField(label=_("Montant obtenu (€)"), min_value=0, required=False)
    funder_answer = forms.CharField(
        label=_("Réponse du financeur"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    note = forms.CharField(label=_("Note pour l'historique (facultatif)"), max_length=500, required=False)

    def __init__(self, *args, consortium, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = {consortium.status, *consortium.next_statuses}
        self.fields["status"].choices = [c for c in ApplicationStatus.choices if c[0] in allowed]


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type d'aide"), choices=SupportKind.choices)
    message = forms.CharField(label=_("Votre demande"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)


class SupportAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=SupportStatus.choices)
    assignee = forms.ModelChoiceField(label=_("Suivie par"), queryset=None, required=False)
    answer = forms.CharField(label=_("Réponse à la personne"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
