"""Reads for the label pages, filtered by the viewer and shaped for a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from .access import applications_visible_to
from .models import (
    DECIDABLE_STATES,
    OPEN_STATES,
    Answer,
    Application,
    ApplicationState,
    Assertion,
    AuditEntry,
    Axis,
    Criterion,
    Evidence,
    Label,
    Review,
    Score,
)


def labelled_place_ids() -> QuerySet:
    """Ids of places holding a valid label (for the places app's "labelled only" filter)."""
    return Label.objects.filter(status=Label.Status.ACTIVE, expires_on__gte=timezone.localdate()).values("place_id")


def application_list_for_manager(*, viewer) -> QuerySet[Application]:
    return (
        Application.objects.filter(Q(applicant=viewer) | Q(place__managers=viewer))
        .distinct()
        .select_related("place", "referential", "label")
        .order_by("-state_changed_at")
    )


def review_list_for_reviewer(*, viewer) -> QuerySet[Review]:
    return (
        Review.objects.filter(reviewer=viewer, application__state__in=OPEN_STATES)
        .select_related("application__place")
        .order_by("submitted_at", "-assigned_at")
    )


def application_list_staff(*, state: str = "") -> QuerySet[Application]:
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
    scores = {s.criterion_id: s for s in Score.objects.filter(review=review)}
    answers = {a.criterion_id: a for a in Answer.objects.filter(application=review.application_id)}
    axes = list(Axis.objects.filter(referential=review.application.referential_id).prefetch_related("criteria"))
    for axis in axes:
        axis.rows = [{"criterion": c, "score": scores.get(c.pk), "answer": answers.get(c.pk)} for c in axis.criteria.all()]
    return axes


def badges_of(user) -> QuerySet[Assertion]:
    return Assertion.objects.filter(recipient=user, label__isnull=True, revoked=False).select_related("badge_class").order_by("-issued_on")


def evidence_get_for_viewer(*, viewer, application_pk: int, pk: int) -> Evidence:
    from django.http import Http404

    ev = Evidence.objects.filter(pk=pk, application__in=applications_visible_to(viewer).filter(pk=application_pk)).first()
    if ev is None:
        raise Http404
    return ev
