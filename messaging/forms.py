"""Forms of private messaging; services do the real validation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import MultipleFileField
from community.models import User

from .services import MAX_BODY


class RecipientField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.public_name


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_BODY,
        help_text=_("Markdown accepté : **gras**, *italique*, listes, liens."),
    )
    attachments = MultipleFileField(label=_("Pièces jointes (images ou PDF, 5 au maximum)"), required=False)


class ConversationStartForm(MessageForm):
    recipients = RecipientField(label=_("Destinataires"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    subject = forms.CharField(
        label=_("Sujet (facultatif)"), max_length=120, required=False, help_text=_("Utile pour une conversation à plusieurs.")
    )
    field_order = ["recipients", "subject", "body", "attachments"]

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = candidates


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi signalez-vous ce message ?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Seule l'équipe du hub verra ce message et votre explication, rien d'autre de la conversation."),
    )


class RecipientSearchForm(forms.Form):
    q = forms.CharField(label=_("Chercher un membre"), max_length=80, required=False)
