"""Wagtail pages of the public site. The home page is served at ``/``."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    hero_title = models.CharField(_("titre d'accroche"), max_length=200, default="Le réseau des acteurs du numérique inclusif")
    hero_text = models.TextField(_("texte d'accroche"), blank=True)
    body = RichTextField(_("contenu"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request, *args, **kwargs):
        from community.models import MemberStatus, Organisation, Profile

        context = super().get_context(request, *args, **kwargs)
        context["member_count"] = Profile.objects.filter(status=MemberStatus.APPROVED, user__is_active=True).count()
        context["organisation_count"] = Organisation.objects.count()
        return context
