"""Reads for the label pages, filtered by the viewer and shaped for a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from common import queries
from common.queries import CompiledQuery
from community.models import MemberStatus, User
from places.models import Place
from places.selectors import place_list_managed_by

from .access import applications_visible_to
from .models import (
    DECIDABLE_STATES,
    EDITABLE_STATES,
    OPEN_STATES,
    Answer,
    Application,
    ApplicationState,
    Assertion,
    AuditEntry,
    Axis,
    BadgeClass,
    Criterion,
    Evidence,
    Label,
    Referential,
    Review,
    Score,
)

# States in which a place already has an application in progress (it cannot start another).
BUSY_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.CORRECTIONS,
    ApplicationState.SITE_VISIT,
)


def referential_current() -> Referential | None:
    """The published version of the referential new applications use (``None`` between campaigns)."""
    return Referential.objects.filter(status=Referential.Status.PUBLISHED).order_by("-version").first()


def application_missing_required(application: Application) -> list[Criterion]:
    """Required criteria still without an answer (an application cannot be submitted with any)."""
    answered = set(application.answers.exclude(text="").values_list("criterion_id", flat=True))
    return [
        c
        for c in Criterion.objects.filter(axis__referential=application.referential_id, required=True).select_related("axis")
        if c.pk not in answered
    ]


def reviewer_candidates(application: Application) -> QuerySet[User]:
    """Approved members of the network who are neither managers of the place nor the applicant."""
    managers = set(application.place.managers.values_list("pk", flat=True)) | {application.applicant_id}
    return (
        User.objects.filter(is_active=True, erased_at__isnull=True, profile__status=MemberStatus.APPROVED)
        .exclude(pk__in=managers)
        .select_related("profile")
        .order_by("profile__display_name", "email")
    )


def labelled_place_ids() -> QuerySet:
    """Ids of places holding a valid label (for the places app's "labelled only" filter)."""
    return Label.objects.filter(status=Label.Status.ACTIVE, expires_on__gte=timezone.localdate()).values("place_id")


def _applications_of(applicant_id, manager_id) -> QuerySet[Application]:
    # The managed places as a subquery (``any_of``), not a join: no row twice, so no DISTINCT
    # over every selected column (on PostgreSQL, 3 ms of planning and sorting on each dashboard).
    managed = Place.managers.through.objects.filter(user_id=manager_id).values("place_id")
    return (
        Application.objects.filter(Q(applicant_id=applicant_id) | Q(place__any_of=managed))
        .select_related("place", "referential", "label")
        .order_by("-state_changed_at")
    )


def application_list_for_manager(*, viewer) -> QuerySet[Application]:
    """Applications of the places the viewer manages, or that they filed, latest change first."""
    return _applications_of(viewer.pk, viewer.pk)


def _reviews_of(reviewer_id) -> QuerySet[Review]:
    return (
        Review.objects.filter(reviewer_id=reviewer_id, application__state__in=OPEN_STATES)
        .select_related("application__place")
        .order_by("submitted_at", "-assigned_at")
    )


def review_list_for_reviewer(*, viewer) -> QuerySet[Review]:
    """The viewer's evaluations of applications still open, those to hand in first."""
    return _reviews_of(viewer.pk)


# The dashboard's panels show the first few of these on every view: compiled once.
PANEL_APPLICATIONS = 5
PANEL_REVIEWS = 10
_PANEL_APPLICATIONS = CompiledQuery(
    lambda applicant_id, manager_id: _applications_of(applicant_id, manager_id)[:PANEL_APPLICATIONS],
    applicant_id=queries.INT,
    manager_id=queries.INT + 1,
)
_PANEL_REVIEWS = CompiledQuery(lambda reviewer_id: _reviews_of(reviewer_id)[:PANEL_REVIEWS], reviewer_id=queries.INT)


def application_list_for_panel(*, viewer) -> list[Application]:
    """The first ``PANEL_APPLICATIONS`` of ``application_list_for_manager``."""
    return _PANEL_APPLICATIONS.instances(applicant_id=viewer.pk, manager_id=viewer.pk)


def review_list_for_panel(*, viewer) -> list[Review]:
    """The first ``PANEL_REVIEWS`` of ``review_list_for_reviewer``."""
    return _PANEL_REVIEWS.instances(reviewer_id=viewer.pk)


def application_list_staff(*, state: str = "") -> QuerySet[Application]:
    """Staff: every application (optionally in one state) with its reviewers' progress, oldest change first."""
    qs = (
        Application.objects.select_related("place", "applicant__profile", "referential")
        .annotate(
            reviewer_count=Count("reviews", distinct=True),
            reviews_done=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
        )
        .order_by("state_changed_at")
    )
    if state:
        qs = qs.filter(state=state)
    return qs


def application_list_ready_for_committee() -> QuerySet[Application]:
    """In review or visited, with every assigned reviewer's evaluation handed in."""
    return application_list_staff().filter(state__in=DECIDABLE_STATES, reviewer_count__gt=0).filter(reviews_done=F("reviewer_count"))


def staff_dashboard(*, today=None) -> dict:
    """Staff dashboard figures: applications per state, the 50 oldest open ones, renewals due in 120 days."""
    today = today or timezone.localdate()
    now = timezone.now()
    counts = dict(Application.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    by_state = []
    for state in ApplicationState:
        by_state.append({"state": state, "label": state.label, "count": counts.get(state.value, 0)})
    open_apps = list(
        Application.objects.filter(state__in=OPEN_STATES)
        .exclude(state=ApplicationState.DRAFT)
        .select_related("place")
        .order_by("state_changed_at")[:50]
    )
    for app in open_apps:
        app.age_days = (now - app.state_changed_at).days
    renewals = list(
        Label.objects.filter(status=Label.Status.ACTIVE, expires_on__lte=today + timedelta(days=120))
        .select_related("place")
        .order_by("expires_on")[:50]
    )
    return {"by_state": by_state, "open_apps": open_apps, "renewals": renewals}


def label_list_active() -> QuerySet[Label]:
    """Labels in force today (public list and map), by place name."""
    return (
        Label.objects.filter(status=Label.Status.ACTIVE, expires_on__gte=timezone.localdate())
        .select_related("place", "assertion")
        .order_by("place__nom", "pk")
    )


def application_detail_data(*, application: Application, viewer, show_scores: bool) -> dict:
    """Axes with criteria, each with its answer and evidence (and scores for staff): a fixed
    number of queries whatever the size of the referential."""
    answers = {a.criterion_id: a for a in Answer.objects.filter(application=application)}
    evidence: dict[int, list[Evidence]] = {}
    for ev in Evidence.objects.filter(application=application):
        evidence.setdefault(ev.criterion_id, []).append(ev)
    reviews = list(Review.objects.filter(application=application).select_related("reviewer__profile").prefetch_related("scores"))
    axes = list(
        Axis.objects.filter(referential=application.referential_id).prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk"))
        )
    )
    for axis in axes:
        axis.rows = []
        for c in axis.criteria.all():
            row = {"criterion": c, "answer": answers.get(c.pk), "evidence": evidence.get(c.pk, [])}
            if show_scores:
                row["scores"] = [next((s for s in r.scores.all() if s.criterion_id == c.pk), None) for r in reviews]
            axis.rows.append(row)
    if show_scores:
        for r in reviews:
            values = [s.score for s in r.scores.all() if s.score is not None]
            r.total = sum(values)
    audit = list(AuditEntry.objects.filter(application=application).select_related("actor__profile"))
    return {"axes": axes, "reviews": reviews, "audit": audit}


def review_form_data(*, review: Review) -> list:
    """Axes with, per criterion, the reviewer's score and the applicant's answer (three queries)."""
    scores = {s.criterion_id: s for s in Score.objects.filter(review=review)}
    answers = {a.criterion_id: a for a in Answer.objects.filter(application=review.application_id)}
    axes = list(Axis.objects.filter(referential=review.application.referential_id).prefetch_related("criteria"))
    for axis in axes:
        axis.rows = [{"criterion": c, "score": scores.get(c.pk), "answer": answers.get(c.pk)} for c in axis.criteria.all()]
    return axes


def badges_of(user) -> QuerySet[Assertion]:
    """A member's competence badges still valid (shown on their profile)."""
    return Assertion.objects.filter(recipient=user, label__isnull=True, revoked=False).select_related("badge_class").order_by("-issued_on")


def evidence_get_for_viewer(*, viewer, application_pk: int, pk: int) -> Evidence:
    """A piece of evidence of an application the viewer may see, else 404."""
    ev = Evidence.objects.filter(pk=pk, application__in=applications_visible_to(viewer).filter(pk=application_pk)).first()
    if ev is None:
        raise Http404
    return ev


def my_applications_page(*, viewer) -> dict:
    """The applicant's page: their applications, the places they manage that may apply now (no
    application in progress), and which of those already hold a label (four queries)."""
    applications = list(application_list_for_manager(viewer=viewer))
    busy = {a.place_id for a in applications if a.state in BUSY_STATES}
    places = [p for p in place_list_managed_by(user=viewer).order_by("pk") if p.pk not in busy]
    labelled = set(labelled_place_ids().values_list("place_id", flat=True))
    return {"applications": applications, "places": places, "labelled": labelled, "referential": referential_current()}


def place_get_for_application(*, viewer, pk) -> Place:
    """A place the viewer manages, to apply for the label with; 404 for any other."""
    place = place_list_managed_by(user=viewer).filter(pk=pk).first() if str(pk).isdigit() else None
    if place is None:
        raise Http404
    return place


def label_of(application: Application) -> Label | None:
    """The label an application led to, with its badge assertion."""
    return Label.objects.filter(application=application).select_related("assertion").first()


def label_get(*, pk) -> Label:
    """A label by id (withdrawal and renewal check the viewer themselves), or 404."""
    label = Label.objects.select_related("application", "place").filter(pk=pk).first()
    if label is None:
        raise Http404
    return label


def application_edit_data(*, application: Application) -> dict:
    """The criteria of the application's referential and the current answers (two queries)."""
    criteria = list(Criterion.objects.filter(axis__referential=application.referential_id).select_related("axis"))
    answers = dict(application.answers.values_list("criterion_id", "text"))
    return {"criteria": criteria, "answers": answers}


def application_missing_if_editable(application: Application) -> list[Criterion]:
    """Required criteria still unanswered, while the applicant can still answer them."""
    return application_missing_required(application) if application.state in EDITABLE_STATES else []


def review_get_for_reviewer(*, viewer, application: Application) -> Review | None:
    """The viewer's own evaluation of ``application`` (``None`` when they are not a reviewer)."""
    review = Review.objects.filter(application=application, reviewer=viewer).first()
    if review is not None:
        review.application = application
    return review


def assertion_get(*, uid) -> Assertion:
    """A badge assertion by its public identifier (verification pages and JSON-LD), or 404."""
    assertion = Assertion.objects.select_related("badge_class", "label__place", "label__application").filter(uid=uid).first()
    if assertion is None:
        raise Http404
    return assertion


def badge_class_get(*, slug) -> BadgeClass:
    """A badge class by slug, or 404."""
    badge = BadgeClass.objects.filter(slug=slug).first()
    if badge is None:
        raise Http404
    return badge


def competence_badges_issued(*, limit: int = 100) -> QuerySet[Assertion]:
    """Staff: the latest competence badges awarded (label badges are listed with their labels)."""
    return Assertion.objects.filter(label__isnull=True).select_related("badge_class").order_by("-issued_on", "-pk")[:limit]


def referential_list() -> QuerySet[Referential]:
    """Every version of the referential."""
    return Referential.objects.all()


def referential_get(*, pk) -> tuple[Referential, QuerySet[Axis]]:
    """A version of the referential with its axes and their criteria (two queries), or 404."""
    referential = Referential.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if referential is None:
        raise Http404
    return referential, referential.axes.prefetch_related("criteria")
