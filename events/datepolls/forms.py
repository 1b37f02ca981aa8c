from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group

from ..models import Choice, DatePoll, PollInvitees


class DatePollForm(forms.ModelForm):
    emails = forms.CharField(
        label=_("Inviter par e-mail"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Une adresse par ligne ou séparées par des virgules. Les membres sont reconnu·es par leur adresse ; "
            "les autres reçoivent un lien personnel pour répondre sans compte (seul leur nom est demandé)."
        ),
    )
    closes_at = forms.DateTimeField(
        label=_("Clôture automatique (facultatif)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Heure de Paris. Vous pouvez aussi clore le sondage à la main."),
    )

    class Meta:
        model = DatePoll
        fields = ["title", "description", "location", "invitees_kind", "group", "anonymous", "closes_at"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "invitees_kind": forms.RadioSelect}

    def __init__(self, *args, groups=None, fixed_group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups if groups is not None else Group.objects.none()
        self.fields["group"].required = False
        self.fields["group"].label = _("Groupe")
        self.fields["group"].help_text = _("Pour inviter tous les membres d'un de vos groupes.")
        if fixed_group is not None:
            self.fields["group"].initial = fixed_group.pk
            self.fields["invitees_kind"].initial = PollInvitees.GROUP

    def emails_list(self) -> list[str]:
        raw = self.cleaned_data.get("emails", "")
        return [e.strip() for e in raw.replace(",", "\n").replace(";", "\n").splitlines() if e.strip()]


class SlotForm(forms.Form):
    day = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(label=_("Début"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Fin"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and not start:
            self.add_error("start", _("Indiquez l'heure de début."))
        if (start or end) and not day:
            self.add_error("day", _("Indiquez la date."))
        return data

    def as_range(self) -> tuple[datetime, datetime] | None:
        """The slot as aware datetimes in Europe/Paris (the project's time zone); without an end, 2 h
        long but never past 23:59 of the same day (a 23:30 start ends at 23:59, not at its start)."""
        day, start, end = (self.cleaned_data.get(k) for k in ("day", "start", "end"))
        if not day or not start:
            return None
        begin = timezone.make_aware(datetime.combine(day, start))
        if end:
            return begin, timezone.make_aware(datetime.combine(day, end))
        return begin, min(begin + timedelta(hours=2), timezone.make_aware(datetime.combine(day, time(23, 59))))


SlotFormSet = forms.formset_factory(SlotForm, extra=0, max_num=40, absolute_max=40)


class AnswerForm(forms.Form):
    """One radio group per slot: yes / if needed / no."""

    def __init__(self, *args, slots=(), initial_choices=None, ask_name=False, **kwargs):
        super().__init__(*args, **kwargs)
        initial_choices = initial_choices or {}
        if ask_name:
            self.fields["name"] = forms.CharField(
                label=_("Votre nom"), max_length=80, help_text=_("Ou un pseudonyme : c'est la seule information demandée.")
            )
        for slot in slots:
            self.fields[f"slot_{slot.pk}"] = forms.ChoiceField(
                label=slot.label,
                choices=Choice.choices,
                widget=forms.RadioSelect(attrs={"class": "choice-radios"}),
                initial=initial_choices.get(slot.pk),
                error_messages={"required": _("Répondez pour ce créneau.")},
            )
        self.slots = list(slots)

    def choices(self) -> dict[int, str]:
        return {slot.pk: self.cleaned_data[f"slot_{slot.pk}"] for slot in self.slots}

    def slot_fields(self):
        return [(slot, self[f"slot_{slot.pk}"]) for slot in self.slots]
