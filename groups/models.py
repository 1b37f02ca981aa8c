"""Groups (open / on request / secret) and their memberships.

The forum (topics, posts, reactions…) is added by the groups issue on top of these two models.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.models import PrivateAttachment, TimeStampedModel, unique_slug
from common.storage import private_storage


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
    is_public = models.BooleanField(
        _("lisible par les visiteurs"),
        default=False,
        help_text=_("Les personnes non connectées lisent les sujets et les moteurs de recherche peuvent les indexer."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("groupe")
        constraints = [
            models.UniqueConstraint(fields=["is_network"], condition=Q(is_network=True), name="single_network_group"),
            # only an open group may be read by visitors: on-request and secret ones never
            models.CheckConstraint(condition=Q(is_public=False) | Q(access="open"), name="group_public_only_open"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, max_length=120, fallback="groupe")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("groups:group_detail", args=[self.slug])

    @property
    def is_secret(self) -> bool:
        return self.access == AccessMode.SECRET

    @property
    def is_readable_by_visitors(self) -> bool:
        return self.is_public and self.access == AccessMode.OPEN


class Membership(TimeStampedModel):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("statut"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE, db_index=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notify_default = models.CharField(_("notifications par défaut"), max_length=10, default="normal")

    class Meta:
        verbose_name = _("adhésion à un groupe")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="membership_unique")]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["group", "status", "-created_at"], name="membership_group_recent"),
        ]

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


# --- Forum ------------------------------------------------------------------------------------
class NotifyLevel(models.TextChoices):
    WATCHING = "watching", _("Suivre : chaque nouveau message")
    NORMAL = "normal", _("Normal : mentions et réponses")
    MUTED = "muted", _("Silencieux : rien")


class Category(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("nom"), max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("catégorie")
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="category_unique_name")]

    def __str__(self) -> str:
        return self.name


class Topic(TimeStampedModel):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="topics")
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="topics", verbose_name=_("catégorie")
    )
    title = models.CharField(_("titre"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="group_topics")
    tags = models.JSONField(_("étiquettes"), default=list, blank=True)
    is_pinned = models.BooleanField(_("épinglé"), default=False)
    is_locked = models.BooleanField(_("verrouillé"), default=False)
    is_hidden = models.BooleanField(_("masqué par la modération"), default=False)
    post_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_post_id_cache = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("sujet")
        indexes = [
            models.Index(fields=["group", "-is_pinned", "-last_post_at"], name="topic_group_order"),
            models.Index(fields=["group", "-created_at"], name="topic_group_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("groups:topic_detail", args=[self.group.slug, self.pk])


class Post(TimeStampedModel):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="group_posts")
    body = models.TextField(_("message"))
    quoted = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    is_hidden = models.BooleanField(_("masqué par la modération"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("message")
        indexes = [
            models.Index(fields=["topic", "id"], name="post_topic_id"),
            models.Index(fields=["author", "-created_at"], name="post_author_recent"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} in topic {self.topic_id}"


class PostRevision(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"revision of post {self.post_id}"


class ReactionKind(models.TextChoices):
    LIKE = "like", _("J'aime")
    THANKS = "thanks", _("Merci")
    IDEA = "idea", _("Bonne idée")
    AGREE = "agree", _("D'accord")


REACTION_EMOJI = {"like": "👍", "thanks": "🙏", "idea": "💡", "agree": "✅"}


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_reactions")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user", "kind"], name="reaction_unique")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


def attachment_path(instance, filename):
    return f"forum/{filename}"


class Attachment(PrivateAttachment):
    """Never served from a public media URL: always through ``attachment_download`` (permission-checked)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=private_storage)
    created_at = models.DateTimeField(auto_now_add=True)

    def get_absolute_url(self) -> str:
        return reverse("groups:attachment_download", args=[self.post.topic.group.slug, self.pk])


class TopicRead(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reads")
    last_read_post_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="topicread_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.topic_id} up to {self.last_read_post_id}"


class TopicSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    level = models.CharField(max_length=10, choices=NotifyLevel.choices, default=NotifyLevel.NORMAL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="topicsubscription_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.level} {self.topic_id}"


class GroupInvitation(TimeStampedModel):
    """An invitation by e-mail for someone who has no account yet; becomes an INVITED membership
    when that address belongs to an approved member."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="email_invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "email"], name="group_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.email} → {self.group_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("À traiter")
    RESOLVED = "resolved", _("Traité")
    DISMISSED = "dismissed", _("Rejeté")


class Report(TimeStampedModel):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("raison"))
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"report {self.pk} on post {self.post_id}"


class ModerationLog(models.Model):
    """Every moderation action, kept when the target disappears."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="moderation_logs")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=40)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    details = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id}"


# --- Polls in the forum -----------------------------------------------------------------------
class PollKind(models.TextChoices):
    SINGLE = "single", _("Un seul choix")
    MULTIPLE = "multiple", _("Plusieurs choix possibles")


class PollResults(models.TextChoices):
    AFTER_VOTE = "after_vote", _("Après avoir voté")
    AFTER_CLOSE = "after_close", _("Seulement à la clôture")


class Poll(TimeStampedModel):
    """A poll carried by a topic (at most one). Members vote and may change their vote until it
    closes — by hand or at ``closes_at``; closing records the ``outcome`` (counts per option and
    number of voters), which stays even when a voter later erases their account."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="poll")
    question = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("type de sondage"), max_length=10, choices=PollKind.choices, default=PollKind.SINGLE)
    anonymous = models.BooleanField(_("votes anonymes"), default=False)
    results = models.CharField(_("résultats visibles"), max_length=12, choices=PollResults.choices, default=PollResults.AFTER_VOTE)
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("clôturé le"), null=True, blank=True)
    outcome = models.JSONField(_("résultat"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sondage")

    def __str__(self) -> str:
        return self.question

    def is_closed_at(self, moment) -> bool:
        return self.closed_at is not None or (self.closes_at is not None and self.closes_at <= moment)


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("réponse"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("réponse de sondage")

    def __str__(self) -> str:
        return self.label


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_poll_votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        constraints = [models.UniqueConstraint(fields=["option", "user"], name="poll_vote_unique")]
        indexes = [models.Index(fields=["poll", "user"], name="poll_vote_poll_user")]

    def __str__(self) -> str:
        return f"vote {self.user_id} → {self.option_id}"
