"""Wagtail pages of the public site. The home page is served at ``/``."""

import json
import secrets
import uuid

from django import forms
from django.conf import settings
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from common.models import TimeStampedModel
from common.storage import private_storage
from common.text import normalize

from .charts import CHART_LABELS


def collection_slug() -> str:
    return secrets.token_urlsafe(9)


class ChartChoiceWidget(forms.CheckboxSelectMultiple):
    """The public subset of observatory charts, as checkboxes (stored as a JSON list of keys)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices=list(CHART_LABELS.items()))

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = [value]
        return [str(v) for v in (value or [])]


class HomePage(Page):
    hero_title = models.CharField(_("titre d'accroche"), max_length=200, default="Le réseau des acteurs du numérique inclusif")
    hero_text = models.TextField(_("texte d'accroche"), blank=True)
    body = RichTextField(_("contenu"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.StandardPage", "content.NewsIndexPage"]

    class Meta:
        verbose_name = _("page d'accueil")


# --- Public site pages ------------------------------------------------------------------------
class StandardPage(Page):
    """A static page of the public site: the hub, its missions, partners, legal notice, the
    accessibility statement (RGAA "déclaration d'accessibilité")."""

    intro = models.TextField(_("chapeau"), blank=True)
    body = RichTextField(_("contenu"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "image", "document-link"])

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    class Meta:
        verbose_name = _("page simple")


class NewsIndexPage(Page):
    """The list of news articles ("Actualités"), newest first."""

    intro = models.TextField(_("chapeau"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("liste des actualités")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = NewsPage.objects.live().child_of(self).select_related("image").order_by("-date", "-pk")
        context["articles"] = Paginator(articles, 12).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    """A news article with an optional illustration (a Wagtail image with its alternative text)."""

    date = models.DateField(_("date de publication"), default=timezone.localdate)
    intro = models.TextField(_("chapeau"), max_length=400)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("illustration"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image_alt = models.CharField(
        _("texte alternatif de l'illustration"), max_length=250, blank=True, help_text=_("Vide si l'image est décorative.")
    )
    body = RichTextField(_("contenu"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "image", "document-link"])

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("image_alt"),
        FieldPanel("body"),
    ]
    parent_page_types = ["content.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")


@register_setting(icon="view")
class ObservatorySettings(BaseGenericSetting):
    """Which observatory charts the hub shows to everyone at ``/observatoire/`` (staff see all)."""

    public_charts = models.JSONField(_("graphiques publics"), default=list, blank=True)
    public_intro = models.TextField(_("texte d'introduction public"), blank=True)

    panels = [FieldPanel("public_charts", widget=ChartChoiceWidget), FieldPanel("public_intro")]

    class Meta:
        verbose_name = _("observatoire")


# --- Resource library (ressourcerie) ------------------------------------------------------------
class Theme(models.Model):
    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(max_length=90, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thématique")

    def __str__(self) -> str:
        return self.name


class Audience(models.Model):
    """A public a resource is meant for (seniors, jeunes, aidants…)."""

    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(max_length=90, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("public")

    def __str__(self) -> str:
        return self.name


class ResourceType(models.TextChoices):
    GUIDE = "guide", _("Guide")
    WORKSHOP = "workshop", _("Support d'atelier")
    TEMPLATE = "template", _("Modèle")
    STUDY = "study", _("Étude")
    VIDEO = "video", _("Vidéo")
    FILE = "file", _("Fichier")


class Licence(models.TextChoices):
    ETALAB = "etalab-2.0", _("Licence Ouverte Etalab 2.0")
    CC_BY = "cc-by", _("CC BY 4.0")
    CC_BY_SA = "cc-by-sa", _("CC BY-SA 4.0")
    CC_BY_NC_SA = "cc-by-nc-sa", _("CC BY-NC-SA 4.0")
    ALL_RIGHTS = "all-rights-reserved", _("Tous droits réservés")


LICENCE_URLS = {
    Licence.ETALAB: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/deed.fr",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr",
}


class ResourceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("En attente de relecture")
    PUBLISHED = "published", _("Publiée")
    REJECTED = "rejected", _("Refusée")


def resource_storage():
    """Resource files live outside the public media folder: only the download view serves them.
    ``STORAGES["resources"]`` wins when defined; otherwise the platform's private storage
    (``PRIVATE_MEDIA_ROOT``, common/storage.py)."""
    if "resources" in settings.STORAGES:
        return storages["resources"]
    return private_storage()


def resource_file_path(instance, filename):
    return f"ressources/{uuid.uuid4().hex}/{filename}"


class Resource(TimeStampedModel):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=220, unique=True)
    summary = models.CharField(_("résumé"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown accepté."))
    type = models.CharField(_("type de ressource"), max_length=12, choices=ResourceType.choices, db_index=True)
    licence = models.CharField(_("licence"), max_length=24, choices=Licence.choices, db_index=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="resources", verbose_name=_("thématiques"))
    audiences = models.ManyToManyField(Audience, blank=True, related_name="resources", verbose_name=_("publics"))
    department = models.ForeignKey(
        "community.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="resources", verbose_name=_("territoire")
    )
    authors = models.CharField(_("auteur·rices"), max_length=300, blank=True, help_text=_("Personnes ou structures à créditer."))
    organisation = models.ForeignKey(
        "community.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="resources", verbose_name=_("organisation")
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="resources_submitted")
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="resources", verbose_name=_("groupe d'origine")
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="resources", verbose_name=_("événement d'origine")
    )
    funding_call = models.ForeignKey(
        "funding.FundingCall",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
        verbose_name=_("appel à projets d'origine"),
    )
    url = models.URLField(_("lien"), blank=True, help_text=_("Pour une vidéo ou une ressource en ligne."))
    file = models.FileField(_("fichier"), storage=resource_storage, upload_to=resource_file_path, blank=True, max_length=300)
    file_name = models.CharField(max_length=150, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    status = models.CharField(_("statut"), max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.SUBMITTED, db_index=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderation_note = models.TextField(_("motif"), blank=True)
    search_text = models.TextField(_("texte de recherche"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("ressource")
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="resource_has_link_or_file"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("content:resource_detail", args=[self.slug])

    def save(self, *args, **kwargs):
        """Keeps ``search_text`` (title, summary, description, authors without accents or case)."""
        self.search_text = normalize(" ".join((self.title, self.summary, self.description, self.authors)))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    @property
    def is_published(self) -> bool:
        return self.status == ResourceStatus.PUBLISHED

    @property
    def file_extension(self) -> str:
        return self.file_name.rsplit(".", 1)[-1].upper() if "." in self.file_name else ""


class ResourceVote(models.Model):
    """A member found the resource useful (one vote per member)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resource_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "user"], name="resource_vote_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.resource_id}"


class ResourceReport(TimeStampedModel):
    """A member flags a resource (broken link, wrong licence, inappropriate content)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="resource_reports")
    reason = models.TextField(_("motif du signalement"), max_length=2000)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signalement")


class Collection(TimeStampedModel):
    """A member's selection of resources; shared by its link when public."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="resource_collections")
    title = models.CharField(_("titre"), max_length=150)
    slug = models.SlugField(max_length=40, unique=True, default=collection_slug)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown accepté."))
    is_public = models.BooleanField(_("visible par tout le monde"), default=False, help_text=_("Sinon, vous seul·e la voyez."))
    resources = models.ManyToManyField(Resource, through="CollectionItem", related_name="collections")

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("collection")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("content:collection_detail", args=[self.slug])


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at"]
        constraints = [models.UniqueConstraint(fields=["collection", "resource"], name="collection_item_unique")]

    def __str__(self) -> str:
        return f"{self.collection_id}: {self.resource_id}"
