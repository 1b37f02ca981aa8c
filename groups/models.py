"""Groups (open / on request / secret) and their memberships.

The forum (topics, posts, reactions…) is added by the groups issue on top of these two models.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel


class GroupKind(models.TextChoices):
    WORKING = "working", _("Groupe de travail")
    AFFINITY = "affinity", _("Groupe d'affinité")
    TERRITORIAL = "territorial", _("Groupe territorial")
    PROJECT = "project", _("Projet")


class AccessMode(models.TextChoices):
    OPEN = "open", _("Ouvert : tout membre peut rejoindre")
    REQUEST = "request", _("Sur demande : l'adhésion est validée par un·e admin")
    SECRET = "secret", _("Secret : visible de ses seuls membres, sur invitation")


class Role(models.TextChoices):
    OWNER = "owner", _("Propriétaire")
    ADMIN = "admin", _("Admin")
    MODERATOR = "moderator", _("Modérateur·rice")
    MEMBER = "member", _("Membre")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Membre")
    REQUESTED = "requested", _("Demande en attente")
    INVITED = "invited", _("Invité·e")
    BANNED = "banned", _("Banni·e")


def group_avatar_path(instance, filename):
    return f"groupes/{filename}"


class Group(TimeStampedModel):
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown accepté."))
    avatar = models.ImageField(_("image"), upload_to=group_avatar_path, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=GroupKind.choices, default=GroupKind.WORKING)
    access = models.CharField(_("accès"), max_length=10, choices=AccessMode.choices, default=AccessMode.OPEN, db_index=True)
    is_network = models.BooleanField(_("groupe « Réseau »"), default=False, help_text=_("Le groupe de tout le réseau."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("groupe")
        constraints = [models.UniqueConstraint(fields=["is_network"], condition=Q(is_network=True), name="single_network_group")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.name)[:120] or "groupe"
            slug, n = base, 2
            while Group.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("groups:group_detail", args=[self.slug])

    @property
    def is_secret(self) -> bool:
        return self.access == AccessMode.SECRET


class Membership(TimeStampedModel):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("statut"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE, db_index=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("adhésion à un groupe")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="membership_unique")]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def can_moderate(self) -> bool:
        return self.is_active and self.role in (Role.OWNER, Role.ADMIN, Role.MODERATOR)

    @property
    def can_admin(self) -> bool:
        return self.is_active and self.role in (Role.OWNER, Role.ADMIN)
