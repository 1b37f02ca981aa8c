"""Reviewers: assignment by staff, conflict-of-interest declaration, scores per criterion."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User, is_approved_member

from ..models import Application, Criterion, Review, Score
from .workflow import MAX_REVIEWERS, S, audit, lock, managers_of, move, notify, require_staff, staff_members


def application_assign_reviewers(*, actor, application: Application, reviewers: list[User], comment: str = "") -> Application:
    """Staff assign one to three reviewers; a submitted application goes into review."""
    require_staff(actor)
    with transaction.atomic():
        application = lock(application)
        if application.state not in (S.SUBMITTED, S.IN_REVIEW, S.SITE_VISIT):
            raise ValidationError(_("On n'affecte des évaluateur·rices qu'à une candidature déposée ou en instruction."))
        current = set(application.reviews.values_list("reviewer_id", flat=True))
        new = [r for r in dict.fromkeys(reviewers) if r.pk not in current]
        if not new:
            raise ValidationError(_("Choisissez au moins un·e évaluateur·rice."))
        if len(current) + len(new) > MAX_REVIEWERS:
            raise ValidationError(_("Trois évaluateur·rices au plus par candidature."))
        managers = set(application.place.managers.values_list("pk", flat=True)) | {application.applicant_id}
        for reviewer in new:
            if reviewer.pk in managers:
                raise ValidationError(_("Un·e gestionnaire du lieu ne peut pas évaluer sa propre candidature."))
            if not is_approved_member(reviewer):
                raise ValidationError(_("Les évaluateur·rices doivent être membres du réseau."))
            Review.objects.create(application=application, reviewer=reviewer, assigned_by=actor)
        names = ", ".join(r.public_name for r in new)
        if application.state == S.SUBMITTED:
            move(
                application, to=S.IN_REVIEW, actor=actor, action="reviewers_assigned", comment=comment or names, allowed_from=[S.SUBMITTED]
            )
        else:
            audit(
                application,
                actor=actor,
                action="reviewers_assigned",
                from_state=application.state,
                to_state=application.state,
                comment=names,
            )
        notify(
            new,
            kind="labels.review",
            verb=_("Une candidature au label vous est confiée : %(place)s") % {"place": application.place},
            application=application,
            actor=actor,
            description=_("Déclarez d'abord l'absence de conflit d'intérêts, puis évaluez chaque critère."),
        )
        notify(
            managers_of(application),
            kind="labels.workflow",
            verb=_("Votre candidature est en instruction : %(place)s") % {"place": application.place},
            application=application,
            actor=actor,
        )
    return application


def review_declare(*, actor, review: Review, no_conflict: bool, comment: str = "") -> Review | None:
    """The reviewer declares no conflict of interest (then may evaluate) or a conflict (then
    the assignment is dropped and staff are told to pick someone else)."""
    if review.reviewer_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        application = lock(review.application)
        if application.state not in (S.IN_REVIEW, S.SITE_VISIT, S.CORRECTIONS):
            raise ValidationError(_("Cette candidature n'est plus en instruction."))
        if no_conflict:
            Review.objects.filter(pk=review.pk).update(no_conflict_declared_at=timezone.now())
            review.refresh_from_db()
            audit(application, actor=actor, action="no_conflict_declared", from_state=application.state, to_state=application.state)
            return review
        review.delete()
        audit(
            application, actor=actor, action="conflict_declared", from_state=application.state, to_state=application.state, comment=comment
        )
        notify(
            staff_members(),
            kind="labels.review",
            verb=_("Conflit d'intérêts déclaré : choisissez un·e autre évaluateur·rice pour %(place)s") % {"place": application.place},
            application=application,
            actor=actor,
            description=comment,
        )
    return None


def review_save(*, actor, review: Review, scores: dict[int, tuple[int | None, str]], comment: str = "", submit: bool = False) -> Review:
    """Scores and comments per criterion (``{criterion_id: (score, comment)}``); ``submit`` hands it in."""
    if review.reviewer_id != actor.pk:
        raise PermissionDenied
    if review.no_conflict_declared_at is None:
        raise PermissionDenied(_("Déclarez d'abord l'absence de conflit d'intérêts."))
    with transaction.atomic():
        application = lock(review.application)
        if application.state not in (S.IN_REVIEW, S.SITE_VISIT):
            raise ValidationError(_("Cette candidature n'est pas en instruction."))
        criteria = {c.pk: c for c in Criterion.objects.filter(axis__referential=application.referential_id)}
        for criterion_id, (score, note) in scores.items():
            criterion = criteria.get(int(criterion_id))
            if criterion is None:
                raise ValidationError(_("Critère inconnu."))
            if score is not None and not 0 <= int(score) <= criterion.scale_max:
                raise ValidationError(
                    _("La note du critère %(code)s doit être entre 0 et %(max)s.") % {"code": criterion.code, "max": criterion.scale_max}
                )
            Score.objects.update_or_create(review=review, criterion=criterion, defaults={"score": score, "comment": note.strip()})
        review.comment = comment.strip()
        fields = ["comment"]
        if submit:
            scored = set(review.scores.exclude(score=None).values_list("criterion_id", flat=True))
            missing = [c.code for c in criteria.values() if c.pk not in scored]
            if missing:
                raise ValidationError(
                    _("Notez tous les critères avant de rendre l'évaluation : %(codes)s.") % {"codes": ", ".join(missing)}
                )
            review.submitted_at = timezone.now()
            fields.append("submitted_at")
        review.save(update_fields=fields)
        if submit:
            audit(application, actor=actor, action="review_submitted", from_state=application.state, to_state=application.state)
            notify(
                staff_members(),
                kind="labels.review",
                verb=_("Évaluation rendue pour %(place)s") % {"place": application.place},
                application=application,
                actor=actor,
            )
    return review
