from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import User

from .models import ActionStatus


class OwnerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.public_name


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Action à mener"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Qui fait quoi : une phrase claire."),
    )
    owners = OwnerChoiceField(
        label=_("Responsables"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Une ou plusieurs personnes ; elles sont prévenues."),
    )
    due_date = forms.DateField(label=_("Échéance"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = candidates if candidates is not None else User.objects.filter(is_active=True, profile__status="approved")
        self.fields["owners"].queryset = qs.select_related("profile").order_by("first_name", "last_name", "pk")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=ActionStatus.choices)
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Votre commentaire"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
