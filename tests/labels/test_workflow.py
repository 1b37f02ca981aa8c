"""Every transition of the application workflow, and every refusal: a table of state × actor."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from notifications.models import Notification

from labels import services
from labels.models import Application, ApplicationState, Assertion, AuditEntry, Label, Review
from places.models import Place
from tests.factories import StaffFactory, UserFactory
from tests.places.factories import make_place

from .factories import answer_all, make_application, make_referential

S = ApplicationState
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _referential(referential):
    return referential


# --- who may do what ---------------------------------------------------------------------------------
def _actors(app):
    reviewer_review = app.reviews.select_related("reviewer").first()
    return {
        "manager": app.applicant,
        "other": UserFactory(),
        "reviewer": reviewer_review.reviewer if reviewer_review else UserFactory(),
        "staff": StaffFactory(),
    }


def _do(action, app, actor):
    app = Application.objects.get(pk=app.pk)
    if action == "submit":
        return services.application_submit(actor=actor, application=app)
    if action == "assign":
        return services.application_assign_reviewers(actor=actor, application=app, reviewers=[UserFactory()])
    if action == "corrections":
        return services.application_request_corrections(actor=actor, application=app, comment="À revoir")
    if action == "visit":
        return services.application_schedule_visit(actor=actor, application=app, when=timezone.now() + timedelta(days=3))
    if action == "decide":
        return services.application_decide(actor=actor, application=app, decision=S.GRANTED, reason="Conforme.")
    if action == "abandon":
        return services.application_abandon(actor=actor, application=app, reason="Sans suite.")
    if action == "answers":
        return services.application_answers_save(actor=actor, application=app, answers={})
    raise AssertionError(action)


# (action, starting state, actor) → True if allowed; any actor not listed is refused with PermissionDenied.
ALLOWED_ACTORS = {
    "submit": {"manager"},
    "answers": {"manager"},
    "assign": {"staff"},
    "corrections": {"staff", "reviewer"},
    "visit": {"staff"},
    "decide": {"staff"},
    "abandon": {"manager", "staff"},
}
START_STATE = {
    "submit": S.DRAFT,
    "answers": S.DRAFT,
    "assign": S.SUBMITTED,
    "corrections": S.SITE_VISIT,  # reviewer has declared no conflict in this state
    "visit": S.SITE_VISIT,
    "decide": S.SITE_VISIT,
    "abandon": S.SUBMITTED,
}


@pytest.mark.parametrize("action", list(ALLOWED_ACTORS))
@pytest.mark.parametrize("actor_key", ["manager", "other", "reviewer", "staff"])
def test_actor_table(action, actor_key):
    app = make_application(state=START_STATE[action])
    answer_all_if_draft = action == "submit"
    if answer_all_if_draft:
        answer_all(app, app.applicant)
    actor = _actors(app)[actor_key]
    before = Application.objects.get(pk=app.pk).state
    audit_before = AuditEntry.objects.filter(application=app).count()
    if actor_key in ALLOWED_ACTORS[action]:
        _do(action, app, actor)
    else:
        with pytest.raises(PermissionDenied):
            _do(action, app, actor)
        assert Application.objects.get(pk=app.pk).state == before
        assert AuditEntry.objects.filter(application=app).count() == audit_before


# Starting states from which each action is refused (ValidationError), by an allowed actor.
REFUSED_STATES = {
    "submit": [S.SUBMITTED, S.IN_REVIEW, S.SITE_VISIT, S.GRANTED, S.REFUSED, S.ABANDONED],
    "answers": [S.SUBMITTED, S.IN_REVIEW, S.GRANTED],
    "assign": [S.DRAFT, S.CORRECTIONS, S.GRANTED, S.REFUSED],
    "corrections": [S.DRAFT, S.CORRECTIONS, S.GRANTED, S.REFUSED, S.ABANDONED],
    "visit": [S.DRAFT, S.SUBMITTED, S.CORRECTIONS, S.GRANTED],
    "decide": [S.DRAFT, S.SUBMITTED, S.CORRECTIONS, S.GRANTED, S.REFUSED, S.ABANDONED],
    "abandon": [S.GRANTED, S.REFUSED, S.ABANDONED],
}


@pytest.mark.parametrize(("action", "state"), [(a, s) for a, states in REFUSED_STATES.items() for s in states])
def test_state_table(action, state):
    app = make_application(state=state)
    actor = StaffFactory() if "staff" in ALLOWED_ACTORS[action] else app.applicant
    before = Application.objects.get(pk=app.pk).state
    with pytest.raises(ValidationError):
        _do(action, app, actor)
    assert Application.objects.get(pk=app.pk).state == before


# --- each transition: state, audit, notification ----------------------------------------------------
def test_submit_locks_audits_and_notifies_staff(manager):
    staff = StaffFactory()
    app = make_application(manager=manager)
    answer_all(app, manager)
    services.application_submit(actor=manager, application=app, comment="Voilà")
    app.refresh_from_db()
    assert app.state == S.SUBMITTED and app.submitted_at
    entry = AuditEntry.objects.filter(application=app).last()
    assert (entry.actor, entry.action, entry.from_state, entry.to_state, entry.comment) == (
        manager,
        "submitted",
        S.DRAFT,
        S.SUBMITTED,
        "Voilà",
    )
    assert Notification.objects.filter(recipient=staff, data__kind="labels.workflow").exists()
    with pytest.raises(ValidationError):
        services.application_answers_save(actor=manager, application=app, answers={})


def test_submit_requires_required_criteria(manager):
    app = make_application(manager=manager)
    with pytest.raises(ValidationError, match="A1"):
        services.application_submit(actor=manager, application=app)
    assert Application.objects.get(pk=app.pk).state == S.DRAFT


def test_assign_moves_to_review_and_notifies_reviewers(manager):
    staff, reviewer = StaffFactory(), UserFactory()
    app = make_application(manager=manager, state=S.SUBMITTED)
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[reviewer])
    assert Application.objects.get(pk=app.pk).state == S.IN_REVIEW
    assert Notification.objects.filter(recipient=reviewer, data__kind="labels.review").exists()
    assert Notification.objects.filter(recipient=manager, data__kind="labels.workflow").exists()


def test_assign_refuses_place_manager_and_more_than_three(manager):
    staff = StaffFactory()
    app = make_application(manager=manager, state=S.SUBMITTED)
    with pytest.raises(ValidationError):
        services.application_assign_reviewers(actor=staff, application=app, reviewers=[manager])
    with pytest.raises(ValidationError):
        services.application_assign_reviewers(actor=staff, application=app, reviewers=[UserFactory() for _ in range(4)])
    assert not Review.objects.filter(application=app).exists()
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[UserFactory(), UserFactory()])
    with pytest.raises(ValidationError):
        services.application_assign_reviewers(actor=staff, application=app, reviewers=[UserFactory(), UserFactory()])
    assert Review.objects.filter(application=app).count() == 2


def test_reviewer_must_declare_no_conflict_before_scoring(reviewer):
    app = make_application(state=S.IN_REVIEW, reviewer=reviewer)
    review = app.reviews.get()
    with pytest.raises(PermissionDenied):
        services.review_save(actor=reviewer, review=review, scores={})
    with pytest.raises(PermissionDenied):
        services.application_request_corrections(actor=reviewer, application=app, comment="x")
    with pytest.raises(PermissionDenied):
        services.review_declare(actor=UserFactory(), review=review, no_conflict=True)
    services.review_declare(actor=reviewer, review=review, no_conflict=True)
    review.refresh_from_db()
    assert review.no_conflict_declared_at is not None


def test_conflict_declared_drops_the_assignment_and_tells_staff(reviewer):
    staff = StaffFactory()
    app = make_application(state=S.IN_REVIEW, reviewer=reviewer, staff=staff)
    services.review_declare(actor=reviewer, review=app.reviews.get(), no_conflict=False, comment="Ancienne collègue")
    assert not app.reviews.exists()
    assert AuditEntry.objects.filter(application=app, action="conflict_declared", actor=reviewer).exists()
    assert Notification.objects.filter(recipient=staff, data__kind="labels.review").exists()


def test_review_scores_validated_and_submit_needs_every_criterion(reviewer):
    app = make_application(state=S.IN_REVIEW, reviewer=reviewer)
    review = app.reviews.get()
    services.review_declare(actor=reviewer, review=review, no_conflict=True)
    review.refresh_from_db()
    criteria = list(app.referential.axes.all().values_list("criteria", flat=True))
    with pytest.raises(ValidationError):
        services.review_save(actor=reviewer, review=review, scores={criteria[0]: (9, "")})
    with pytest.raises(ValidationError):
        services.review_save(actor=reviewer, review=review, scores={criteria[0]: (2, "bien")}, submit=True)
    services.review_save(actor=reviewer, review=review, scores=dict.fromkeys(criteria, (2, "ok")), comment="Solide", submit=True)
    review.refresh_from_db()
    assert review.submitted_at and review.scores.count() == len(criteria)
    with pytest.raises(PermissionDenied):
        services.review_save(actor=UserFactory(), review=review, scores={})


def test_corrections_then_resubmit_goes_back_to_review(reviewer):
    app = make_application(state=S.CORRECTIONS, reviewer=reviewer)
    manager = app.applicant
    assert Application.objects.get(pk=app.pk).state == S.CORRECTIONS
    assert Notification.objects.filter(recipient=manager, verb__startswith="Corrections").exists()
    services.application_answers_save(actor=manager, application=app, answers={app.answers.first().criterion_id: "Précisé"})
    services.application_submit(actor=manager, application=app)
    assert Application.objects.get(pk=app.pk).state == S.IN_REVIEW
    assert Notification.objects.filter(recipient=reviewer, verb__startswith="Candidature corrigée").exists()
    assert list(AuditEntry.objects.filter(application=app).values_list("action", flat=True))[-2:] == [
        "corrections_requested",
        "resubmitted",
    ]


def test_corrections_need_a_comment():
    app = make_application(state=S.SUBMITTED)
    with pytest.raises(ValidationError):
        services.application_request_corrections(actor=StaffFactory(), application=app, comment=" ")


def test_site_visit_is_scheduled():
    staff = StaffFactory()
    app = make_application(state=S.IN_REVIEW, staff=staff)
    when = timezone.now() + timedelta(days=10)
    services.application_schedule_visit(actor=staff, application=app, when=when)
    app.refresh_from_db()
    assert app.state == S.SITE_VISIT and app.site_visit_at == when
    assert Notification.objects.filter(recipient=app.applicant, verb__startswith="Visite").exists()


def test_decision_requires_reason_and_conditions():
    staff = StaffFactory()
    app = make_application(state=S.IN_REVIEW, staff=staff)
    with pytest.raises(ValidationError):
        services.application_decide(actor=staff, application=app, decision=S.REFUSED, reason="")
    with pytest.raises(ValidationError):
        services.application_decide(actor=staff, application=app, decision=S.GRANTED_CONDITIONS, reason="Bien", conditions="")
    with pytest.raises(ValidationError):
        services.application_decide(actor=staff, application=app, decision="maybe", reason="Bien")
    assert Application.objects.get(pk=app.pk).state == S.IN_REVIEW


def test_grant_creates_label_badge_and_marks_place():
    app = make_application(state=S.GRANTED)
    label = Label.objects.get(application=app)
    assert label.status == Label.Status.ACTIVE
    assert (label.expires_on - label.granted_on).days in (1095, 1096)
    assertion = Assertion.objects.get(label=label)
    assert assertion.identity_hash == Assertion.hash_identity(app.applicant.email, assertion.salt)
    place = Place.objects.get(pk=app.place_id)
    assert place.is_labelled and place.labelled_until == label.expires_on
    assert Notification.objects.filter(recipient=app.applicant, verb__startswith="Label accordé").exists()


def test_granted_with_conditions_keeps_conditions():
    app = make_application(state=S.GRANTED_CONDITIONS)
    app.refresh_from_db()
    assert app.conditions and Label.objects.get(application=app).with_conditions


def test_refusal_creates_no_label():
    app = make_application(state=S.REFUSED)
    assert not Label.objects.filter(application=app).exists()
    assert Application.objects.get(pk=app.pk).decision_reason == "Avis du comité."


def test_one_open_application_per_place(manager):
    app = make_application(manager=manager)
    with pytest.raises(ValidationError):
        services.application_create(actor=manager, place=app.place)


def test_only_place_managers_may_apply(manager):
    app = make_application(manager=manager)
    services.application_abandon(actor=manager, application=app, reason="Test")
    with pytest.raises(PermissionDenied):
        services.application_create(actor=UserFactory(), place=app.place)


# --- labels: withdrawal, expiry, renewal -------------------------------------------------------------
def test_withdraw_revokes_badge_and_unlabels_place():
    app = make_application(state=S.GRANTED)
    label = Label.objects.get(application=app)
    with pytest.raises(PermissionDenied):
        services.label_withdraw(actor=app.applicant, label=label, reason="x")
    with pytest.raises(ValidationError):
        services.label_withdraw(actor=StaffFactory(), label=label, reason="")
    services.label_withdraw(actor=StaffFactory(), label=label, reason="Lieu fermé")
    label.refresh_from_db()
    assert label.status == Label.Status.WITHDRAWN
    assertion = Assertion.objects.get(label=label)
    assert assertion.revoked and assertion.revocation_reason == "Lieu fermé"
    assert not Place.objects.get(pk=app.place_id).is_labelled
    assert AuditEntry.objects.filter(application=app, action="label_withdrawn").exists()


def test_expiry_is_idempotent_and_revokes():
    app = make_application(state=S.GRANTED)
    label = Label.objects.get(application=app)
    later = label.expires_on + timedelta(days=1)
    assert services.labels_expire(today=label.expires_on) == 0
    assert services.labels_expire(today=later) == 1
    assert services.labels_expire(today=later) == 0
    label.refresh_from_db()
    assert label.status == Label.Status.EXPIRED
    assertion = Assertion.objects.get(label=label)
    assert assertion.revoked and "échéance" in assertion.revocation_reason


def test_renewal_reminders_90_and_30_days_once_each():
    from community.models import OutboundEmail

    app = make_application(state=S.GRANTED)
    label = Label.objects.get(application=app)
    assert services.renewal_reminders_send(today=label.expires_on - timedelta(days=100)) == 0
    day90 = label.expires_on - timedelta(days=90)
    assert services.renewal_reminders_send(today=day90) == 1
    assert services.renewal_reminders_send(today=day90) == 0
    assert services.renewal_reminders_send(today=day90 + timedelta(days=1)) == 0
    day30 = label.expires_on - timedelta(days=30)
    assert services.renewal_reminders_send(today=day30) == 1
    assert services.renewal_reminders_send(today=day30) == 0
    mails = OutboundEmail.objects.filter(kind="labels.renewal", recipient=app.applicant)
    assert mails.count() == 2
    assert set(mails.values_list("dedupe_key", flat=True)) == {
        f"labels:renewal:{label.pk}:90:{app.applicant.pk}",
        f"labels:renewal:{label.pk}:30:{app.applicant.pk}",
    }


def test_periodic_task_runs_expiry_and_reminders():
    from labels.tasks import labels_daily_task

    result = labels_daily_task.enqueue()
    assert result.return_value == {"expired": 0, "reminded": 0}


def test_renewal_is_prefilled_and_replaces_the_old_label():
    staff = StaffFactory()
    app = make_application(state=S.GRANTED, staff=staff)
    old = Label.objects.get(application=app)
    manager = app.applicant
    with pytest.raises(PermissionDenied):
        services.label_renewal_create(actor=UserFactory(), label=old)
    renewal = services.label_renewal_create(actor=manager, label=old)
    assert renewal.renewal_of == old
    assert dict(renewal.answers.values_list("criterion__code", "text")) == dict(app.answers.values_list("criterion__code", "text"))
    services.application_submit(actor=manager, application=renewal)
    services.application_assign_reviewers(actor=staff, application=renewal, reviewers=[UserFactory()])
    services.application_decide(actor=staff, application=renewal, decision=S.GRANTED, reason="Renouvelé")
    old.refresh_from_db()
    assert old.status == Label.Status.REPLACED and Assertion.objects.get(label=old).revoked
    new = Label.objects.get(application=renewal)
    assert new.status == Label.Status.ACTIVE and Place.objects.get(pk=app.place_id).is_labelled


# --- referential versions ----------------------------------------------------------------------------------
def test_new_version_never_changes_old_applications(referential, manager):
    staff = StaffFactory()
    app = make_application(manager=manager)
    draft = services.referential_new_version(actor=staff, source=referential)
    assert draft.status == draft.Status.DRAFT
    assert sorted(c.code for a in draft.axes.all() for c in a.criteria.all()) == ["A1", "A2", "B1"]
    services.referential_publish(actor=staff, referential=draft)
    referential.refresh_from_db()
    assert referential.status == referential.Status.ARCHIVED
    assert Application.objects.get(pk=app.pk).referential == referential
    newcomer = UserFactory()
    other = services.application_create(actor=newcomer, place=make_place(newcomer))
    assert other.referential == draft
    with pytest.raises(ValidationError):
        services.referential_publish(actor=staff, referential=draft)
    with pytest.raises(PermissionDenied):
        services.referential_new_version(actor=manager)


def test_no_published_referential_means_no_application(manager):
    from labels.models import Referential

    Referential.objects.update(status=Referential.Status.ARCHIVED)
    with pytest.raises(ValidationError):
        services.application_create(actor=manager, place=make_place(manager))


def test_empty_referential_cannot_be_published():
    ref = make_referential(publish=False, axes=[("Vide", [])])
    with pytest.raises(ValidationError):
        services.referential_publish(actor=StaffFactory(), referential=ref)


# --- activity stream ---------------------------------------------------------------------------------
def test_granted_label_enters_the_public_stream_and_leaves_it_when_withdrawn(client):
    from django.contrib.auth.models import AnonymousUser

    from community.activity import activity_list_for_viewer
    from community.models import Activity, ActivityKind

    app = make_application(state=S.GRANTED)
    label = Label.objects.get(application=app)
    item = Activity.objects.get(object_ref=f"labels.label:{label.pk}")
    assert (item.audience, item.kind, item.title) == ("public", ActivityKind.PLACES, app.place.nom)
    assert item.url == app.place.get_absolute_url() and item.actor is not None and item.actor.is_staff
    assert item in activity_list_for_viewer(viewer=AnonymousUser())
    refused = make_application(state=S.REFUSED)
    assert not Activity.objects.filter(title=refused.place.nom).exists()
    services.label_withdraw(actor=StaffFactory(), label=label, reason="Lieu fermé")
    assert not Activity.objects.filter(object_ref=f"labels.label:{label.pk}").exists()


def test_label_of_an_unpublished_place_is_announced_to_staff_only():
    from community.models import Activity

    manager = UserFactory()
    app = make_application(manager=manager, state=S.GRANTED, place=make_place(manager, publish=False))
    label = Label.objects.get(application=app)
    assert Activity.objects.get(object_ref=f"labels.label:{label.pk}").audience == "staff"
