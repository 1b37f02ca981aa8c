"""Forms of sharing, rendered through the project form renderer. Rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import MarkdownTextarea, ServiceModelForm
from community.images import clean_upload
from community.models import Commune

from .models import Item
from .selectors import ItemFilters, item_communes


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ItemForm(ServiceModelForm):
    class Meta:
        model = Item
        fields = ["name", "kind", "organisation", "quantity", "commune", "location", "description", "auto_approve", "is_active"]
        widgets = {"description": MarkdownTextarea(attrs={"maxlength": 5000})}
        help_texts = {
            "description": _("Ce qui est prêté, les conditions (caution, durée, retrait et retour). Markdown accepté."),
        }

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        self.fields["commune"].queryset = Commune.objects.order_by("name")
        self.fields["quantity"].widget.attrs.update({"min": 1, "max": 999})
        if self.instance.pk is None:  # the first photo comes with the item; the others on the photos page
            self.fields["photo"] = _photo_field(required=False)
            self.fields["photo_alt"] = _alt_field()

    def clean_photo(self):
        return _clean_photo(self.cleaned_data.get("photo"))


PHOTO_HELP = _("JPEG, PNG, WebP ou GIF ; les métadonnées (lieu de prise de vue) sont retirées. Pas de photo de personnes.")


def _photo_field(required: bool) -> forms.ImageField:
    # FileField, not ImageField: the content is judged once, by ``clean_upload`` below
    return forms.FileField(
        label=_("Photo"), required=required, help_text=PHOTO_HELP, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )


def _alt_field() -> forms.CharField:
    return forms.CharField(
        label=_("Description de la photo"),
        required=False,
        max_length=200,
        help_text=_("Ce que montre la photo, pour qui ne la voit pas. Vide : le nom du matériel."),
    )


def _clean_photo(photo):
    if photo and hasattr(photo, "content_type"):  # judged now so the error shows on the field
        return clean_upload(photo, max_side=1600)
    return photo


class ItemPhotoForm(forms.Form):
    """Add a photo to an item (its photos page)."""

    image = _photo_field(required=True)
    alt = _alt_field()

    def clean_image(self):
        return _clean_photo(self.cleaned_data.get("image"))


class ItemPhotoAltForm(forms.Form):
    alt = _alt_field()


class BookingForm(forms.Form):
    start = forms.DateTimeField(label=_("Début"), widget=_datetime_widget())
    end = forms.DateTimeField(label=_("Fin"), widget=_datetime_widget())
    quantity = forms.IntegerField(label=_("Nombre d'exemplaires"), min_value=1, initial=1)
    message = forms.CharField(
        label=_("Message à la structure"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif : l'usage prévu, qui vient le chercher."),
    )

    def __init__(self, *args, item: Item, **kwargs):
        super().__init__(*args, **kwargs)
        if item.quantity == 1:
            self.fields["quantity"].widget = forms.HiddenInput()
        else:
            self.fields["quantity"].widget.attrs["max"] = item.quantity
            self.fields["quantity"].help_text = _("%(n)s disponibles au plus.") % {"n": item.quantity}


class BookingActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("accept", "decline", "hand_over", "return", "cancel")])
    note = forms.CharField(required=False, max_length=300)


class ItemFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous"))] + list(Item.Kind.choices))
    commune = forms.ModelChoiceField(label=_("Commune"), required=False, queryset=Commune.objects.none(), empty_label=_("Toutes"))
    du = forms.DateField(label=_("Libre du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label=_("au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = item_communes()

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["au"] < data["du"]:
            self.add_error("au", _("La date de fin doit être après la date de début."))
        return data

    def filters(self) -> ItemFilters:
        if not self.is_valid():
            return ItemFilters()
        d = self.cleaned_data
        du, au = d.get("du"), d.get("au")
        if du and not au:
            au = du
        return ItemFilters(
            kind=d.get("type") or "", commune=d["commune"].pk if d.get("commune") else None, available_from=du, available_to=au
        )


BOOKING_ACTION_LABELS = {
    "accept": _("Accepter"),
    "decline": _("Refuser"),
    "hand_over": _("Confirmer la remise"),
    "return": _("Confirmer le retour"),
    "cancel": _("Annuler ma réservation"),
}
