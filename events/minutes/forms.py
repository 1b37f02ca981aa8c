from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import MarkdownTextarea
from community.models import User

from ..models import AmendmentKind


class SecretaryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.public_name


class MinutesForm(forms.Form):
    body = forms.CharField(
        label=_("Texte du compte rendu"),
        max_length=60000,
        widget=MarkdownTextarea(attrs={"rows": 24}),
        help_text=_("Markdown. Gardez une section par titre « ## » : la relecture et la restitution publique s'appuient sur elles."),
    )
    secretary = SecretaryChoiceField(
        label=_("Secrétaire de séance"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(personne : l'organisateur·rice rédige)"),
        help_text=_("Elle ou il rédige, mène la relecture et publie, comme vous."),
    )

    def __init__(self, *args, candidates=None, with_secretary=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_secretary and candidates is not None:
            self.fields["secretary"].queryset = candidates.select_related("profile").order_by("first_name", "last_name", "pk")
        else:
            del self.fields["secretary"]


class RoundForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Relecture ouverte jusqu'au"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Heure de Paris. Les participant·es sont prévenu·es et peuvent commenter ou proposer un texte jusque-là."),
    )


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Je souhaite"), choices=AmendmentKind.choices, widget=forms.RadioSelect, initial=AmendmentKind.COMMENT)
    section = forms.ChoiceField(label=_("Section concernée"), required=False, help_text=_("Pour une proposition de texte."))
    body = forms.CharField(
        label=_("Commentaire ou texte proposé"),
        max_length=10000,
        widget=MarkdownTextarea(attrs={"rows": 5}),
        help_text=_("Une proposition remplace tout le texte de la section choisie."),
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("— choisir —"))] + [(t, t) for t in sections]


class DecisionForm(forms.Form):
    response = forms.CharField(label=_("Réponse (facultatif)"), required=False, max_length=1000)


class PublishForm(forms.Form):
    public_sections = forms.MultipleChoiceField(
        label=_("Sections de la restitution publique"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Événement tout public : seules ces sections sont montrées aux personnes qui ne sont ni membres ni participantes."),
    )

    def __init__(self, *args, sections=(), public=False, **kwargs):
        super().__init__(*args, **kwargs)
        if public:
            self.fields["public_sections"].choices = [(t, t) for t in sections]
        else:
            del self.fields["public_sections"]
