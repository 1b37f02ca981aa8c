"""Events and workshops: the agenda, sign-up forms, registrations with a waiting list, and the
proposals and breakouts of collective-intelligence sessions.

Seats are guarded by a counter on ``Event`` (``seats_taken``) that is only ever changed by a
conditional ``UPDATE ... WHERE seats_taken + n <= capacity`` and is backed by a check
constraint: the rule "never over-booked" holds on SQLite (where ``select_for_update`` is a
no-op) as on PostgreSQL.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel, choice_label, unique_slug


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_code() -> str:
    """A short registration code, easy to read aloud at the door (no 0/O, 1/I)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def default_reminders() -> list[int]:
    return [2 * 24 * 60, 2 * 60]


class EventType(models.TextChoices):
    ATELIER = "atelier", _("Atelier")
    WEBINAIRE = "webinaire", _("Webinaire")
    RENCONTRE = "rencontre", _("Rencontre / speed-meeting")
    VISITE = "visite", _("Visite apprenante")
    CAFE = "cafe", _("Café réseau")
    FORMATION = "formation", _("Formation")
    INTELLIGENCE = "intelligence", _("Séance d'intelligence collective")


class EventFormat(models.TextChoices):
    ONSITE = "onsite", _("Présentiel")
    ONLINE = "online", _("En ligne")
    HYBRID = "hybrid", _("Hybride")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Tout public")
    MEMBERS = "members", _("Membres du réseau")
    GROUP = "group", _("Un groupe")


class EventState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PENDING = "pending", _("En attente de validation")
    CHANGES = "changes", _("Modifications demandées")
    DECLINED = "declined", _("Refusé")
    PUBLISHED = "published", _("Publié")
    CANCELLED = "cancelled", _("Annulé")


# States an event proposed by a member passes through before the hub staff publish it.
IN_REVIEW = (EventState.PENDING, EventState.CHANGES, EventState.DECLINED)


class SignupScope(models.TextChoices):
    OCCURRENCE = "occurrence", _("Inscription à chaque date")
    SERIES = "series", _("Inscription à toute la série")


class EventSeries(TimeStampedModel):
    """A recurrence (e.g. every other Friday), materialised as one ``Event`` per date."""

    title = models.CharField(_("titre"), max_length=200)
    interval_weeks = models.PositiveSmallIntegerField(_("toutes les N semaines"), default=2)
    count = models.PositiveSmallIntegerField(_("nombre de dates"), default=6)
    signup_scope = models.CharField(_("inscription"), max_length=12, choices=SignupScope.choices, default=SignupScope.OCCURRENCE)

    class Meta:
        verbose_name = _("série d'événements")

    def __str__(self) -> str:
        return self.title

    @property
    def rhythm(self) -> str:
        return series_rhythm(self.interval_weeks)


def series_rhythm(interval_weeks: int) -> str:
    """How often a series comes back, in French: "chaque semaine", "toutes les 2 semaines"…"""
    if interval_weeks <= 1:
        return str(_("chaque semaine"))
    return str(_("toutes les %(n)s semaines") % {"n": interval_weeks})


def event_image_path(instance, filename):
    return f"evenements/{filename}"


class EventLabels:
    """What pages print of an event from its ``slug``, ``type`` and ``format``: its link and its
    labels. For ``Event`` and for the agenda's cards (``selectors.EventCard``), which hold those
    values and render with the same template."""

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", args=[self.slug])

    # Django's ``get_FOO_display`` builds a dict of every choice per call, translating each lazy
    # label: on an agenda of 100 events that was 1,600 gettext calls per page.
    def get_type_display(self) -> str:
        return choice_label(EventType, self.type)

    def get_format_display(self) -> str:
        return choice_label(EventFormat, self.format)


class Event(EventLabels, TimeStampedModel):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=220, unique=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown accepté."))
    type = models.CharField(_("type"), max_length=20, choices=EventType.choices, default=EventType.ATELIER, db_index=True)
    format = models.CharField(_("format"), max_length=10, choices=EventFormat.choices, default=EventFormat.ONSITE, db_index=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    commune = models.ForeignKey(
        "community.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("commune")
    )
    online_url = models.URLField(_("lien de connexion"), blank=True, help_text=_("Montré aux seules personnes inscrites et confirmées."))
    start = models.DateTimeField(_("début"), db_index=True)
    end = models.DateTimeField(_("fin"))
    organiser_group = models.ForeignKey(
        "groups.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_events",
        verbose_name=_("groupe organisateur"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    audience = models.CharField(_("public"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS, db_index=True)
    audience_group = models.ForeignKey(
        "groups.Group",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audience_events",
        verbose_name=_("groupe destinataire"),
    )
    image = models.ImageField(_("image"), upload_to=event_image_path, blank=True)
    tags = models.CharField(_("mots-clés"), max_length=300, blank=True, help_text=_("Séparés par des virgules."))
    state = models.CharField(_("état"), max_length=10, choices=EventState.choices, default=EventState.DRAFT, db_index=True)
    series = models.ForeignKey(EventSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences")

    capacity = models.PositiveIntegerField(_("nombre de places"), null=True, blank=True, help_text=_("Vide : sans limite."))
    seats_taken = models.PositiveIntegerField(_("places prises"), default=0)
    signup_enabled = models.BooleanField(_("inscriptions ouvertes"), default=True)
    signup_opens_at = models.DateTimeField(_("ouverture des inscriptions"), null=True, blank=True)
    signup_closes_at = models.DateTimeField(_("clôture des inscriptions"), null=True, blank=True)
    max_guests = models.PositiveSmallIntegerField(_("accompagnant·es par personne"), default=0)
    confirm_within_hours = models.PositiveSmallIntegerField(
        _("délai de confirmation (heures)"),
        null=True,
        blank=True,
        help_text=_("Après une promotion depuis la liste d'attente ; vide : la place est attribuée d'office."),
    )
    reminder_minutes = models.JSONField(_("rappels (minutes avant)"), default=default_reminders, blank=True)
    accepts_proposals = models.BooleanField(_("appel à propositions"), default=False)
    review_note = models.TextField(_("message de l'équipe"), blank=True, help_text=_("Motif d'une demande de modifications ou d'un refus."))
    uid = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("événement")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")), name="event_never_overbooked"),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="event_ends_after_start",
                violation_error_message=_("La fin doit suivre le début."),
            ),
            models.CheckConstraint(condition=~Q(audience="group") | Q(audience_group__isnull=False), name="event_group_audience_has_group"),
        ]
        indexes = [models.Index(fields=["state", "start"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            stamp = self.start.strftime("%Y-%m-%d") if self.start else ""
            self.slug = unique_slug(self, f"{slugify(self.title)[:180]}-{stamp}".strip("-"), max_length=200, fallback="evenement")
        super().save(*args, **kwargs)

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.seats_taken >= self.capacity

    @property
    def is_past(self) -> bool:
        return self.end < timezone.now()

    @property
    def is_published(self) -> bool:
        return self.state == EventState.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.state == EventState.CANCELLED

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def organiser_label(self) -> str:
        return organiser_label_of(self.organiser_group.name if self.organiser_group_id else None)

    def signup_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if not self.signup_enabled or self.state != EventState.PUBLISHED or self.start <= now:
            return False
        if self.signup_opens_at and now < self.signup_opens_at:
            return False
        return not (self.signup_closes_at and now >= self.signup_closes_at)


def organiser_label_of(group_name: str | None) -> str:
    """Who organises an event, as pages print it: its group's name, or the hub's team."""
    return group_name if group_name is not None else str(_("L'équipe du hub"))


# What an organiser edits on an event, in the order of the form (``EventForm``). The services
# accept these and the two they fill themselves, ``reminder_minutes`` (from the form's reminders)
# and ``series`` (``events.services.calendar.EVENT_FIELDS``).
EVENT_EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "type",
    "format",
    "start",
    "end",
    "address",
    "commune",
    "online_url",
    "organiser_group",
    "audience",
    "audience_group",
    "image",
    "tags",
    "state",
    "capacity",
    "signup_enabled",
    "signup_opens_at",
    "signup_closes_at",
    "max_guests",
    "confirm_within_hours",
    "accepts_proposals",
)


class QuestionKind(models.TextChoices):
    SHORT = "short", _("Texte court")
    LONG = "long", _("Texte long")
    CHOICE = "choice", _("Choix unique")
    MULTI = "multi", _("Choix multiple")
    YESNO = "yesno", _("Oui / non")
    NUMBER = "number", _("Nombre")
    CONSENT = "consent", _("Case de consentement")


class Question(models.Model):
    """One field of an event's sign-up form, built by staff."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("intitulé"), max_length=300)
    kind = models.CharField(_("type de réponse"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SHORT)
    required = models.BooleanField(_("obligatoire"), default=False)
    help_text = models.CharField(_("aide"), max_length=300, blank=True)
    choices = models.TextField(_("choix possibles"), blank=True, help_text=_("Un par ligne (choix unique ou multiple)."))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]

    @property
    def field_name(self) -> str:
        return f"q_{self.pk}"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("En attente de confirmation de l'adresse")
    CONFIRMED = "confirmed", _("Confirmée")
    OFFERED = "offered", _("Place proposée, à confirmer")
    WAITLISTED = "waitlisted", _("En liste d'attente")
    CANCELLED = "cancelled", _("Annulée")


class Intention(models.TextChoices):
    """What a participant says in advance; check-in on the day confirms presence."""

    PRESENT = "present", _("Présent·e")
    EXCUSED = "excused", _("Excusé·e")
    ABSENT = "absent", _("Absent·e")


# Statuses that hold seats in ``Event.seats_taken``.
SEAT_HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
ACTIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED, RegistrationStatus.WAITLISTED)


class Registration(TimeStampedModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="event_registrations")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("nom"), max_length=200)
    status = models.CharField(_("statut"), max_length=12, choices=RegistrationStatus.choices, db_index=True)
    seats = models.PositiveSmallIntegerField(_("places"), default=1)
    guests = models.JSONField(_("accompagnant·es"), default=list, blank=True)
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    code = models.CharField(_("code"), max_length=12, unique=True, default=new_code)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    waitlisted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(_("présence"), null=True, blank=True)
    intention = models.CharField(_("présence annoncée"), max_length=8, choices=Intention.choices, blank=True)
    intention_message = models.CharField(_("message d'excuse"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.JSONField(default=list, blank=True)
    shown_to_members = models.BooleanField(
        _("visible dans « Qui vient »"), default=False, help_text=_("La personne accepte que les membres voient son nom et sa photo.")
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("inscription")
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], condition=~Q(status="cancelled"), name="registration_one_active_per_email"),
        ]
        indexes = [models.Index(fields=["event", "status"]), models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.name} → {self.event_id} ({self.status})"

    @property
    def attendance(self) -> str:
        """Present when checked in; otherwise what the person said (excused, absent), or nothing yet."""
        if self.attended_at:
            return Intention.PRESENT
        if self.intention in (Intention.EXCUSED, Intention.ABSENT):
            return self.intention
        return ""

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Proposée")
    ACCEPTED = "accepted", _("Retenue")
    DECLINED = "declined", _("Non retenue")


class Proposal(TimeStampedModel):
    """A project or question a member brings to a collective-intelligence session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="event_proposals")
    title = models.CharField(_("titre"), max_length=200)
    pitch = models.TextField(_("présentation"), help_text=_("Markdown accepté."))
    wants = models.TextField(_("ce que j'attends du groupe"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("proposition")

    def __str__(self) -> str:
        return self.title


class Breakout(TimeStampedModel):
    """A sub-group of a session, usually born from an accepted proposal."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="breakouts")
    proposal = models.OneToOneField(Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="breakout")
    title = models.CharField(_("titre"), max_length=200)
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="hosted_breakouts")
    size_limit = models.PositiveSmallIntegerField(_("taille maximale"), null=True, blank=True)
    participant_count = models.PositiveIntegerField(default=0)
    restitution = models.TextField(_("restitution"), blank=True, help_text=_("Markdown accepté."))
    restitution_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("sous-groupe")
        constraints = [
            models.CheckConstraint(
                condition=Q(size_limit__isnull=True) | Q(participant_count__lte=F("size_limit")), name="breakout_size_limit"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_full(self) -> bool:
        return self.size_limit is not None and self.participant_count >= self.size_limit


class SessionTimer(TimeStampedModel):
    """The countdown an organiser starts for a phase of a live session, shown to every participant."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="session_timer")
    label = models.CharField(_("étape"), max_length=80, blank=True)
    ends_at = models.DateTimeField(_("fin"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("minuteur de séance")

    def __str__(self) -> str:
        return self.label or str(self.ends_at)


class BreakoutChoice(TimeStampedModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="breakout_choices")
    breakout = models.ForeignKey(Breakout, on_delete=models.CASCADE, related_name="choices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="breakout_choices")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="breakout_one_choice_per_event")]


class BreakoutNote(TimeStampedModel):
    breakout = models.ForeignKey(Breakout, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["pk"]


class CalendarToken(models.Model):
    """The secret of a member's private "my events" feed; rotating it revokes old links."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar token of {self.user_id}"


OFFER_DEFAULT = timedelta(hours=24)


class AgendaSettings(models.Model):
    """The hub's rule for events members create: which ones wait for staff approval (one row)."""

    group_events_need_approval = models.BooleanField(
        _("les événements de groupe attendent la validation de l'équipe"),
        default=False,
        help_text=_("Sinon, ils sont publiés tout de suite pour le public du groupe."),
    )
    hub_events_need_approval = models.BooleanField(
        _("les événements proposés à l'agenda du hub attendent la validation de l'équipe"), default=True
    )

    class Meta:
        verbose_name = _("réglages de l'agenda")

    def __str__(self) -> str:
        return str(_("Réglages de l'agenda"))

    @classmethod
    def current(cls) -> "AgendaSettings":
        return cls.objects.get_or_create(pk=1)[0]


class GroupAgendaPolicy(models.Model):
    """Per group: may any member (not only the group's admins) create events for the group?"""

    group = models.OneToOneField("groups.Group", on_delete=models.CASCADE, related_name="agenda_policy")
    members_create_events = models.BooleanField(_("tout membre du groupe peut créer un événement du groupe"), default=False)

    class Meta:
        verbose_name = _("règle d'agenda du groupe")

    def __str__(self) -> str:
        return str(self.group)


# Date polls live in their own module; imported here so that Django registers their models.
from .datepoll_models import (  # noqa: E402, F401
    Choice,
    DateAnswer,
    DatePoll,
    DatePollGuest,
    DatePollInvitee,
    DateSlot,
    DateVote,
    PollInvitees,
)
from .minutes_models import (  # noqa: E402, F401
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Minutes,
    MinutesReading,
    MinutesRevision,
    MinutesState,
)
