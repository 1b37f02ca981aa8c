"""Label data for tests, built through ``labels.services``."""

from labels import services
from labels.models import ApplicationState, Criterion
from tests.factories import StaffFactory, UserFactory
from tests.places.factories import make_place

AXES = [
    (
        "Accueil",
        [
            {"code": "A1", "title": "Accueil inconditionnel", "expected_evidence": "Charte d'accueil", "required": True, "scale_max": 3},
            {"code": "A2", "title": "Horaires adaptés", "required": False, "scale_max": 3},
        ],
    ),
    ("Accompagnement", [{"code": "B1", "title": "Diagnostic des besoins", "required": True, "scale_max": 4}]),
]

_version = iter(range(1, 10_000))


def make_referential(*, publish=True, axes=None):
    return services.referential_create(version=next(_version) + 100, title="Référentiel du label", axes=axes or AXES, publish=publish)


def answer_all(application, manager):
    answers = {c.pk: f"Notre réponse pour {c.code}" for c in Criterion.objects.filter(axis__referential=application.referential_id)}
    services.application_answers_save(actor=manager, application=application, answers=answers)


def make_application(*, manager=None, state=ApplicationState.DRAFT, staff=None, reviewer=None, place=None):
    """An application brought to ``state`` through the services, the way people do it."""
    manager = manager or UserFactory()
    place = place or make_place(manager)
    app = services.application_create(actor=manager, place=place)
    S = ApplicationState
    if state == S.DRAFT:
        return app
    answer_all(app, manager)
    services.application_submit(actor=manager, application=app)
    if state == S.SUBMITTED:
        return app
    staff = staff or StaffFactory()
    reviewer = reviewer or UserFactory()
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[reviewer])
    if state == S.IN_REVIEW:
        return app
    review = app.reviews.get(reviewer=reviewer)
    services.review_declare(actor=reviewer, review=review, no_conflict=True)
    if state == S.CORRECTIONS:
        services.application_request_corrections(actor=reviewer, application=app, comment="Précisez A1.")
        return app
    if state == S.SITE_VISIT:
        from datetime import timedelta

        from django.utils import timezone

        services.application_schedule_visit(actor=staff, application=app, when=timezone.now() + timedelta(days=7))
        return app
    if state in (S.GRANTED, S.GRANTED_CONDITIONS, S.REFUSED):
        services.application_decide(
            actor=staff,
            application=app,
            decision=state,
            reason="Avis du comité.",
            conditions="Former un·e médiateur·rice." if state == S.GRANTED_CONDITIONS else "",
        )
        return app
    if state == S.ABANDONED:
        services.application_abandon(actor=manager, application=app, reason="Plus d'actualité.")
        return app
    raise ValueError(state)
