"""Forms of the community app. Every field is labelled; errors are in French."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from common.forms import FoldedCriteria, FormOnce, choices_key

from .activity import StreamFilter
from .images import clean_upload
from .models import (
    PROFILE_VISIBILITY_FIELDS,
    Commune,
    Delivery,
    Department,
    Metier,
    Organisation,
    OrganisationType,
    Profile,
    Skill,
    SkillLevel,
    User,
    Visibility,
    is_approved_member,
)

VISIBILITY_LABELS = {
    "photo": _("Photo"),
    "metier": _("Métier"),
    "organisation": _("Organisation"),
    "territory": _("Territoire"),
    "bio": _("Présentation"),
    "skills": _("Compétences et centres d'intérêt"),
    "links": _("Liens"),
    "email": _("Adresse e-mail"),
}


class ProfileForm(forms.ModelForm):
    skills_text = forms.CharField(
        label=_("Autres compétences (hors référentiel)"),
        required=False,
        help_text=_("Séparées par des virgules, par exemple : Pix, logiciels libres."),
        max_length=1000,
    )
    interests_text = forms.CharField(
        label=_("Centres d'intérêt"), required=False, help_text=_("Séparés par des virgules."), max_length=1000
    )
    links_text = forms.CharField(
        label=_("Liens"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Une adresse par ligne (site, LinkedIn, Mastodon…)."),
    )

    class Meta:
        model = Profile
        fields = ["display_name", "photo", "metier", "metier_other", "organisation", "department", "commune", "bio"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        }
        help_texts = {"bio": _("Markdown accepté : **gras**, *italique*, listes, liens.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].help_text = _("Prénom et nom, tels que les membres du réseau vous connaissent.")
        self.fields["metier"].choices = [("", _("— Choisir —"))] + list(Metier.choices)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["commune"].queryset = Commune.objects.select_related("department").order_by("name")
        self.fields["photo"].help_text = _(
            "JPEG, PNG, WebP ou GIF, 5 Mo au plus. Recadrée en carré ; les métadonnées (position GPS…) sont retirées."
        )
        instance = self.instance
        if instance.pk:
            self.fields["skills_text"].initial = ", ".join(s.name for s in instance.skills.all() if not s.in_referential)
            self.fields["interests_text"].initial = ", ".join(s.name for s in instance.interests.all())
            self.fields["links_text"].initial = "\n".join(instance.links or [])
        self._add_skill_level_fields(instance)
        for field in PROFILE_VISIBILITY_FIELDS:
            self.fields[f"visibility_{field}"] = forms.ChoiceField(
                label=_("Qui voit : %(field)s") % {"field": VISIBILITY_LABELS[field]},
                choices=Visibility.choices,
                initial=instance.level_for(field) if instance.pk else PROFILE_VISIBILITY_FIELDS[field],
            )

    def _add_skill_level_fields(self, instance):
        """One "level" choice per référentiel entry (empty: not a skill of mine), grouped by category."""
        current = dict(instance.skill_levels.values_list("skill_id", "level")) if instance.pk else {}
        self.skill_groups_fields = {}
        choices = [("", _("—"))] + list(SkillLevel.choices)
        for skill in Skill.objects.filter(in_referential=True).select_related("category").order_by("category__position", "name"):
            name = f"skill_{skill.pk}"
            self.fields[name] = forms.ChoiceField(
                label=skill.name,
                choices=choices,
                required=False,
                initial=current.get(skill.pk, ""),
                help_text=escape(skill.description),  # Django renders help texts unescaped: this one is staff-typed text
            )
            self.skill_groups_fields.setdefault(skill.category, []).append(name)

    def skill_groups(self):
        """(category, bound level fields) for the template's fieldsets."""
        return [(category, [self[name] for name in names]) for category, names in self.skill_groups_fields.items()]

    def skill_levels(self) -> dict[int, str]:
        """The chosen référentiel skills as ``{skill_id: level}``."""
        return {
            int(name.removeprefix("skill_")): self.cleaned_data[name]
            for names in self.skill_groups_fields.values()
            for name in names
            if self.cleaned_data.get(name)
        }

    def visibility_fields(self):
        return [self[f"visibility_{field}"] for field in PROFILE_VISIBILITY_FIELDS]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            return clean_upload(photo)  # judged now so the error shows on the field; squared by the service
        return photo

    def clean_links_text(self):
        links = [line.strip() for line in self.cleaned_data.get("links_text", "").splitlines() if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        for link in links:
            try:
                validate(link)
            except ValidationError as exc:
                raise ValidationError(
                    _("« %(link)s » n'est pas une adresse web valide (http:// ou https://).") % {"link": link[:80]}
                ) from exc
        if len(links) > 10:
            raise ValidationError(_("Dix liens au plus."))
        return links

    def clean(self):
        data = super().clean()
        commune, department = data.get("commune"), data.get("department")
        if commune and department and commune.department_id != department.pk:
            self.add_error("commune", _("Cette commune n'est pas dans le département choisi."))
        if commune and not department:
            data["department"] = commune.department
        if data.get("metier") == Metier.AUTRE and not data.get("metier_other"):
            self.add_error("metier_other", _("Précisez votre métier."))
        return data

    def service_data(self) -> dict:
        data = {key: self.cleaned_data[key] for key in self.Meta.fields if key != "photo"}
        if "photo" in self.changed_data:
            data["photo"] = self.cleaned_data["photo"] or ""
        data["links"] = self.cleaned_data["links_text"]
        for field in PROFILE_VISIBILITY_FIELDS:
            data[f"visibility_{field}"] = self.cleaned_data[f"visibility_{field}"]
        return data


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "type", "siret", "commune", "website", "description", "logo"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        }
        help_texts = {"logo": _("JPEG, PNG, WebP ou GIF, 5 Mo au plus.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = list(OrganisationType.choices)
        self.fields["commune"].queryset = Commune.objects.order_by("name")

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            return clean_upload(logo)
        return logo or None

    def clean_siret(self):
        return self.cleaned_data.get("siret", "").replace(" ", "")


class DirectoryFilterForm(FoldedCriteria, FormOnce, forms.Form):
    """The directory's filters: the keywords, then the other filters under « Plus de critères »,
    folded on phones (``forms/filters_fold.html``). Unfiltered (the page as the menu opens it), its
    markup — some 100 options — is kept per language and per departments and skills offered
    (``FormOnce``); in a search, so are the groups of the filters left blank
    (``once_field_groups``). The fold's ``open`` depends on the search: only an unbound form, its
    fold always closed, is kept whole."""

    template_name = "forms/filters_fold.html"
    once_field_groups = True

    q = forms.CharField(
        label=_("Nom, compétence ou organisation"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    department = forms.ChoiceField(label=_("Département"), required=False)
    metier = forms.ChoiceField(label=_("Métier"), required=False, choices=[("", _("Tous les métiers"))] + list(Metier.choices))
    organisation_type = forms.ChoiceField(
        label=_("Type d'organisation"), required=False, choices=[("", _("Tous les types"))] + list(OrganisationType.choices)
    )
    skill = forms.ChoiceField(label=_("Compétence"), required=False)
    level = forms.ChoiceField(
        label=_("Niveau minimal"),
        required=False,
        choices=[("", _("Tous les niveaux")), *((value, _("%(level)s ou plus") % {"level": label}) for value, label in SkillLevel.choices)],
    )
    organisation = forms.CharField(required=False, max_length=220, widget=forms.HiddenInput)
    display = forms.ChoiceField(
        label=_("Affichage"), required=False, choices=[("cards", _("Trombinoscope")), ("list", _("Liste"))], initial="cards"
    )

    def __init__(self, *args, departments=(), referential=(), free_skills=(), **kwargs):
        """``departments``: (code, label) pairs; ``referential`` and ``free_skills``: the
        ``FacetSkill`` values of ``selectors.directory_facets``."""
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Tous les départements")), *departments]
        groups: dict = {}
        for skill in referential:
            groups.setdefault(skill.category or str(_("Autres")), []).append((skill.slug, skill.name))
        others = [(s.slug, s.name) for s in free_skills if not s.in_referential]
        if others:
            groups[str(_("Hors référentiel"))] = others
        choices = [("", _("Toutes les compétences")), *groups.items()]
        self._offered = (choices_key(self.fields["department"].choices), choices_key(choices))
        # any skill's link (a profile's rarer free skill is not among the facets) stays a valid filter
        asked = (self.data.get("skill") or "")[:90] if self.is_bound else ""
        if asked and not any(asked == slug for _group, options in groups.items() for slug, _name in options):
            choices.append((asked, asked))
        self.fields["skill"].choices = choices

    def once_vary(self) -> tuple:
        """The departments and skills offered. A skill asked outside them is left out: it is an
        option only when the skill field is filled in, and a filled-in field is never kept — a
        forged ``?skill=`` makes no key of its own."""
        return self._offered


class OrganisationManagerForm(forms.Form):
    """Add a co-manager: one of the organisation's members, or any member of the network by the
    e-mail address of their account."""

    member = forms.ModelChoiceField(label=_("Un membre de l'organisation"), queryset=None, required=False, empty_label=_("— choisir —"))
    email = forms.EmailField(
        label=_("ou l'adresse e-mail d'un membre du réseau"),
        required=False,
        max_length=254,
        help_text=_("L'adresse de son compte Maillage."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates
        self.fields["member"].label_from_instance = lambda user: user.public_name

    def clean(self):
        data = super().clean()
        member, email = data.get("member"), data.get("email")
        if self.errors:
            return data
        if bool(member) == bool(email):
            raise ValidationError(_("Choisissez un membre de l'organisation ou donnez une adresse e-mail, l'un ou l'autre."))
        if email:
            user = User.objects.filter(email__iexact=email, is_active=True, erased_at__isnull=True).select_related("profile").first()
            if user is None or not is_approved_member(user):
                self.add_error("email", _("Aucun membre du réseau n'a cette adresse."))
                return data
            data["member"] = user
        return data


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom de l'organisation"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"}))


class NotificationPreferencesForm(forms.Form):
    """One row per notification kind: how it arrives (radios) and, when the hub has Web Push,
    whether it also goes to the member's devices (a check box)."""

    PUSH_PREFIX = "push__"

    def __init__(self, *args, preferences=(), with_push=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_push = with_push
        self.kinds = []
        for kind, label, delivery, push in preferences:
            self.kinds.append(kind)
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=Delivery.choices, initial=delivery, required=False, widget=forms.RadioSelect
            )
            if with_push:
                self.fields[self.PUSH_PREFIX + kind] = forms.BooleanField(label=label, initial=push, required=False)

    def grid(self) -> list[tuple]:
        """Rows of the kind × channel grid: (label, radios, errors, push check box or None) per kind."""
        return [
            (self[kind].label, list(self[kind]), self[kind].errors, self[self.PUSH_PREFIX + kind] if self.with_push else None)
            for kind in self.kinds
        ]

    @staticmethod
    def channels() -> list[str]:
        return [str(label) for _, label in Delivery.choices]

    def changed_choices(self) -> dict[str, str]:
        """Only the kinds that were sent (a kind added since the page was loaded keeps its value)."""
        return {kind: self.cleaned_data[kind] for kind in self.kinds if self.cleaned_data.get(kind)}

    def push_choices(self) -> dict[str, bool]:
        """Push on/off per kind (empty when the hub has no Web Push)."""
        if not self.with_push:
            return {}
        return {kind: bool(self.cleaned_data.get(self.PUSH_PREFIX + kind)) for kind in self.kinds if self.cleaned_data.get(kind)}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de la personne invitée"))
    message = forms.CharField(label=_("Message (facultatif)"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class EraseAccountForm(forms.Form):
    confirm = forms.CharField(
        label=_("Pour confirmer, tapez SUPPRIMER"),
        help_text=_("Votre profil et vos données personnelles seront effacés. Vos messages resteront, signés « ancien membre »."),
    )

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().upper() != "SUPPRIMER":
            raise ValidationError(_("Tapez SUPPRIMER pour confirmer."))
        return self.cleaned_data["confirm"]


STREAM_FILTER_LABELS = {
    StreamFilter.ALL: _("Tout"),
    StreamFilter.GROUPS: _("Mes groupes"),
    StreamFilter.EVENTS: _("Agenda"),
    StreamFilter.FUNDING: _("Financements"),
    StreamFilter.FOLLOWING: _("Mes abonnements"),
}


class StreamFilterForm(forms.Form):
    """The stream's query string: filter, where the page starts, and the page's own scope
    (a group, a member, an organisation). Only read, never rendered: the filters are links."""

    filtre = forms.ChoiceField(label=_("Filtre"), required=False, choices=list(STREAM_FILTER_LABELS.items()))
    avant = forms.RegexField(label=_("Position"), required=False, regex=r"^\d{1,20}\.\d{1,20}$", max_length=41)
    groupe = forms.IntegerField(label=_("Groupe"), required=False, min_value=1, max_value=2**62)
    membre = forms.IntegerField(label=_("Membre"), required=False, min_value=1, max_value=2**62)
    organisation = forms.IntegerField(label=_("Organisation"), required=False, min_value=1, max_value=2**62)
    element = forms.IntegerField(label=_("Élément"), required=False, min_value=1, max_value=2**62)

    def scope(self) -> dict:
        """Keyword arguments for ``activity.stream_page`` (the form must be valid)."""
        data = self.cleaned_data
        return {
            "filter": data.get("filtre") or StreamFilter.ALL,
            "cursor": data.get("avant") or "",
            "group_id": data.get("groupe"),
            "actor_id": data.get("membre"),
            "organisation_id": data.get("organisation"),
            "only_id": data.get("element"),
        }


class ActivityCommentForm(FormOnce, forms.Form):
    """The comment form under each stream card (prefixed by the card's id): blank, it is rendered
    once and its prefix put in for each card (``FormOnce``)."""

    body = forms.CharField(label=_("Votre commentaire"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))
