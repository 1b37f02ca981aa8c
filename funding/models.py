"""Funding calls, their sources, saved searches (watches) with alerts, and working together.

Field names follow Aides-territoires' aid records (``name``→``title``, ``financers``→``funders``,
``submission_deadline``→``deadline``, ``origin_url``→``official_url``…) so their JSON imports as is.
Themes and beneficiaries are stored as ``,code,code,`` strings: one filter (``icontains ",code,"``)
works the same on SQLite and PostgreSQL, and the alert matcher reads them without joins.
"""

import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel, choice_label, unique_slug
from community.models import Commune, Department, Organisation, Region


class CallKind(models.TextChoices):
    CALL_FOR_PROJECTS = "appel_a_projets", _("Appel à projets")
    AMI = "ami", _("Appel à manifestation d'intérêt")
    GRANT = "subvention", _("Subvention")
    PRIZE = "prix", _("Prix")
    LOAN = "pret", _("Prêt")


class Theme(models.TextChoices):
    INCLUSION = "inclusion_numerique", _("Inclusion numérique")
    RIGHTS = "acces_aux_droits", _("Accès aux droits")
    EQUIPMENT = "equipement", _("Équipement et reconditionnement")
    TRAINING = "formation", _("Formation")
    THIRD_PLACES = "tiers_lieux", _("Tiers-lieux")
    EDUCATION = "education_numerique", _("Éducation au numérique")
    ACCESSIBILITY = "accessibilite", _("Accessibilité")
    EMPLOYMENT = "insertion", _("Insertion et emploi")


class Beneficiary(models.TextChoices):
    """Who may apply. Codes shared with ``community.OrganisationType`` where they overlap."""

    COLLECTIVITE = "collectivite", _("Collectivités")
    ASSOCIATION = "association", _("Associations")
    PUBLIC_BODY = "etablissement_public", _("Établissements publics")
    ESS = "entreprise_ess", _("Entreprises de l'ESS")
    CCAS = "ccas", _("CCAS / CIAS")
    MEDIATHEQUE = "mediatheque", _("Médiathèques")
    CENTRE_SOCIAL = "centre_social", _("Centres sociaux")
    FRANCE_SERVICES = "france_services", _("France services")
    TIERS_LIEU = "tiers_lieu", _("Tiers-lieux")
    COMPANY = "entreprise", _("Entreprises")


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    REGION = "region", _("Région")
    DEPARTMENT = "department", _("Département")
    COMMUNE = "commune", _("Commune")


class CallState(models.TextChoices):
    DRAFT = "draft", _("À relire")
    PUBLISHED = "published", _("Publié")
    CLOSED = "closed", _("Clôturé")
    ARCHIVED = "archived", _("Archivé")
    REJECTED = "rejected", _("Écarté")
    MERGED = "merged", _("Fusionné avec un doublon")


def codes_to_text(codes) -> str:
    codes = [c for c in dict.fromkeys(codes) if c]
    return f",{','.join(codes)}," if codes else ""


def text_to_codes(text: str) -> list[str]:
    return [c for c in (text or "").split(",") if c]


def theme_labels(text: str) -> list[str]:
    """The labels of ``,code,`` themes, in the active language (an unknown code as itself)."""
    return [choice_label(Theme, c) for c in text_to_codes(text)]


class SourceKind(models.TextChoices):
    FEED = "feed", _("Flux RSS / Atom")
    JSON = "json", _("JSON (format Aides-territoires)")
    MANUAL = "manual", _("Saisie manuelle / CSV")


# The fields staff edit on a source: one list shared by ``SourceForm`` and ``source_save``.
SOURCE_FIELDS = ("name", "kind", "url", "default_funder", "auto_publish", "is_active")


class Source(TimeStampedModel):
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("format"), max_length=10, choices=SourceKind.choices, default=SourceKind.FEED)
    url = models.URLField(_("adresse du flux"), max_length=500, blank=True)
    auto_publish = models.BooleanField(
        _("publier directement"), default=False, help_text=_("Sinon, les nouveaux appels attendent une relecture par l'équipe.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    default_funder = models.CharField(_("financeur par défaut"), max_length=200, blank=True)
    last_polled_at = models.DateTimeField(_("dernière collecte"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("dernier succès"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("dernière erreur le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    last_created = models.PositiveIntegerField(_("nouveaux appels à la dernière collecte"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")

    def __str__(self) -> str:
        return self.name

    @property
    def is_failing(self) -> bool:
        return bool(self.last_error_at and (not self.last_success_at or self.last_error_at > self.last_success_at))


# The fields staff edit on a call, in form order: one list shared by ``CallForm`` and the services.
CALL_FORM_FIELDS = (
    "title",
    "funders",
    "kind",
    "description",
    "eligibility",
    "scope",
    "region",
    "department",
    "commune",
    "amount_min",
    "amount_max",
    "rate",
    "opens_on",
    "predeposit_on",
    "deadline",
    "is_permanent",
    "official_url",
    "application_url",
)
# Themes and beneficiaries are edited as checkbox lists and stored as ``,code,`` text.
CALL_FIELDS = (*CALL_FORM_FIELDS, "themes", "beneficiaries")


def search_vector_expression() -> SearchVector:
    """The weighted French text-search vector of a call (PostgreSQL): title first, then the rest."""
    return SearchVector("title_key", weight="A", config="french") + SearchVector("search_text", weight="C", config="french")


class FundingCall(TimeStampedModel):
    title = models.CharField(_("titre"), max_length=300)
    slug = models.SlugField(_("identifiant"), max_length=320, unique=True)
    funders = models.CharField(_("financeurs"), max_length=300, help_text=_("Séparés par des virgules."))
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown accepté."))
    eligibility = models.TextField(_("conditions d'éligibilité"), blank=True, help_text=_("Markdown accepté."))
    kind = models.CharField(_("type d'aide"), max_length=20, choices=CallKind.choices, default=CallKind.CALL_FOR_PROJECTS)
    themes = models.CharField(_("thématiques"), max_length=300, blank=True)
    beneficiaries = models.CharField(_("bénéficiaires"), max_length=300, blank=True)
    scope = models.CharField(_("périmètre"), max_length=12, choices=Scope.choices, default=Scope.NATIONAL)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("région"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("département")
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune"))
    amount_min = models.PositiveIntegerField(_("montant minimum (€)"), null=True, blank=True)
    amount_max = models.PositiveIntegerField(_("montant maximum (€)"), null=True, blank=True)
    rate = models.CharField(_("taux de subvention"), max_length=100, blank=True)
    opens_on = models.DateField(_("date d'ouverture"), null=True, blank=True)
    predeposit_on = models.DateField(_("date de pré-dépôt"), null=True, blank=True)
    deadline = models.DateField(_("date limite"), null=True, blank=True, db_index=True)
    is_permanent = models.BooleanField(_("permanent (sans date limite)"), default=False)
    official_url = models.URLField(_("lien officiel"), max_length=500, blank=True, db_index=True)
    application_url = models.URLField(_("lien de candidature"), max_length=500, blank=True)
    source = models.ForeignKey(Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls", verbose_name=_("source"))
    external_id = models.CharField(max_length=200, blank=True)
    funder_key = models.CharField(max_length=300, blank=True, db_index=True)
    title_key = models.CharField(max_length=300, blank=True)
    search_text = models.TextField(blank=True, editable=False, help_text="title, funders, description, eligibility: normalised")
    # ``search_vector_expression()`` stored at save (PostgreSQL only; NULL elsewhere and for rows
    # bulk-inserted): searching then reads it instead of stemming every call's text per request.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    state = models.CharField(_("état"), max_length=10, choices=CallState.choices, default=CallState.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A call reported by a member: credited on the call's page, told when staff decide.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_reported_calls",
        verbose_name=_("signalé par"),
    )
    # Set automatically when a report looks like a known call (same URL, or same funders and
    # title); staff then merge it into that call or publish it anyway.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("doublon probable de")
    )
    decline_reason = models.TextField(_("motif du refus"), blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("appel à financement")
        verbose_name_plural = _("appels à financement")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""), name="funding_call_source_external_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True) | Q(amount_max__isnull=True) | Q(amount_min__lte=models.F("amount_max")),
                name="funding_call_amounts_ordered",
            ),
        ]
        indexes = [models.Index(fields=["state", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.title, max_length=300, fallback="appel")
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if connection.vendor == "postgresql" and (fields is None or {"title_key", "search_text"} & set(fields)):
            type(self).objects.filter(pk=self.pk).update(search_vector=search_vector_expression())

    def get_absolute_url(self) -> str:
        return reverse("funding:call_detail", args=[self.slug])

    @property
    def theme_list(self) -> list[str]:
        return theme_labels(self.themes)

    @property
    def beneficiary_list(self) -> list[str]:
        return [choice_label(Beneficiary, c) for c in text_to_codes(self.beneficiaries)]

    @property
    def is_open(self) -> bool:
        if self.state != CallState.PUBLISHED:
            return False
        today = timezone.localdate()
        if self.opens_on and self.opens_on > today:
            return False
        return self.is_permanent or self.deadline is None or self.deadline >= today

    @property
    def days_left(self) -> int | None:
        if self.deadline is None or self.is_permanent:
            return None
        return (self.deadline - timezone.localdate()).days

    @property
    def perimeter_label(self) -> str:
        if self.scope == Scope.REGION and self.region_id:
            return str(self.region)
        if self.scope == Scope.DEPARTMENT and self.department_id:
            return str(self.department)
        if self.scope == Scope.COMMUNE and self.commune_id:
            return str(self.commune)
        return str(_("France entière"))


class WatchFrequency(models.TextChoices):
    INSTANT = "instant", _("Sur le site, dès la publication")
    DAILY = "daily", _("Résumé quotidien par e-mail")
    WEEKLY = "weekly", _("Résumé hebdomadaire par e-mail")
    NONE = "none", _("Aucune alerte (recherche enregistrée)")


EMAIL_FREQUENCIES = (WatchFrequency.DAILY, WatchFrequency.WEEKLY)


class Watch(TimeStampedModel):
    """A saved search. ``cursor`` is the end of the last window already alerted: the next alert
    covers calls published in (cursor, now − settle], so windows are contiguous — never a call
    twice, never one missed. The cursor moves in the same transaction as the outbox row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_watches")
    name = models.CharField(_("nom de l'alerte"), max_length=120)
    criteria = models.JSONField(_("critères"), default=dict, blank=True)
    frequency = models.CharField(_("fréquence"), max_length=10, choices=WatchFrequency.choices, default=WatchFrequency.WEEKLY)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmé le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désabonné le"), null=True, blank=True)
    cursor = models.DateTimeField(default=timezone.now)
    last_alert_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alerte")
        indexes = [models.Index(fields=["frequency", "cursor"])]

    def __str__(self) -> str:
        return self.name

    @property
    def wants_email(self) -> bool:
        return self.frequency in EMAIL_FREQUENCIES

    @property
    def email_active(self) -> bool:
        return self.wants_email and self.email_confirmed_at is not None and self.unsubscribed_at is None


class AlertDelivery(models.Model):
    """One alert sent for a watch: the window it covers and the calls in it (outbox record)."""

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="deliveries")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    call_ids = models.JSONField(default=list)
    channel = models.CharField(max_length=10)
    email = models.ForeignKey("community.OutboundEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-window_end"]
        constraints = [models.UniqueConstraint(fields=["watch", "window_start"], name="funding_delivery_window_unique")]

    def __str__(self) -> str:
        return f"{self.watch_id}: {len(self.call_ids)} appels"


class InterestKind(models.TextChoices):
    INTERESTED = "interested", _("Ça m'intéresse")
    APPLYING = "applying", _("Nous candidatons")


class CallInterest(models.Model):
    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="interests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_interests")
    kind = models.CharField(max_length=12, choices=InterestKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["call", "user", "kind"], name="funding_interest_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.call_id}"


class PartnerSearch(TimeStampedModel):
    """ "Cherche partenaires": a member looks for partners to answer a call together."""

    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="partner_searches")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_partner_searches")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.TextField(_("message"), help_text=_("Markdown accepté."))
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.author_id} → {self.call_id}"


class DeadlineReminder(models.Model):
    """A reminder already sent (one per call, member and delay): makes the job idempotent."""

    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "user", "days_before"], name="funding_reminder_unique")]

    def __str__(self) -> str:
        return f"J-{self.days_before} {self.call_id} → {self.user_id}"


def feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """Private token of a member's deadlines feed (``.ics``); regenerating it revokes the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_calendar_token")
    token = models.CharField(max_length=64, unique=True, default=feed_token)

    def __str__(self) -> str:
        return f"calendar {self.user_id}"


# --- Answering calls together: consortia, application tracking, help from the hub --------------
class ConsortiumVisibility(models.TextChoices):
    MEMBERS = "members", _("Visible par les membres du réseau (pour attirer des partenaires)")
    PRIVATE = "private", _("Privé : visible de ses seuls membres")


class ApplicationStatus(models.TextChoices):
    PREPARING = "preparing", _("En préparation")
    SUBMITTED = "submitted", _("Déposé")
    WON = "won", _("Retenu")
    LOST = "lost", _("Non retenu")
    ABANDONED = "abandoned", _("Abandonné")


# Where an application may go from each state (en préparation → déposé → retenu / non retenu;
# abandon possible until the answer).
APPLICATION_TRANSITIONS = {
    ApplicationStatus.PREPARING: (ApplicationStatus.SUBMITTED, ApplicationStatus.ABANDONED),
    ApplicationStatus.SUBMITTED: (ApplicationStatus.WON, ApplicationStatus.LOST, ApplicationStatus.ABANDONED),
    ApplicationStatus.WON: (),
    ApplicationStatus.LOST: (),
    ApplicationStatus.ABANDONED: (),
}


class Consortium(TimeStampedModel):
    """Structures answering one call together, led by one member for their structure.

    Its discussion and shared files live in a secret ``groups.Group`` it owns (members of the
    consortium are members of the group), so the forum, attachments and upload guard are reused.
    The application's tracking (status, dates, amounts, funder's answer) is on the same row; its
    history is ``ConsortiumStatusChange``."""

    call = models.ForeignKey(FundingCall, on_delete=models.PROTECT, related_name="consortia", verbose_name=_("appel"))
    name = models.CharField(_("nom du projet"), max_length=200)
    description = models.TextField(_("le projet en quelques lignes"), blank=True, help_text=_("Markdown accepté."))
    partners_wanted = models.TextField(
        _("partenaires recherchés"), blank=True, help_text=_("Compétences, territoires ou types de structures qui manquent.")
    )
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("structure cheffe de file")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=ConsortiumVisibility.choices, default=ConsortiumVisibility.MEMBERS, db_index=True
    )
    looking_for_partners = models.BooleanField(_("cherche des partenaires"), default=True)
    group = models.OneToOneField("groups.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="funding_consortium")
    files_topic = models.ForeignKey("groups.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("état de la candidature"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PREPARING, db_index=True
    )
    submitted_on = models.DateField(_("déposé le"), null=True, blank=True)
    decided_on = models.DateField(_("réponse reçue le"), null=True, blank=True)
    amount_asked = models.PositiveIntegerField(_("montant demandé (€)"), null=True, blank=True)
    amount_granted = models.PositiveIntegerField(_("montant obtenu (€)"), null=True, blank=True)
    funder_answer = models.TextField(_("réponse du financeur"), blank=True)
    # Outbox of the partner announcement: null while a visible consortium looking for partners
    # has not been announced yet; set (by a conditional update) when it is, so it is announced once.
    partners_announced_at = models.DateTimeField(_("recherche de partenaires annoncée le"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consortium")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:consortium_detail", args=[self.pk])

    @property
    def is_private(self) -> bool:
        return self.visibility == ConsortiumVisibility.PRIVATE

    @property
    def next_statuses(self) -> tuple:
        return APPLICATION_TRANSITIONS[ApplicationStatus(self.status)]


class ConsortiumMemberStatus(models.TextChoices):
    REQUESTED = "requested", _("Demande en attente")
    INVITED = "invited", _("Invité·e")
    ACTIVE = "active", _("Membre")
    DECLINED = "declined", _("Refusé·e")
    LEFT = "left", _("Parti·e")


class ConsortiumMember(TimeStampedModel):
    """A member in a consortium, for their organisation, with the role they bring. Rows of people
    who left stay (status "left") so the history stays readable."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_consortium_memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("structure")
    )
    role = models.CharField(_("rôle proposé"), max_length=200, blank=True)
    is_lead = models.BooleanField(_("chef de file"), default=False)
    status = models.CharField(_("statut"), max_length=10, choices=ConsortiumMemberStatus.choices, db_index=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-is_lead", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["consortium", "user"], name="funding_consortium_member_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.consortium_id} ({self.status})"


class ConsortiumAnnouncement(models.Model):
    """A member told that a consortium looks for partners, and why (their watch or a skill)."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="announcements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("raison"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("annonce de recherche de partenaires")
        constraints = [models.UniqueConstraint(fields=["consortium", "user"], name="funding_announcement_once")]

    def __str__(self) -> str:
        return f"{self.consortium_id} → {self.user_id}"


class ConsortiumStatusChange(models.Model):
    """History of an application: who moved it, from which state to which, with a note."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=10, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=10, choices=ApplicationStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.consortium_id}: {self.from_status} → {self.to_status}"


class SupportKind(models.TextChoices):
    REVIEW = "review", _("Relecture du dossier")
    INTRODUCTION = "introduction", _("Mise en relation")
    LETTER = "letter", _("Lettre de soutien")


class SupportStatus(models.TextChoices):
    NEW = "new", _("Nouvelle")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Traitée")
    DECLINED = "declined", _("Déclinée")


class SupportRequest(TimeStampedModel):
    """A member asks the hub for help on a call (from a consortium or the call's page)."""

    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="support_requests")
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, null=True, blank=True, related_name="support_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_support_requests")
    kind = models.CharField(_("type d'aide"), max_length=12, choices=SupportKind.choices)
    message = models.TextField(_("votre demande"))
    status = models.CharField(_("statut"), max_length=12, choices=SupportStatus.choices, default=SupportStatus.NEW, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("suivie par")
    )
    answer = models.TextField(_("réponse"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id} ({self.status})"


class MatchingOptOut(models.Model):
    """A member who does not want to be suggested as a partner to consortia."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_matching_opt_out")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"opt-out {self.user_id}"
