"""Forms of the events app, including the sign-up form built from each event's questions."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from common.forms import FormOnce
from common.uploads import clean_image
from community.models import Department
from groups.access import group_ids_of
from groups.models import Group

from .models import (
    EVENT_EDITABLE_FIELDS,
    IN_REVIEW,
    AgendaSettings,
    Event,
    EventFormat,
    EventState,
    EventType,
    GroupAgendaPolicy,
    Intention,
    Question,
    QuestionKind,
    SignupScope,
)
from .selectors import groups_where_can_create


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    reminders = forms.CharField(
        label=_("Rappels (heures avant)"),
        required=False,
        initial="48, 2",
        help_text=_("Séparés par des virgules, par exemple « 48, 2 ». Vide : aucun rappel."),
    )

    class Meta:
        model = Event
        fields = EVENT_EDITABLE_FIELDS
        widgets = {
            "start": DateTimeInput(),
            "end": DateTimeInput(),
            "signup_opens_at": DateTimeInput(),
            "signup_closes_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end", "signup_opens_at", "signup_closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
        self.fields["commune"].queryset = self.fields["commune"].queryset.select_related("department")
        if user is not None and not user.is_hub_staff:
            # Members organise for the groups that let them, and "publish" means "submit" when the
            # hub asks for approval; the service decides (``event_create``/``event_update``).
            self.fields["organiser_group"].queryset = groups_where_can_create(user)
            self.fields["audience_group"].queryset = Group.objects.filter(pk__in=group_ids_of(user))
            self.fields["state"].choices = [
                (EventState.DRAFT, _("Brouillon")),
                (EventState.PUBLISHED, _("Publier (ou soumettre à l'équipe)")),
            ]
            if self.instance.pk and self.instance.state in IN_REVIEW:
                self.initial["state"] = EventState.PUBLISHED
        if self.instance.pk:
            self.fields["reminders"].initial = ", ".join(f"{m / 60:g}" for m in self.instance.reminder_minutes or [])

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):
            return clean_image(image, max_side=1600)
        return image

    def validate_constraints(self):
        """Left to the service: ``event_create``/``event_update`` check the event's rules field by
        field (``_validate_event``: the end after the start, a group for a group audience, seats
        taken within the capacity), which the view puts on the fields to fix. Checked here, the
        model's constraints said the same as one error for the whole form; they stay the database's
        guard."""

    def clean_reminders(self):
        raw = self.cleaned_data.get("reminders") or ""
        minutes = []
        for part in raw.replace(";", ",").split(","):
            part = part.strip().replace(",", ".")
            if not part:
                continue
            try:
                hours = float(part)
            except ValueError as exc:
                raise ValidationError(_("Indiquez des nombres d'heures séparés par des virgules.")) from exc
            if hours <= 0 or hours > 24 * 60:
                raise ValidationError(_("Un rappel se situe entre 0 et 1440 heures avant l'événement."))
            minutes.append(int(hours * 60))
        return sorted(set(minutes), reverse=True)

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        if not data.get("image"):
            data.pop("image", None)
        data["reminder_minutes"] = self.cleaned_data["reminders"]
        return data


class SeriesForm(forms.Form):
    repeat = forms.BooleanField(label=_("Répéter cet événement"), required=False)
    interval_weeks = forms.IntegerField(label=_("Toutes les N semaines"), min_value=1, max_value=8, initial=2, required=False)
    count = forms.IntegerField(label=_("Nombre de dates"), min_value=1, max_value=52, initial=6, required=False)
    signup_scope = forms.ChoiceField(label=_("Inscription"), choices=SignupScope.choices, initial=SignupScope.OCCURRENCE, required=False)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["label", "kind", "required", "help_text", "choices"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("kind") in (QuestionKind.CHOICE, QuestionKind.MULTI) and not [
            c for c in (data.get("choices") or "").splitlines() if c.strip()
        ]:
            self.add_error("choices", _("Indiquez au moins un choix (un par ligne)."))
        return data


YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


def _field_for(question: Question) -> forms.Field:
    common = {"label": question.label, "required": question.required, "help_text": question.help_text}
    kind = question.kind
    if kind == QuestionKind.LONG:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, **common)
    if kind == QuestionKind.CHOICE:
        return forms.ChoiceField(choices=[(c, c) for c in question.choice_list], widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTI:
        return forms.MultipleChoiceField(choices=[(c, c) for c in question.choice_list], widget=forms.CheckboxSelectMultiple, **common)
    if kind == QuestionKind.YESNO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.NUMBER:
        return forms.IntegerField(min_value=0, max_value=100000, **common)
    if kind == QuestionKind.CONSENT:
        return forms.BooleanField(**common)
    return forms.CharField(max_length=300, **common)


class SignupForm(forms.Form):
    """Identity (for visitors), guests by name, then the staff-built questions."""

    def __init__(self, *args, event: Event, questions, with_identity: bool, with_guests: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = list(questions)
        if with_identity:
            self.fields["name"] = forms.CharField(label=_("Votre nom"), max_length=200)
            self.fields["email"] = forms.EmailField(
                label=_("Votre adresse e-mail"), help_text=_("Nous vous enverrons un lien pour confirmer.")
            )
        if with_guests:
            for i in range(event.max_guests):
                self.fields[f"guest_{i}"] = forms.CharField(
                    label=_("Nom de l'accompagnant·e %(n)s") % {"n": i + 1}, required=False, max_length=200
                )
        for question in self.questions:
            self.fields[question.field_name] = _field_for(question)
        if with_guests and event.series_id and event.series.signup_scope == SignupScope.SERIES:
            self.fields["serie"] = forms.BooleanField(
                label=_("M'inscrire aussi aux dates suivantes de la série"), required=False, initial=True
            )
        if not with_identity and with_guests:  # a member signing up: may appear in "Qui vient"
            self.fields["montrer"] = forms.BooleanField(
                label=_("Afficher mon nom et ma photo aux autres membres dans « Qui vient »"), required=False
            )
        self.fields_questions = [self[q.field_name] for q in self.questions]

    def cleaned_answers(self) -> dict:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.field_name)
            if question.kind == QuestionKind.CONSENT:
                value = bool(value)
            if value in (None, "", []):
                continue
            answers[str(question.pk)] = value
        return answers

    def guests(self) -> list[str]:
        return [self.cleaned_data[f"guest_{i}"] for i in range(self.event.max_guests) if self.cleaned_data.get(f"guest_{i}")]


def signup_form_for(event: Event, *, data=None, with_identity=False, with_guests=True, questions=None) -> SignupForm:
    questions = questions if questions is not None else event.questions.all()
    return SignupForm(data=data, event=event, questions=questions, with_identity=with_identity, with_guests=with_guests)


class QuickSelect(forms.Select):
    """The HTML of ``forms.Select``, built in Python: Django renders every ``<option>`` through a
    template, which cost the agenda 40 ms per request for a network of 400 groups."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class AgendaFilterForm(FormOnce, forms.Form):
    """The agenda's filters. Unfiltered (the agenda as the menu opens it), its markup — a select of
    every group the member sees, 400 options on a national network — is kept per language,
    departments and groups offered (``FormOnce``)."""

    template_name = "events/_agenda_filter_fields.html"
    q = forms.CharField(label=_("Recherche"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous"))] + list(EventType.choices))
    format = forms.ChoiceField(label=_("Format"), required=False, choices=[("", _("Tous"))] + list(EventFormat.choices))
    department = forms.ChoiceField(label=_("Territoire"), required=False, widget=QuickSelect)
    group = forms.ChoiceField(label=_("Groupe"), required=False, widget=QuickSelect)
    tag = forms.CharField(label=_("Mot-clé"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        """``groups``: (slug, name) of the groups the viewer may filter on."""
        super().__init__(*args, **kwargs)
        departments = Department.choices_of(Department.objects.filter(region__code="27").order_by("code"))
        self._offered = (departments, tuple(groups))
        # Lazy: Django normalises the choices when they are read — rendering (kept, see the class)
        # or checking a value given — not for every agenda a member opens.
        self.fields["department"].choices = lambda: [("", _("Tous")), *self._offered[0]]
        self.fields["group"].choices = lambda: [("", _("Tous")), *self._offered[1]]

    def once_vary(self) -> tuple:
        """The départements and groups offered, as given (plain strings)."""
        return self._offered


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Titre de votre projet ou question"), max_length=200)
    pitch = forms.CharField(label=_("Présentation"), widget=forms.Textarea(attrs={"rows": 5}), help_text=_("Markdown accepté."))
    wants = forms.CharField(label=_("Ce que vous attendez du groupe"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class BreakoutForm(forms.Form):
    title = forms.CharField(label=_("Titre du sous-groupe"), max_length=200)
    host_email = forms.EmailField(label=_("E-mail de l'hôte"), required=False)
    size_limit = forms.IntegerField(label=_("Taille maximale"), min_value=1, max_value=500, required=False)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Votre note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class SessionTimerForm(forms.Form):
    """Start the session's countdown: a duration and what the phase is."""

    DURATIONS = (5, 10, 15, 20, 30, 45, 60, 90)
    minutes = forms.TypedChoiceField(label=_("Durée"), coerce=int, choices=[(m, _("%(n)s min") % {"n": m}) for m in DURATIONS], initial=20)
    label = forms.CharField(
        label=_("Étape (facultatif)"), max_length=80, required=False, widget=forms.TextInput(attrs={"placeholder": _("ex. Idéation")})
    )


class RestitutionForm(forms.Form):
    restitution = forms.CharField(label=_("Restitution"), widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Markdown accepté."))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("approve", _("Publier")), ("changes", _("Demander des modifications")), ("decline", _("Refuser"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Message à la personne"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour une demande de modifications ou un refus."),
    )


class AgendaSettingsForm(forms.ModelForm):
    class Meta:
        model = AgendaSettings
        fields = ["group_events_need_approval", "hub_events_need_approval"]


class GroupAgendaPolicyForm(forms.ModelForm):
    class Meta:
        model = GroupAgendaPolicy
        fields = ["members_create_events"]


class IntentionForm(forms.Form):
    intention = forms.ChoiceField(label=_("Serez-vous là ?"), choices=Intention.choices, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message pour l'organisation (facultatif)"),
        required=False,
        max_length=500,
        help_text=_("Seulement si vous vous excusez."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Message aux inscrit·es (facultatif)"), max_length=1000, required=False)


class RegistrationSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom, e-mail ou code"), required=False, max_length=200)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Pointer par code (ou QR code lu par une douchette)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ProposalDecisionForm(forms.Form):
    size_limit = forms.IntegerField(label=_("Taille maximale du sous-groupe (facultatif)"), min_value=1, max_value=500, required=False)


class FeedUrlForm(forms.Form):
    """Shows the private feed address in a read-only field, easy to select and copy."""

    url = forms.CharField(label=_("Adresse du flux"), widget=forms.TextInput(attrs={"readonly": True}))


class StaffAddForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
