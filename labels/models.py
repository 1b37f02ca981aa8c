"""The regional label: a versioned referential, applications and their workflow, reviews,
committee decisions, labels with a validity period, and Open Badges 2.0 assertions.

An application keeps a foreign key to the referential version it was made under: publishing a
new version never touches old applications, and a published version can no longer be edited
(the services and the admin refuse it).
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from common.storage import private_storage


# --- Referential ------------------------------------------------------------------------------
class Referential(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publié")
        ARCHIVED = "archived", _("Archivé")

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True, help_text=_("Markdown accepté."))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)

    class Meta:
        verbose_name = _("référentiel")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Axis(models.Model):
    referential = models.ForeignKey(Referential, on_delete=models.CASCADE, related_name="axes")
    name = models.CharField(_("axe"), max_length=200)
    order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("axe")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=20, help_text=_("Stable d'une version à l'autre, ex. « A1 »."))
    title = models.CharField(_("intitulé"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    expected_evidence = models.TextField(_("preuves attendues"), blank=True)
    required = models.BooleanField(_("obligatoire"), default=True)
    scale_max = models.PositiveSmallIntegerField(_("note maximale"), default=3, help_text=_("Échelle de 0 à cette note."))
    scale_help = models.CharField(_("sens de l'échelle"), max_length=255, blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère")
        ordering = ["axis__order", "order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(scale_max__gte=1) & Q(scale_max__lte=10), name="criterion_scale_range")]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


# --- Applications -------------------------------------------------------------------------------
class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    IN_REVIEW = "in_review", _("En instruction")
    CORRECTIONS = "corrections", _("Corrections demandées")
    SITE_VISIT = "site_visit", _("Visite sur site")
    GRANTED = "granted", _("Label accordé")
    GRANTED_CONDITIONS = "granted_conditions", _("Label accordé sous conditions")
    REFUSED = "refused", _("Refusée")
    ABANDONED = "abandoned", _("Classée sans suite")


OPEN_STATES = [
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.CORRECTIONS,
    ApplicationState.SITE_VISIT,
]
EDITABLE_STATES = [ApplicationState.DRAFT, ApplicationState.CORRECTIONS]
DECIDABLE_STATES = [ApplicationState.IN_REVIEW, ApplicationState.SITE_VISIT]


class Application(TimeStampedModel):
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="label_applications", verbose_name=_("lieu"))
    referential = models.ForeignKey(Referential, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="label_applications")
    state = models.CharField(_("état"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT, db_index=True)
    state_changed_at = models.DateTimeField(_("état depuis le"), default=timezone.now)
    renewal_of = models.ForeignKey("Label", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewals")
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    site_visit_at = models.DateTimeField(_("visite prévue le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_reason = models.TextField(_("motif de la décision"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)

    class Meta:
        verbose_name = _("candidature au label")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["place"], condition=Q(state__in=[s.value for s in OPEN_STATES]), name="label_one_open_application_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"Candidature #{self.pk} — {self.place}"

    def get_absolute_url(self) -> str:
        return reverse("labels:application_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("réponse"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "criterion"], name="label_answer_unique")]

    def __str__(self) -> str:
        return f"Réponse {self.application_id}/{self.criterion_id}"


def evidence_path(instance, filename):
    return f"label/preuves/{instance.application_id}/{filename}"


class Evidence(models.Model):
    """A file the applicant joins to a criterion; served only through a permission-checked view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("fichier"), upload_to=evidence_path, max_length=255, storage=private_storage)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce justificative")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


AUDIT_ACTIONS = {
    "created": _("Candidature créée"),
    "renewal_created": _("Renouvellement créé"),
    "submitted": _("Candidature déposée"),
    "resubmitted": _("Candidature corrigée et redéposée"),
    "reviewers_assigned": _("Évaluateur·rices affecté·es"),
    "no_conflict_declared": _("Absence de conflit d'intérêts déclarée"),
    "conflict_declared": _("Conflit d'intérêts déclaré : évaluateur·rice retiré·e"),
    "review_submitted": _("Évaluation rendue"),
    "corrections_requested": _("Corrections demandées"),
    "site_visit_scheduled": _("Visite sur site programmée"),
    "decided": _("Décision du comité"),
    "abandoned": _("Classée sans suite"),
    "label_withdrawn": _("Label retiré"),
    "label_expired": _("Label expiré"),
    "label_replaced": _("Label remplacé par un renouvellement"),
}


def _state_label(value: str) -> str:
    if not value:
        return ""
    if value in ApplicationState.values:
        return ApplicationState(value).label
    return dict(Label.Status.choices).get(value, value)


class AuditEntry(models.Model):
    """Who did what to an application (or its label), when, from which state to which."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"

    @property
    def action_label(self) -> str:
        return AUDIT_ACTIONS.get(self.action, self.action)

    @property
    def from_label(self) -> str:
        return _state_label(self.from_state)

    @property
    def to_label(self) -> str:
        return _state_label(self.to_state)


# --- Reviews -----------------------------------------------------------------------------------
class Review(models.Model):
    """A reviewer's assignment on an application and their evaluation."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="label_reviews")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    no_conflict_declared_at = models.DateTimeField(_("absence de conflit d'intérêts déclarée le"), null=True, blank=True)
    comment = models.TextField(_("avis général"), blank=True)
    submitted_at = models.DateTimeField(_("évaluation rendue le"), null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="label_review_unique")]

    def __str__(self) -> str:
        return f"Évaluation {self.application_id} par {self.reviewer_id}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("note"), null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="label_score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


# --- Labels and badges ---------------------------------------------------------------------------
class Label(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Valide")
        EXPIRED = "expired", _("Expiré")
        WITHDRAWN = "withdrawn", _("Retiré")
        REPLACED = "replaced", _("Remplacé par un renouvellement")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="label")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="labels")
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    with_conditions = models.BooleanField(_("sous conditions"), default=False)
    granted_on = models.DateField(_("accordé le"))
    expires_on = models.DateField(_("valide jusqu'au"), db_index=True)
    ended_on = models.DateField(_("fin anticipée le"), null=True, blank=True)
    end_reason = models.TextField(_("motif de fin"), blank=True)
    reminded_90_at = models.DateTimeField(null=True, blank=True)
    reminded_30_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("label")
        ordering = ["-granted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["place"], condition=Q(status="active"), name="label_one_active_per_place"),
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("granted_on")), name="label_expires_after_grant"),
        ]

    def __str__(self) -> str:
        return f"Label {self.place} ({self.granted_on:%Y})"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.ACTIVE and self.expires_on >= timezone.localdate()


class BadgeClass(TimeStampedModel):
    class Kind(models.TextChoices):
        LABEL = "label", _("Label de lieu")
        COMPETENCE = "competence", _("Compétence")

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True, help_text=_("Stable : il fait partie de l'adresse publique."))
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.COMPETENCE)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"))
    criteria = models.TextField(_("critères d'obtention"), help_text=_("Markdown accepté."))
    image = models.ImageField(_("image"), upload_to="badges/", blank=True)
    tags = models.CharField(_("mots-clés"), max_length=255, blank=True, help_text=_("Séparés par des virgules."))

    class Meta:
        verbose_name = _("badge")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def new_salt() -> str:
    return secrets.token_hex(8)


class Assertion(TimeStampedModel):
    """An Open Badges 2.0 hosted assertion: one badge awarded to one identity (an e-mail, hashed)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="assertions")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="badges")
    recipient_name = models.CharField(_("titulaire"), max_length=200)
    identity_hash = models.CharField(max_length=80)
    salt = models.CharField(max_length=32, default=new_salt)
    label = models.OneToOneField(Label, on_delete=models.PROTECT, null=True, blank=True, related_name="assertion")
    narrative = models.TextField(_("motif de l'attribution"), blank=True)
    issued_on = models.DateTimeField(_("délivré le"), default=timezone.now)
    expires = models.DateTimeField(_("expire le"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked = models.BooleanField(_("révoqué"), default=False)
    revocation_reason = models.TextField(_("motif de révocation"), blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("badge délivré")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return f"{self.badge_class} → {self.recipient_name}"

    @staticmethod
    def hash_identity(email: str, salt: str) -> str:
        return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()

    def get_absolute_url(self) -> str:
        return reverse("labels:verify", args=[self.uid])

    @property
    def is_valid(self) -> bool:
        return not self.revoked and (self.expires is None or self.expires >= timezone.now())
