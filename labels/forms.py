"""Forms of the label pages. Dynamic forms carry one field per criterion of the application's
referential version."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.selectors import user_get_by_email

from .models import ApplicationState, BadgeClass, Criterion
from .services import DEFAULT_VALIDITY_YEARS


class AnswersForm(forms.Form):
    def __init__(self, *args, criteria, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"answer_{c.pk}"] = forms.CharField(
                label=f"{c.code} — {c.title}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=answers.get(c.pk, ""),
                help_text=_("Obligatoire pour déposer la candidature.") if c.required else _("Facultatif."),
            )

    def answers(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"answer_{c.pk}", "") for c in self.criteria}


class EvidenceForm(forms.Form):
    criterion = forms.ModelChoiceField(queryset=Criterion.objects.none(), label=_("Critère concerné"))
    file = forms.FileField(label=_("Pièce justificative (PDF ou image, 10 Mo au plus)"))

    def __init__(self, *args, referential, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = Criterion.objects.filter(axis__referential=referential).select_related("axis")


class SubmitForm(forms.Form):
    """The optional message that goes with a (re)submission."""

    comment = forms.CharField(label=_("Message (facultatif)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CorrectionsForm(forms.Form):
    comment = forms.CharField(label=_("Corrections attendues"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(ReasonForm):
    reason = forms.CharField(label=_("Motif du retrait"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Évaluateur·rices (1 à 3)"), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    comment = forms.CharField(label=_("Message aux évaluateur·rices"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = candidates
        self.fields["reviewers"].label_from_instance = lambda u: f"{u.public_name} ({u.email})"


class ConflictForm(forms.Form):
    no_conflict = forms.ChoiceField(
        label=_("Conflit d'intérêts"),
        choices=[
            ("yes", _("Je déclare n'avoir aucun lien personnel, professionnel ou financier avec ce lieu ou ses gestionnaires.")),
            ("no", _("J'ai un lien avec ce lieu : je me retire de cette évaluation.")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Précision (facultatif)"), required=False)


class ReviewForm(forms.Form):
    def __init__(self, *args, criteria, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            existing = scores.get(c.pk)
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=_("Note pour %(code)s (0 à %(max)s)") % {"code": c.code, "max": c.scale_max},
                choices=[("", "—")] + [(str(i), str(i)) for i in range(c.scale_max + 1)],
                coerce=int,
                empty_value=None,
                required=False,
                initial=existing.score if existing and existing.score is not None else "",
            )
            self.fields[f"note_{c.pk}"] = forms.CharField(
                label=_("Commentaire sur %(code)s") % {"code": c.code},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing.comment if existing else "",
            )
        self.fields["comment"] = forms.CharField(label=_("Avis général"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def scores(self):
        return {c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"note_{c.pk}", "")) for c in self.criteria}


class VisitForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Date et heure de la visite"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    comment = forms.CharField(label=_("Informations pour le lieu"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when < timezone.now():
            raise forms.ValidationError(_("La visite doit être prévue dans le futur."))
        return when


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision du comité"),
        choices=[(s.value, s.label) for s in (ApplicationState.GRANTED, ApplicationState.GRANTED_CONDITIONS, ApplicationState.REFUSED)],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Motif de la décision"), widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(
        label=_("Conditions (si accordé sous conditions)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    validity_years = forms.IntegerField(label=_("Durée de validité (années)"), min_value=1, max_value=5, initial=DEFAULT_VALIDITY_YEARS)

    def clean(self):
        data = super().clean()
        if data.get("decision") == ApplicationState.GRANTED_CONDITIONS and not (data.get("conditions") or "").strip():
            self.add_error("conditions", _("Précisez les conditions."))
        return data


class BadgeIssueForm(forms.Form):
    """The badge and its recipient by e-mail address (``cleaned_data["recipient"]`` is the account)."""

    badge_class = forms.ModelChoiceField(queryset=BadgeClass.objects.filter(kind=BadgeClass.Kind.COMPETENCE), label=_("Badge"))
    email = forms.EmailField(label=_("Adresse e-mail du membre"))
    narrative = forms.CharField(label=_("Motif (ex. formation suivie)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_email(self):
        email = self.cleaned_data["email"]
        recipient = user_get_by_email(email)
        if recipient is None:
            raise forms.ValidationError(_("Aucun membre n'a cette adresse."))
        self.cleaned_data["recipient"] = recipient
        return email


class ApplyForm(forms.Form):
    """The place to apply for the label with (among those the member manages and may apply for)."""

    place = forms.ChoiceField(label=_("Lieu"))

    def __init__(self, *args, places=(), labelled=(), **kwargs):
        super().__init__(*args, **kwargs)
        already = _("déjà labellisé")
        self.fields["place"].choices = [(p.pk, f"{p} — {already}" if p.pk in labelled else str(p)) for p in places]


class StateFilterForm(forms.Form):
    etat = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *ApplicationState.choices])

    def state(self) -> str:
        """The chosen state, or "" (an unknown value is ignored)."""
        return self.cleaned_data["etat"] if self.is_valid() else ""
