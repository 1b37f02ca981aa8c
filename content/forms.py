"""Forms of the resource library; files are judged by their bytes, never by their name."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from common.uploads import check_size, clean_image, safe_filename
from community.models import Department, Organisation
from events.models import Event
from funding.models import FundingCall
from groups.models import Group, Membership, MembershipStatus

from .models import Audience, Collection, Licence, Resource, ResourceType, Theme

MAX_RESOURCE_BYTES = int(os.environ.get("RESOURCE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))

# Accepted formats by their first bytes: (magic, mimetype, extensions the name may carry).
_ZIP_EXT = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"}
_ZIP_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "zip": "application/zip",
}
_TEXT_EXT = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown"}
_MARKUP = (b"<html", b"<!doctype", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")


def clean_resource_file(upload):
    """Accept PDF, office documents (OpenDocument / OOXML), ZIP, PNG, JPEG and plain text/CSV,
    recognised by content; refuse HTML, SVG and anything else. The stored name is random; the
    original (sanitised) name is kept for the download."""
    check_size(upload, MAX_RESOURCE_BYTES)
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    original = safe_filename(upload.name or "fichier")
    ext = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if head.startswith(b"%PDF-"):
        ext, mimetype = "pdf", "application/pdf"
    elif head.startswith(b"PK\x03\x04"):
        ext = ext if ext in _ZIP_EXT else "zip"
        mimetype = _ZIP_TYPES[ext]
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        ext, mimetype = "png", "image/png"
    elif head.startswith(b"\xff\xd8\xff"):
        ext, mimetype = "jpg", "image/jpeg"
    elif ext in _TEXT_EXT:
        lowered = head.lower().lstrip()
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            try:
                head[:-4].decode("utf-8")  # the cut may fall inside a character
            except UnicodeDecodeError as exc:
                raise ValidationError(_("Ce fichier texte n'est pas encodé en UTF-8."), code="bad_text") from exc
        if lowered.startswith(b"<") or any(tag in lowered for tag in _MARKUP):
            raise ValidationError(_("Les fichiers HTML, SVG ou XML ne sont pas acceptés."), code="markup")
        mimetype = _TEXT_EXT[ext]
    else:
        raise ValidationError(
            _("Format non accepté : PDF, document bureautique (ODT, DOCX…), ZIP, image PNG ou JPEG, texte ou CSV."), code="bad_format"
        )
    if mimetype in ("image/png", "image/jpeg"):
        # Re-encoded like every other image upload: drops EXIF (GPS position of the photo) and
        # anything appended after the image data (polyglots); the size stays up to 4000 px.
        upload = clean_image(upload, max_side=4000, max_bytes=MAX_RESOURCE_BYTES)
        ext, mimetype = ("png", "image/png") if upload.name.endswith(".png") else ("jpg", "image/jpeg")
    stem = original.rsplit(".", 1)[0] if "." in original else original
    upload.original_name = f"{stem[:100] or 'fichier'}.{ext}"
    upload.name = f"{uuid.uuid4().hex}.{ext}"
    upload.content_type = mimetype
    return upload


class ResourceForm(forms.ModelForm):
    """What a member fills in to propose a resource."""

    themes = forms.ModelMultipleChoiceField(
        Theme.objects.all(), label=_lazy("Thématiques"), required=False, widget=forms.CheckboxSelectMultiple
    )
    audiences = forms.ModelMultipleChoiceField(
        Audience.objects.all(), label=_lazy("Publics"), required=False, widget=forms.CheckboxSelectMultiple
    )
    upload = forms.FileField(
        label=_lazy("Fichier"),
        required=False,
        help_text=_lazy("PDF, ODT, DOCX, XLSX, PPTX, ZIP, PNG, JPEG, TXT ou CSV ; 20 Mo au maximum."),
    )
    rights = forms.BooleanField(
        label=_lazy("Je confirme avoir le droit de partager cette ressource sous la licence choisie."),
        error_messages={"required": _lazy("Confirmez que vous avez le droit de partager cette ressource.")},
    )

    class Meta:
        model = Resource
        fields = [
            "title",
            "summary",
            "description",
            "type",
            "licence",
            "authors",
            "organisation",
            "department",
            "group",
            "event",
            "funding_call",
            "url",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}), "summary": forms.TextInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["type"].choices = [("", "—"), *ResourceType.choices]
        self.fields["licence"].initial = Licence.CC_BY_SA
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["department"].empty_label = _("Toute la région")
        if user is not None and user.is_hub_staff:
            groups = Group.objects.all()
        else:
            groups = Group.objects.filter(pk__in=Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values("group_id"))
        self.fields["group"].queryset = groups.order_by("name")
        self.fields["group"].required = False
        self.fields["group"].help_text = _("Si la ressource vient d'un de vos groupes : ses modérateur·rices pourront la publier.")

        self._limit_events()

    def _limit_events(self):
        """Events of the last year the member may have attended (published ones)."""
        since = timezone.now() - timedelta(days=400)
        self.fields["event"].queryset = Event.objects.filter(state="published", start__gte=since).order_by("-start")
        self.fields["event"].required = False
        self.fields["event"].help_text = _("Si la ressource a été produite lors d'un atelier ou d'une rencontre.")
        self.fields["funding_call"].queryset = FundingCall.objects.filter(state__in=["published", "closed"]).order_by("title")
        self.fields["funding_call"].required = False
        self.fields["funding_call"].help_text = _("Si la ressource est issue d'un projet financé par cet appel.")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        return clean_resource_file(upload) if upload else None

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("upload") and not self.errors.get("upload"):
            raise ValidationError(_("Indiquez un lien ou joignez un fichier."))
        return data

    def model_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ResourceFilterForm(forms.Form):
    q = forms.CharField(label=_lazy("Rechercher"), required=False, max_length=100)
    theme = forms.ChoiceField(label=_lazy("Thématique"), required=False)
    audience = forms.ChoiceField(label=_lazy("Public"), required=False)
    type = forms.ChoiceField(label=_lazy("Type"), required=False, choices=[("", _lazy("Tous")), *ResourceType.choices])
    licence = forms.ChoiceField(label=_lazy("Licence"), required=False, choices=[("", _lazy("Toutes")), *Licence.choices])
    department = forms.ChoiceField(label=_lazy("Territoire"), required=False)
    sort = forms.ChoiceField(
        label=_lazy("Trier par"), required=False, choices=[("", _lazy("Plus récentes")), ("useful", _lazy("Plus utiles"))]
    )

    def __init__(self, *args, facets: dict, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Toutes")), *((t.slug, f"{t.name} ({t.n})") for t in facets["themes"])]
        self.fields["audience"].choices = [("", _("Tous")), *((a.slug, f"{a.name} ({a.n})") for a in facets["audiences"])]
        self.fields["department"].choices = [("", _("Tous")), *((d.code, str(d)) for d in departments)]


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_lazy("Quel est le problème ?"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_lazy("Lien cassé, licence erronée, contenu inapproprié…"),
    )


class RejectForm(forms.Form):
    """The reason a moderator gives for refusing (or unpublishing) a resource."""

    note = forms.CharField(label=_lazy("Motif du refus"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, published: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if published:
            self.fields["note"].label = _("Motif de la dépublication")


NEW_COLLECTION = "__new__"


class CollectionAddForm(forms.Form):
    """Add a resource to one of the member's collections, or to a new one."""

    collection = forms.ChoiceField(label=_lazy("Ajouter à une collection"), required=False)
    new_title = forms.CharField(label=_lazy("Titre de la nouvelle collection (facultatif)"), required=False, max_length=150)

    def __init__(self, *args, collections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [(c.slug, c.title) for c in collections] + [(NEW_COLLECTION, _("Nouvelle collection…"))]


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["title", "description", "is_public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
