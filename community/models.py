"""Members, their organisations and territories, notification preferences and the e-mail outbox."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from common.models import TimeStampedModel, choice_label, unique_slug
from common.text import normalize

from .validators import validate_siret


class User(AbstractUser):
    """A person with an account. Login is by e-mail (allauth); ``username`` is internal."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    erased_at = models.DateTimeField(_("compte supprimé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")
        # The few deactivated accounts, for "whose account is active" as an anti-join
        # (``account_active``): a lookup in this small index instead of a scan of every account.
        indexes = [models.Index(fields=["id"], condition=models.Q(is_active=False), name="user_inactive")]

    @property
    def public_name(self) -> str:
        """The name shown beside content: "ancien membre" once the account is erased."""
        if self.erased_at:
            return str(_("ancien membre"))
        profile = getattr(self, "profile", None)
        if profile and profile.display_name:
            return profile.display_name
        return self.get_full_name() or self.email.split("@")[0]

    @property
    def is_hub_staff(self) -> bool:
        return self.is_active and (self.is_staff or self.is_superuser)


def account_active(user_field: str = "user_id") -> Exists:
    """A filter keeping the rows whose account (``user_field``) is active: ``NOT EXISTS`` among
    the deactivated accounts, which the ``user_inactive`` index holds. Same rows as
    ``user__is_active=True``, but PostgreSQL looks each row up in that small index instead of
    joining every account (the directory search read all 20,000 to keep 2,000 profiles)."""
    return ~Exists(User.objects.filter(pk=OuterRef(user_field), is_active=False))


def _with_search_text(save_kwargs: dict) -> None:
    """A ``save(update_fields=[...])`` also writes ``search_text``, which ``save`` recomputes."""
    update_fields = save_kwargs.get("update_fields")
    if update_fields is not None and "search_text" not in update_fields:
        save_kwargs["update_fields"] = [*update_fields, "search_text"]


# --- Territories ------------------------------------------------------------------------------
class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("région")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")

    def __str__(self) -> str:
        return self.label(self.name, self.code)

    @staticmethod
    def label(name: str, code: str) -> str:
        """How a département is named in lists: "Côte-d'Or (21)"."""
        return f"{name} ({code})"

    @classmethod
    def choices_of(cls, departments) -> tuple[tuple[str, str], ...]:
        """(code, label) of a queryset of départements, read as plain values (a filter's choices)."""
        return tuple((code, cls.label(name, code)) for code, name in departments.values_list("code", "name"))


class Commune(models.Model):
    insee = models.CharField(_("code INSEE"), max_length=5, unique=True, validators=[RegexValidator(r"^[0-9][0-9AB][0-9]{3}$")])
    name = models.CharField(_("nom"), max_length=150, db_index=True)
    postcode = models.CharField(_("code postal"), max_length=5, validators=[RegexValidator(r"^[0-9]{5}$")])
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="communes")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")

    def __str__(self) -> str:
        return f"{self.name} ({self.postcode})"


# --- Organisations ------------------------------------------------------------------------------
class OrganisationType(models.TextChoices):
    CCAS = "ccas", _("CCAS / CIAS")
    MEDIATHEQUE = "mediatheque", _("Médiathèque / bibliothèque")
    CENTRE_SOCIAL = "centre_social", _("Centre social")
    ASSOCIATION = "association", _("Association")
    COLLECTIVITE = "collectivite", _("Collectivité territoriale")
    FRANCE_SERVICES = "france_services", _("France services")
    TIERS_LIEU = "tiers_lieu", _("Tiers-lieu")
    ETABLISSEMENT_PUBLIC = "etablissement_public", _("Établissement public")
    ENTREPRISE_ESS = "entreprise_ess", _("Entreprise de l'ESS")
    AUTRE = "autre", _("Autre")


class Organisation(TimeStampedModel):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=220, unique=True)
    type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices, default=OrganisationType.ASSOCIATION)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret], help_text=_("14 chiffres, facultatif."))
    commune = models.ForeignKey(Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="organisations")
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="organisations/", blank=True)
    # Who may edit the structure's page and logo besides hub staff: the member who created it, and
    # whoever staff add in the admin. Naming a structure in one's profile does not make one its manager.
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_organisations", verbose_name=_("gestionnaires")
    )
    search_text = models.TextField(_("texte de recherche"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        constraints = [models.UniqueConstraint(fields=["siret"], condition=~Q(siret=""), name="organisation_siret_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, max_length=200, fallback="organisation")
        self.search_text = normalize(self.name)
        _with_search_text(kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("community:organisation_detail", args=[self.slug])


# --- Profiles -----------------------------------------------------------------------------------
class Metier(models.TextChoices):
    MEDIATEUR = "mediateur", _("Médiateur·rice numérique")
    CONSEILLER = "conseiller", _("Conseiller·ère numérique")
    TRAVAILLEUR_SOCIAL = "travailleur_social", _("Travailleur·se social·e")
    BIBLIOTHECAIRE = "bibliothecaire", _("Bibliothécaire")
    AGENT_ACCUEIL = "agent_accueil", _("Agent d'accueil")
    ELU = "elu", _("Élu·e")
    BENEVOLE = "benevole", _("Bénévole")
    COORDINATEUR = "coordinateur", _("Coordinateur·rice")
    FORMATEUR = "formateur", _("Formateur·rice")
    CHARGE_MISSION = "charge_mission", _("Chargé·e de mission")
    AUTRE = "autre", _("Autre")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Tout le monde")
    MEMBERS = "members", _("Membres du réseau")
    PRIVATE = "private", _("Moi seulement")


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("En attente de validation")
    APPROVED = "approved", _("Membre")
    REJECTED = "rejected", _("Refusé·e")


class SkillCategory(models.Model):
    """A family of the skills référentiel ("Accompagner les publics", "Animer"…), staff-edited."""

    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(max_length=90, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("catégorie de compétences")
        verbose_name_plural = _("catégories de compétences")

    def __str__(self) -> str:
        return self.name


class SkillLevel(models.TextChoices):
    BEGINNER = "beginner", _("Débutant")
    CONFIRMED = "confirmed", _("Confirmé")
    EXPERT = "expert", _("Expert")


# "at least this level" for the directory filter
SKILL_LEVEL_RANK = {SkillLevel.BEGINNER: 1, SkillLevel.CONFIRMED: 2, SkillLevel.EXPERT: 3}


def levels_at_least(level: str) -> list[str]:
    """The levels at or above ``level`` (every level when it is unknown or empty)."""
    floor = SKILL_LEVEL_RANK.get(level, 1)
    return [str(lv) for lv, rank in SKILL_LEVEL_RANK.items() if rank >= floor]


class Skill(models.Model):
    """A skill or interest tag ("qui sait faire quoi").

    Entries of the référentiel (``in_referential``, with a category) are maintained by the hub's
    staff in the admin, seeded with the mediator competences of the national reference; members
    pick them with a level. Other skills are the free words members typed: kept and shown, but
    counted apart ("hors référentiel").
    """

    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(max_length=90, unique=True)
    search_text = models.CharField(_("texte de recherche"), max_length=120, blank=True, default="", editable=False)
    category = models.ForeignKey(
        SkillCategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="skills", verbose_name=_("catégorie")
    )
    in_referential = models.BooleanField(_("dans le référentiel"), default=False, db_index=True)
    description = models.CharField(_("description"), max_length=300, blank=True, default="")
    aliases = models.CharField(
        _("autres intitulés"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Séparés par des virgules : une compétence saisie librement sous l'un de ces noms est rattachée à celle-ci."),
    )
    needs = models.CharField(
        _("besoins d'orientation correspondants"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Services du schéma national séparés par « | » : les orientations vers ces services comptent comme demande."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("compétence")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:90] or secrets.token_hex(4)
        self.search_text = normalize(self.name)[:120]
        _with_search_text(kwargs)
        super().save(*args, **kwargs)

    @property
    def alias_keys(self) -> set[str]:
        """Its name and aliases, accent- and case-free."""
        return {normalize(a) for a in [self.name, *self.aliases.split(",")] if normalize(a)}

    @property
    def need_list(self) -> list[str]:
        return [n.strip() for n in self.needs.split("|") if n.strip()]


# Fields whose visibility a member chooses, with their default level.
PROFILE_VISIBILITY_FIELDS = {
    "photo": Visibility.MEMBERS,
    "metier": Visibility.PUBLIC,
    "organisation": Visibility.PUBLIC,
    "territory": Visibility.PUBLIC,
    "bio": Visibility.MEMBERS,
    "skills": Visibility.MEMBERS,
    "links": Visibility.MEMBERS,
    "email": Visibility.PRIVATE,
}


def default_visibility() -> dict:
    return {key: str(level) for key, level in PROFILE_VISIBILITY_FIELDS.items()}


def profile_photo_path(instance, filename):
    return f"profils/{filename}"


class Profile(TimeStampedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("nom affiché"), max_length=120, blank=True)
    photo = models.ImageField(_("photo"), upload_to=profile_photo_path, blank=True)
    photo_webp = models.FileField(_("photo (WebP)"), upload_to=profile_photo_path, blank=True, editable=False)
    metier = models.CharField(_("métier"), max_length=30, choices=Metier.choices, blank=True)
    metier_other = models.CharField(_("précision sur le métier"), max_length=120, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="profiles", verbose_name=_("département")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="profiles", verbose_name=_("commune")
    )
    bio = models.TextField(_("présentation"), blank=True, help_text=_("Markdown accepté."))
    skills = models.ManyToManyField(
        Skill, blank=True, through="ProfileSkill", related_name="skilled_profiles", verbose_name=_("compétences")
    )
    interests = models.ManyToManyField(Skill, blank=True, related_name="interested_profiles", verbose_name=_("centres d'intérêt"))
    links = models.JSONField(_("liens"), default=list, blank=True)
    visibility = models.JSONField(_("visibilité des champs"), default=default_visibility)
    status = models.CharField(_("statut"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.APPROVED, db_index=True)
    in_directory = models.BooleanField(_("apparaître dans l'annuaire"), default=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(_("texte de recherche"), blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("profil")
        indexes = [
            models.Index(fields=["status", "in_directory"]),
            # The directory's members in its order (``profile_list_directory``): its first page reads
            # 24 entries of this index instead of sorting all 20,000 profiles (7 → 1 ms).
            models.Index(
                fields=["display_name", "id"],
                include=["user"],  # counted without reading the table (the accounts' anti-join)
                condition=models.Q(status=MemberStatus.APPROVED, in_directory=True) & ~models.Q(display_name=""),
                name="profile_directory_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.user.email

    def get_absolute_url(self) -> str:
        return reverse("community:profile_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search_text = normalize(self.display_name)
        _with_search_text(kwargs)
        super().save(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.status == MemberStatus.APPROVED

    @property
    def metier_label(self) -> str:
        if self.metier == Metier.AUTRE or (self.metier_other and not self.metier):
            return self.metier_other
        label = choice_label(Metier, self.metier)
        return f"{label} ({self.metier_other})" if self.metier_other else label

    def level_for(self, field: str) -> str:
        return visibility_level(self.visibility, field)

    def shown_fields(self, viewer) -> dict[str, bool]:
        """Which fields ``viewer`` may see (``profile_fields_shown``)."""
        return profile_fields_shown(viewer, owner_id=self.user_id, visibility=self.visibility)


def profile_fields_shown(viewer, *, owner_id: int, visibility: dict | None) -> dict[str, bool]:
    """Which fields of a profile ``viewer`` may see: the owner and staff see all; members see
    "members" and "public" fields; visitors see only "public" ones. (For a profile read as values,
    e.g. the forum's fragment keys, as well as for a ``Profile``.)"""
    if viewer is not None and viewer.is_authenticated and (viewer.pk == owner_id or viewer.is_hub_staff):
        return dict.fromkeys(PROFILE_VISIBILITY_FIELDS, True)
    is_member = viewer is not None and viewer.is_authenticated and is_approved_member(viewer)
    allowed = {Visibility.PUBLIC, Visibility.MEMBERS} if is_member else {Visibility.PUBLIC}
    return {field: visibility_level(visibility, field) in allowed for field in PROFILE_VISIBILITY_FIELDS}


def visibility_level(visibility: dict | None, field: str) -> str:
    """The level a profile's ``visibility`` gives ``field``, or the field's default."""
    return (visibility or {}).get(field, str(PROFILE_VISIBILITY_FIELDS.get(field, Visibility.MEMBERS)))


class ProfileSkill(models.Model):
    """A member's skill with their level (the table of the former plain many-to-many)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="profile_levels")
    level = models.CharField(_("niveau"), max_length=10, choices=SkillLevel.choices, default=SkillLevel.CONFIRMED)

    class Meta:
        db_table = "community_profile_skills"
        unique_together = [("profile", "skill")]
        verbose_name = _("compétence d'un membre")

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_level_display()})"


def is_approved_member(user) -> bool:
    """Logged in, active, approved (staff always count as members)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_hub_staff:
        return True
    profile = getattr(user, "profile", None)
    return profile is not None and profile.status == MemberStatus.APPROVED


# --- Hub settings and invitations ---------------------------------------------------------------
class SignupPolicy(models.TextChoices):
    OPEN = "open", _("Inscription libre")
    INVITATION = "invitation", _("Sur invitation seulement")
    APPROVAL = "approval", _("Libre, avec validation par l'équipe")


@register_setting(icon="group")
class HubSettings(BaseGenericSetting):
    """Network-wide settings staff edit in the CMS (Paramètres → Réglages du hub)."""

    signup_policy = models.CharField(
        _("politique d'inscription"), max_length=12, choices=SignupPolicy.choices, default=SignupPolicy.APPROVAL
    )
    welcome_text = models.TextField(_("message d'accueil des nouveaux membres"), blank=True)

    class Meta:
        verbose_name = _("réglages du hub")


def invitation_token() -> str:
    return secrets.token_urlsafe(24)


def invitation_expiry():
    return timezone.now() + timedelta(days=30)


class Invitation(TimeStampedModel):
    email = models.EmailField(_("adresse e-mail"))
    token = models.CharField(max_length=64, unique=True, default=invitation_token)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent")
    message = models.TextField(_("message"), blank=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return self.email

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


# --- Notification preferences and e-mail outbox -----------------------------------------------
class Delivery(models.TextChoices):
    IN_APP = "in_app", _("Sur le site seulement")
    INSTANT = "instant", _("E-mail immédiat")
    DAILY = "daily", _("Résumé quotidien")
    WEEKLY = "weekly", _("Résumé hebdomadaire")
    OFF = "off", _("Désactivé")


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=50)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    push = models.BooleanField(_("notification push"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}={self.delivery}"


class PushSubscription(models.Model):
    """One browser or phone of a member that accepted Web Push: where to send and with which keys.

    The endpoint is the push service's address for this device (unique); ``p256dh`` and ``auth``
    are the browser's keys the payload is encrypted with. Deleted when the push service answers
    404/410 (the device unsubscribed or expired) or when the member removes the device.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(_("adresse du service push"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(_("appareil"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("dernier envoi réussi"), null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement push")
        verbose_name_plural = _("abonnements push")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.endpoint[:60]}"


class OutboundEmail(TimeStampedModel):
    """An e-mail written in the same transaction as its cause, delivered by a task.

    ``dedupe_key`` makes writing the same message twice impossible; the status moves
    pending → sending → sent (or failed after retries) through conditional updates, so two
    workers never both send it. The stable ``Message-ID`` lets mail clients fold the rare
    duplicate after a crash between the SMTP hand-off and the status update.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="outbound_emails")
    to_email = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=50, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("e-mail sortant")

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"


class DigestItem(models.Model):
    """A notification waiting for its user's daily or weekly digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_items")
    notification = models.OneToOneField("notifications.Notification", on_delete=models.CASCADE, related_name="digest_item")
    frequency = models.CharField(max_length=10, choices=[(Delivery.DAILY, Delivery.DAILY.label), (Delivery.WEEKLY, Delivery.WEEKLY.label)])
    email = models.ForeignKey(OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="digest_items")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["frequency", "email", "user"])]

    def __str__(self) -> str:
        return f"{self.frequency} digest item {self.notification_id}"


# --- Activity stream ----------------------------------------------------------------------------
class ActivityKind(models.TextChoices):
    """Families of activity, for the stream's filters."""

    GROUPS = "groups", _("Groupes et forum")
    EVENTS = "events", _("Agenda")
    FUNDING = "funding", _("Financements")
    MEMBERS = "members", _("Membres")
    RESOURCES = "resources", _("Ressources")
    PLACES = "places", _("Lieux et label")
    OTHER = "other", _("Autre")


class Activity(models.Model):
    """One thing that moved in the network, shown in activity streams.

    Written by the service of the app that owns the object (``community.services.activity_record``)
    in the same transaction, with a snapshot of what the stream shows (title, excerpt, link), so a
    page of 20 items costs a fixed number of queries whatever their kinds. ``audience`` says who
    may see it — ``"public"``, ``"members"``, ``"staff"``, ``"user:<id>"`` or a prefix owned by a
    higher app (``"group:<id>"``, ``"event:<id>"``…) — and is computed by that app with the same
    rules as its pages; the stream shows a viewer only the audiences ``registry.audiences_for``
    gives them. ``object_ref`` (``"groups.post:42"``) lets the owner withdraw or re-scope items.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    verb = models.CharField(_("action"), max_length=60)
    kind = models.CharField(_("famille"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.OTHER)
    title = models.CharField(_("titre"), max_length=255)
    summary = models.TextField(_("extrait"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    audience = models.CharField(_("public visé"), max_length=60)
    object_ref = models.CharField(_("objet"), max_length=80, blank=True, db_index=True)
    group_id = models.PositiveBigIntegerField(_("groupe"), null=True, blank=True, db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    like_count = models.PositiveIntegerField(_("j'aime"), default=0)
    comment_count = models.PositiveIntegerField(_("commentaires"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("activité")
        indexes = [
            models.Index(fields=["audience", "-created_at"], name="activity_audience_recent"),
            # the stream's order: read newest first and stop at a page, whatever the viewer's many
            # audiences (a member of 200 groups: 400 of them) — no sort of every visible row
            models.Index(fields=["-created_at", "-id"], name="activity_recent"),
            models.Index(fields=["actor", "-created_at"], name="activity_actor_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.verb}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("community:activity_detail", args=[self.pk])

    @property
    def kind_icon(self) -> str:
        """The icon of the item's family, shown when it has no actor (an imported call…)."""
        return {"groups": "message", "events": "calendar", "funding": "euro", "members": "users", "resources": "file"}.get(
            self.kind, "map-pin" if self.kind == ActivityKind.PLACES else "bell"
        )

    @property
    def link(self) -> str:
        """Where the card's title leads: the object's page, else the item's own."""
        return self.url or self.get_absolute_url()

    @property
    def kind_label(self) -> str:
        """The family's label, as ``get_kind_display`` gives it (``choice_label``), on every card."""
        return choice_label(ActivityKind, self.kind)

    @property
    def like_title(self) -> str:
        """ "3 personnes aiment": the like count's tooltip on the card."""
        count = self.like_count
        return ngettext("%(counter)s personne aime", "%(counter)s personnes aiment", count) % {"counter": count}

    @property
    def allows_comments(self) -> bool:
        """Forum items are discussed in their topic (the card links there); others take comments."""
        return self.kind != ActivityKind.GROUPS


class ActivityLike(models.Model):
    """A member likes a stream item (once); ``Activity.like_count`` counts them."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="activity_like_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.activity_id}"


class ActivityComment(models.Model):
    """A short comment on a stream item (Markdown, rendered through ``common.markdown``)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_comments")
    body = models.TextField(_("commentaire"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("commentaire")
        indexes = [models.Index(fields=["activity", "created_at"], name="activity_comment_recent")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.activity_id}"


class Follow(models.Model):
    """A member follows another member or an organisation: their activity reaches the
    "suivis" filter of the follower's stream. Exactly one of ``member`` / ``organisation``."""

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="followers")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("abonnement")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, organisation__isnull=True) | Q(member__isnull=True, organisation__isnull=False),
                name="follow_one_target",
            ),
            models.UniqueConstraint(fields=["follower", "member"], condition=Q(member__isnull=False), name="follow_member_unique"),
            models.UniqueConstraint(
                fields=["follower", "organisation"], condition=Q(organisation__isnull=False), name="follow_organisation_unique"
            ),
            models.CheckConstraint(condition=~Q(follower=models.F("member")), name="follow_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.member_id or self.organisation_id}"
