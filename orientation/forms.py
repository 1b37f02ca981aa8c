"""Forms of orientation, rendered through the project form renderer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import ServiceModelForm
from places.models import Place

from .models import Referral


class ReferralForm(ServiceModelForm):
    """The "fiche d'orientation". The consent box and the contact are checked by the service (its
    message says why)."""

    recipient = forms.ModelChoiceField(
        label=_("À l'attention de"), required=False, queryset=None, empty_label=_("L'équipe du lieu (tous ses gestionnaires)")
    )
    consent = forms.BooleanField(
        label=_("La personne est d'accord pour que ces informations soient transmises à ce lieu."),
        required=False,
        help_text=_("Obligatoire. Les données de la personne sont effacées automatiquement après le délai de conservation."),
    )

    class Meta:
        model = Referral
        fields = ["need", "urgency", "contact_channel", "recipient", "person_name", "person_contact", "note", "consent"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "urgency": forms.RadioSelect,
            "contact_channel": forms.RadioSelect,
        }
        help_texts = {
            "person_name": _("Un prénom suffit : seulement ce qu'il faut au lieu pour accueillir la personne."),
            "person_contact": _("Un numéro de téléphone ou une adresse e-mail."),
            "note": _("Facultatif. Pas d'information de santé ni de détail inutile."),
        }

    def __init__(self, *args, recipients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients
        self.fields["recipient"].label_from_instance = lambda user: user.public_name
        self.fields["need"].choices = [("", _("Choisir un besoin"))] + list(self.fields["need"].choices)[1:]
        for name in ("urgency", "contact_channel"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]


class AnswerForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Votre réponse"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", _("J'accepte : nous contactons la personne")),
            ("redirect", _("Je réoriente vers un autre lieu")),
            ("handled", _("La personne a été accompagnée : marquer comme traitée")),
        ],
    )
    redirected_to = forms.ModelChoiceField(label=_("Autre lieu (si vous réorientez)"), required=False, queryset=Place.objects.none())
    note = forms.CharField(label=_("Message au prescripteur (facultatif)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        # Places of the same department: where a person can reasonably be sent instead.
        nearby = Place.objects.published().filter(code_postal__startswith=referral.place.code_postal[:2]).exclude(pk=referral.place_id)
        self.fields["redirected_to"].queryset = nearby.only("pk", "nom", "commune").order_by("commune", "nom")
        if referral.status == Referral.Status.ACCEPTED:
            self.fields["action"].choices = [c for c in self.fields["action"].choices if c[0] != "accept"]
