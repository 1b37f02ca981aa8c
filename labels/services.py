"""Every write on the label goes through one of these functions.

Each transition checks who may do it (``PermissionDenied`` otherwise), checks the state it
starts from (``ValidationError`` otherwise), runs in one transaction, writes an ``AuditEntry``
(who, when, from, to, comment) and notifies the people concerned. Notifications and e-mails
are written in the same transaction (outbox) and leave after commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import check_size, clean_image, clean_pdf, safe_filename
from common.urls import absolute_url
from community.models import User, is_approved_member
from community.notifications import notification_send
from community.outbox import email_enqueue
from places.services import place_set_label_state

from .access import is_assigned_reviewer, is_place_manager, manages_place
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

S = ApplicationState
DEFAULT_VALIDITY_YEARS = 3
MAX_REVIEWERS = 3
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
LABEL_BADGE_SLUG = "label-regional"
REMINDER_DAYS = (90, 30)


# --- helpers ------------------------------------------------------------------------------------
def _audit(application: Application, *, actor, action: str, from_state: str = "", to_state: str = "", comment: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        application=application, actor=actor, action=action, from_state=from_state, to_state=to_state, comment=comment
    )


def _lock(application: Application) -> Application:
    """Reload the application inside the transaction (row lock on PostgreSQL) so two concurrent
    transitions cannot both start from the same state."""
    return Application.objects.select_for_update().select_related("place", "referential").get(pk=application.pk)


def _move(application: Application, *, to: str, actor, action: str, comment: str = "", allowed_from, **fields) -> Application:
    """Conditional update from one of ``allowed_from``: holds on SQLite too (no row locks there)."""
    from_state = application.state
    if from_state not in allowed_from:
        raise ValidationError(_("Cette action n'est pas possible dans l'état « %(state)s ».") % {"state": application.get_state_display()})
    now = timezone.now()
    updated = Application.objects.filter(pk=application.pk, state=from_state).update(state=to, state_changed_at=now, **fields)
    if not updated:
        raise ValidationError(_("La candidature vient de changer d'état : rechargez la page."))
    application.state = to
    application.state_changed_at = now
    for key, value in fields.items():
        setattr(application, key, value)
    _audit(application, actor=actor, action=action, from_state=from_state, to_state=to, comment=comment)
    return application


def _managers(application: Application) -> list[User]:
    people = {u.pk: u for u in application.place.managers.filter(is_active=True)}
    people.setdefault(application.applicant_id, application.applicant)
    return [u for u in people.values() if u.is_active]


def _staff() -> list[User]:
    return list(User.objects.filter(is_active=True, is_staff=True, erased_at__isnull=True))


def _reviewers(application: Application) -> list[User]:
    return [r.reviewer for r in application.reviews.select_related("reviewer")]


def _notify(users, *, kind: str, verb: str, application: Application, actor=None, description: str = "", exclude=None) -> None:
    seen = set()
    for user in users:
        if user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        notification_send(
            recipient=user,
            kind=kind,
            verb=verb,
            actor=actor,
            target=application,
            url=application.get_absolute_url(),
            description=description,
        )


def _require_staff(actor) -> None:
    if not (actor.is_authenticated and actor.is_hub_staff):
        raise PermissionDenied(_("Réservé à l'équipe du hub."))


def _require_manager(actor, application: Application) -> None:
    if not is_place_manager(actor, application):
        raise PermissionDenied(_("Seuls les gestionnaires du lieu peuvent faire cela."))


# --- referential ----------------------------------------------------------------------------------
def referential_current() -> Referential | None:
    return Referential.objects.filter(status=Referential.Status.PUBLISHED).order_by("-version").first()


def referential_publish(*, actor, referential: Referential) -> Referential:
    """Publish a draft version; the previous published one is archived (its applications keep it)."""
    _require_staff(actor)
    with transaction.atomic():
        referential = Referential.objects.select_for_update().get(pk=referential.pk)
        if referential.status != Referential.Status.DRAFT:
            raise ValidationError(_("Seul un brouillon peut être publié."))
        if not Criterion.objects.filter(axis__referential=referential).exists():
            raise ValidationError(_("Un référentiel sans critère ne peut pas être publié."))
        Referential.objects.filter(status=Referential.Status.PUBLISHED).update(status=Referential.Status.ARCHIVED)
        referential.status = Referential.Status.PUBLISHED
        referential.published_at = timezone.now()
        referential.save(update_fields=["status", "published_at", "updated_at"])
    return referential


def referential_new_version(*, actor, source: Referential | None = None) -> Referential:
    """A new draft version, copied from ``source`` (default: the latest version)."""
    _require_staff(actor)
    with transaction.atomic():
        source = source or Referential.objects.order_by("-version").first()
        next_version = (Referential.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        draft = Referential.objects.create(
            version=next_version,
            title=source.title if source else _("Référentiel du label"),
            description=source.description if source else "",
        )
        if source:
            for axis in source.axes.prefetch_related("criteria"):
                new_axis = Axis.objects.create(referential=draft, name=axis.name, order=axis.order)
                Criterion.objects.bulk_create(
                    [
                        Criterion(
                            axis=new_axis,
                            code=c.code,
                            title=c.title,
                            description=c.description,
                            expected_evidence=c.expected_evidence,
                            required=c.required,
                            scale_max=c.scale_max,
                            scale_help=c.scale_help,
                            order=c.order,
                        )
                        for c in axis.criteria.all()
                    ]
                )
    return draft


def referential_create(
    *, version: int, title: str, axes: list[tuple[str, list[dict]]], description: str = "", publish: bool = False
) -> Referential:
    """Build a referential in one go (demo data, tests): ``axes`` = [(name, [criterion fields…])]."""
    with transaction.atomic():
        ref = Referential.objects.create(version=version, title=title, description=description)
        for i, (name, criteria) in enumerate(axes):
            axis = Axis.objects.create(referential=ref, name=name, order=i)
            for j, fields in enumerate(criteria):
                Criterion.objects.create(axis=axis, order=j, **fields)
        if publish:
            Referential.objects.filter(status=Referential.Status.PUBLISHED).update(status=Referential.Status.ARCHIVED)
            ref.status = Referential.Status.PUBLISHED
            ref.published_at = timezone.now()
            ref.save(update_fields=["status", "published_at"])
    return ref


# --- application: applicant side ------------------------------------------------------------------
def application_create(*, actor, place, renewal_of: Label | None = None) -> Application:
    """A draft for ``place`` under the current referential; a renewal is prefilled from the last answers."""
    if not (is_approved_member(actor) and manages_place(actor, place)):
        raise PermissionDenied(_("Seuls les gestionnaires du lieu peuvent candidater."))
    referential = referential_current()
    if referential is None:
        raise ValidationError(_("Aucun référentiel n'est publié : la campagne de labellisation n'est pas ouverte."))
    if renewal_of is not None and renewal_of.place_id != place.pk:
        raise ValidationError(_("Ce label ne concerne pas ce lieu."))
    if renewal_of is None and Label.objects.filter(place=place, status=Label.Status.ACTIVE).exists():
        raise ValidationError(_("Ce lieu est déjà labellisé : utilisez le renouvellement."))
    try:
        with transaction.atomic():
            app = Application.objects.create(place=place, referential=referential, applicant=actor, renewal_of=renewal_of)
            if renewal_of is not None:
                _prefill_from(app, renewal_of.application)
            _audit(app, actor=actor, action="renewal_created" if renewal_of else "created", to_state=S.DRAFT)
    except IntegrityError as exc:
        raise ValidationError(_("Une candidature est déjà en cours pour ce lieu.")) from exc
    return app


def _prefill_from(app: Application, previous: Application) -> None:
    """Copy answers and evidence by criterion code (criteria may have moved between versions)."""
    by_code = {c.code: c for c in Criterion.objects.filter(axis__referential=app.referential)}
    for answer in previous.answers.select_related("criterion"):
        criterion = by_code.get(answer.criterion.code)
        if criterion:
            Answer.objects.create(application=app, criterion=criterion, text=answer.text)
    for ev in previous.evidence.select_related("criterion"):
        criterion = by_code.get(ev.criterion.code)
        if criterion:
            Evidence.objects.create(
                application=app,
                criterion=criterion,
                file=ev.file.name,
                original_name=ev.original_name,
                content_type=ev.content_type,
                size=ev.size,
                uploaded_by=ev.uploaded_by,
            )


def application_answers_save(*, actor, application: Application, answers: dict[int, str]) -> Application:
    """Save the applicant's text for each criterion (``{criterion_id: text}``) while editable."""
    _require_manager(actor, application)
    with transaction.atomic():
        application = _lock(application)
        if application.state not in EDITABLE_STATES:
            raise ValidationError(_("La candidature est verrouillée : elle ne peut plus être modifiée."))
        valid = set(Criterion.objects.filter(axis__referential=application.referential_id).values_list("pk", flat=True))
        for criterion_id, text in answers.items():
            if int(criterion_id) not in valid:
                raise ValidationError(_("Critère inconnu."))
            Answer.objects.update_or_create(application=application, criterion_id=criterion_id, defaults={"text": text.strip()})
        Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return application


def evidence_add(*, actor, application: Application, criterion: Criterion, upload) -> Evidence:
    """A PDF or an image, judged by content; images are re-encoded (metadata dropped)."""
    _require_manager(actor, application)
    if criterion.axis.referential_id != application.referential_id:
        raise ValidationError(_("Critère inconnu."))
    check_size(upload, EVIDENCE_MAX_BYTES)
    original = safe_filename(upload.name or "")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        cleaned, content_type = clean_pdf(upload, max_bytes=EVIDENCE_MAX_BYTES), "application/pdf"
    else:
        try:
            cleaned = clean_image(upload, max_side=2000, max_bytes=EVIDENCE_MAX_BYTES)
        except ValidationError as exc:
            raise ValidationError(_("Pièce refusée : seuls les PDF et les images (JPEG, PNG, WebP, GIF) sont acceptés.")) from exc
        content_type = cleaned.content_type
    with transaction.atomic():
        application = _lock(application)
        if application.state not in EDITABLE_STATES:
            raise ValidationError(_("La candidature est verrouillée : elle ne peut plus être modifiée."))
        ev = Evidence(
            application=application,
            criterion=criterion,
            original_name=original,
            content_type=content_type,
            size=cleaned.size or 0,
            uploaded_by=actor,
        )
        ev.file.save(cleaned.name, cleaned, save=False)
        ev.save()
    return ev


def evidence_delete(*, actor, evidence: Evidence) -> None:
    application = evidence.application
    _require_manager(actor, application)
    with transaction.atomic():
        application = _lock(application)
        if application.state not in EDITABLE_STATES:
            raise ValidationError(_("La candidature est verrouillée : elle ne peut plus être modifiée."))
        name = evidence.file.name
        evidence.delete()
        shared = Evidence.objects.filter(file=name).exists()
    if not shared:
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def application_missing_required(application: Application) -> list[Criterion]:
    answered = set(application.answers.exclude(text="").values_list("criterion_id", flat=True))
    return [
        c
        for c in Criterion.objects.filter(axis__referential=application.referential_id, required=True).select_related("axis")
        if c.pk not in answered
    ]


def application_submit(*, actor, application: Application, comment: str = "") -> Application:
    """Draft → submitted (locked); after corrections, back to review with the same reviewers."""
    _require_manager(actor, application)
    with transaction.atomic():
        application = _lock(application)
        missing = application_missing_required(application)
        if application.state in EDITABLE_STATES and missing:
            raise ValidationError(
                _("Répondez d'abord aux critères obligatoires : %(codes)s.") % {"codes": ", ".join(c.code for c in missing)}
            )
        if application.state == S.CORRECTIONS:
            has_reviewers = application.reviews.exists()
            to = S.IN_REVIEW if has_reviewers else S.SUBMITTED
            _move(application, to=to, actor=actor, action="resubmitted", comment=comment, allowed_from=[S.CORRECTIONS])
            # reviewers look again: their evaluation is reopened
            application.reviews.update(submitted_at=None)
            _notify(
                _staff() + _reviewers(application),
                kind="labels.workflow",
                verb=_("Candidature corrigée et redéposée : %(place)s") % {"place": application.place},
                application=application,
                actor=actor,
                description=comment,
                exclude=actor,
            )
        else:
            _move(
                application,
                to=S.SUBMITTED,
                actor=actor,
                action="submitted",
                comment=comment,
                allowed_from=[S.DRAFT],
                submitted_at=timezone.now(),
            )
            _notify(
                _staff(),
                kind="labels.workflow",
                verb=_("Nouvelle candidature au label : %(place)s") % {"place": application.place},
                application=application,
                actor=actor,
                exclude=actor,
            )
    return application


def application_abandon(*, actor, application: Application, reason: str) -> Application:
    """Classée sans suite: by the applicant (withdrawing their application) or by staff, with a reason."""
    if not (actor.is_hub_staff or is_place_manager(actor, application)):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Indiquez un motif."))
    with transaction.atomic():
        application = _lock(application)
        _move(
            application, to=S.ABANDONED, actor=actor, action="abandoned", comment=reason, allowed_from=OPEN_STATES, decision_reason=reason
        )
        _notify(
            _managers(application) + _reviewers(application),
            kind="labels.workflow",
            verb=_("Candidature classée sans suite : %(place)s") % {"place": application.place},
            application=application,
            actor=actor,
            description=reason,
            exclude=actor,
        )
    return application


# --- review -------------------------------------------------------------------------------------
def reviewer_candidates(application: Application):
    """Approved members of the network who are not managers of the place."""
    managers = set(application.place.managers.values_list("pk", flat=True)) | {application.applicant_id}
    return (
        User.objects.filter(is_active=True, erased_at__isnull=True, profile__status="approved")
        .exclude(pk__in=managers)
        .select_related("profile")
        .order_by("profile__display_name", "email")
    )


def application_assign_reviewers(*, actor, application: Application, reviewers: list[User], comment: str = "") -> Application:
    """Staff assign one to three reviewers; a submitted application goes into review."""
    _require_staff(actor)
    with transaction.atomic():
        application = _lock(application)
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
            _move(
                application, to=S.IN_REVIEW, actor=actor, action="reviewers_assigned", comment=comment or names, allowed_from=[S.SUBMITTED]
            )
        else:
            _audit(
                application,
                actor=actor,
                action="reviewers_assigned",
                from_state=application.state,
                to_state=application.state,
                comment=names,
            )
        _notify(
            new,
            kind="labels.review",
            verb=_("Une candidature au label vous est confiée : %(place)s") % {"place": application.place},
            application=application,
            actor=actor,
            description=_("Déclarez d'abord l'absence de conflit d'intérêts, puis évaluez chaque critère."),
        )
        _notify(
            _managers(application),
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
        application = _lock(review.application)
        if application.state not in (S.IN_REVIEW, S.SITE_VISIT, S.CORRECTIONS):
            raise ValidationError(_("Cette candidature n'est plus en instruction."))
        if no_conflict:
            Review.objects.filter(pk=review.pk).update(no_conflict_declared_at=timezone.now())
            review.refresh_from_db()
            _audit(application, actor=actor, action="no_conflict_declared", from_state=application.state, to_state=application.state)
            return review
        review.delete()
        _audit(
            application, actor=actor, action="conflict_declared", from_state=application.state, to_state=application.state, comment=comment
        )
        _notify(
            _staff(),
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
        application = _lock(review.application)
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
            _audit(application, actor=actor, action="review_submitted", from_state=application.state, to_state=application.state)
            _notify(
                _staff(),
                kind="labels.review",
                verb=_("Évaluation rendue pour %(place)s") % {"place": application.place},
                application=application,
                actor=actor,
            )
    return review


def application_request_corrections(*, actor, application: Application, comment: str) -> Application:
    """Staff or an assigned reviewer (conflict-free) send the application back to the applicant."""
    if not actor.is_hub_staff:
        review = application.reviews.filter(reviewer=actor).first() if is_assigned_reviewer(actor, application) else None
        if review is None or review.no_conflict_declared_at is None:
            raise PermissionDenied
    if not comment.strip():
        raise ValidationError(_("Expliquez les corrections attendues."))
    with transaction.atomic():
        application = _lock(application)
        _move(
            application,
            to=S.CORRECTIONS,
            actor=actor,
            action="corrections_requested",
            comment=comment,
            allowed_from=[S.SUBMITTED, S.IN_REVIEW, S.SITE_VISIT],
        )
        _notify(
            _managers(application),
            kind="labels.workflow",
            verb=_("Corrections demandées sur votre candidature : %(place)s") % {"place": application.place},
            application=application,
            actor=actor,
            description=comment,
        )
    return application


def application_schedule_visit(*, actor, application: Application, when: datetime, comment: str = "") -> Application:
    _require_staff(actor)
    with transaction.atomic():
        application = _lock(application)
        _move(
            application,
            to=S.SITE_VISIT,
            actor=actor,
            action="site_visit_scheduled",
            comment=comment,
            allowed_from=[S.IN_REVIEW, S.SITE_VISIT],
            site_visit_at=when,
        )
        _notify(
            _managers(application) + _reviewers(application),
            kind="labels.workflow",
            verb=_("Visite sur site prévue le %(date)s : %(place)s")
            % {"date": timezone.localtime(when).strftime("%d/%m/%Y %H:%M"), "place": application.place},
            application=application,
            actor=actor,
            description=comment,
        )
    return application


def application_decide(
    *,
    actor,
    application: Application,
    decision: str,
    reason: str,
    conditions: str = "",
    validity_years: int = DEFAULT_VALIDITY_YEARS,
    today: date | None = None,
) -> Application:
    """The committee's decision, with a reason; a grant creates the label and its badge."""
    _require_staff(actor)
    if decision not in (S.GRANTED, S.GRANTED_CONDITIONS, S.REFUSED):
        raise ValidationError(_("Décision inconnue."))
    if not reason.strip():
        raise ValidationError(_("Le motif de la décision est obligatoire."))
    if decision == S.GRANTED_CONDITIONS and not conditions.strip():
        raise ValidationError(_("Précisez les conditions."))
    if not 1 <= int(validity_years) <= 5:
        raise ValidationError(_("La durée de validité va de 1 à 5 ans."))
    today = today or timezone.localdate()
    with transaction.atomic():
        application = _lock(application)
        _move(
            application,
            to=decision,
            actor=actor,
            action="decided",
            comment=reason,
            allowed_from=DECIDABLE_STATES,
            decided_at=timezone.now(),
            decision_reason=reason,
            conditions=conditions if decision == S.GRANTED_CONDITIONS else "",
        )
        label = None
        if decision != S.REFUSED:
            previous = application.renewal_of
            if previous is not None and previous.status == Label.Status.ACTIVE:
                _label_end(previous, status=Label.Status.REPLACED, reason=_("Remplacé par le label renouvelé."), actor=actor, today=today)
            label = Label.objects.create(
                application=application,
                place=application.place,
                with_conditions=decision == S.GRANTED_CONDITIONS,
                granted_on=today,
                expires_on=_add_years(today, int(validity_years)),
            )
            _label_assertion_create(label=label, actor=actor)
            place_set_label_state(place=application.place, labelled=True, valid_until=label.expires_on)
        _notify(
            _managers(application),
            kind="labels.workflow",
            verb=(_("Label accordé : %(place)s") if label else _("Label refusé : %(place)s")) % {"place": application.place},
            application=application,
            actor=actor,
            description=reason + (f"\n\n{_('Conditions')} : {conditions}" if label and conditions else ""),
        )
    return application


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- labels and badges -----------------------------------------------------------------------------
def label_badge_class() -> BadgeClass:
    badge, _created = BadgeClass.objects.get_or_create(
        slug=LABEL_BADGE_SLUG,
        defaults={
            "kind": BadgeClass.Kind.LABEL,
            "name": _("Lieu labellisé — %(hub)s") % {"hub": settings.HUB_NAME},
            "description": _(
                "Ce lieu de médiation numérique répond au référentiel régional du label : accueil, accompagnement, accès aux droits, compétences des médiateur·rices et partenariats."
            ),
            "criteria": _(
                "Candidature instruite par des évaluateur·rices du réseau et décision du comité de labellisation, au regard du référentiel publié."
            ),
            "tags": "médiation numérique, label, inclusion numérique",
        },
    )
    return badge


def _label_assertion_create(*, label: Label, actor) -> Assertion:
    applicant = label.application.applicant
    email = applicant.email
    assertion = Assertion(
        badge_class=label_badge_class(),
        recipient=applicant,
        recipient_name=str(label.place),
        label=label,
        narrative=label.application.decision_reason,
        issued_by=actor,
        expires=timezone.make_aware(datetime.combine(label.expires_on, datetime.max.time().replace(microsecond=0))),
    )
    assertion.identity_hash = Assertion.hash_identity(email, assertion.salt)
    assertion.save()
    return assertion


def _label_end(label: Label, *, status: str, reason: str, actor, today: date) -> None:
    updated = Label.objects.filter(pk=label.pk, status=Label.Status.ACTIVE).update(status=status, ended_on=today, end_reason=reason)
    if not updated:
        raise ValidationError(_("Ce label n'est plus actif."))
    label.status, label.ended_on, label.end_reason = status, today, reason
    Assertion.objects.filter(label=label, revoked=False).update(revoked=True, revocation_reason=reason, revoked_at=timezone.now())
    place_set_label_state(place=label.place, labelled=False)
    _audit(label.application, actor=actor, action=f"label_{status}", from_state=Label.Status.ACTIVE, to_state=status, comment=reason)


def label_withdraw(*, actor, label: Label, reason: str) -> Label:
    _require_staff(actor)
    if not reason.strip():
        raise ValidationError(_("Le motif du retrait est obligatoire."))
    with transaction.atomic():
        _label_end(label, status=Label.Status.WITHDRAWN, reason=reason, actor=actor, today=timezone.localdate())
        _notify(
            _managers(label.application),
            kind="labels.workflow",
            verb=_("Label retiré : %(place)s") % {"place": label.place},
            application=label.application,
            actor=actor,
            description=reason,
        )
    return label


def labels_expire(*, today: date | None = None) -> int:
    """Expire every active label past its date (idempotent)."""
    today = today or timezone.localdate()
    count = 0
    for label in Label.objects.filter(status=Label.Status.ACTIVE, expires_on__lt=today).select_related("application__applicant", "place"):
        with transaction.atomic():
            try:
                _label_end(
                    label,
                    status=Label.Status.EXPIRED,
                    reason=_("Label arrivé à échéance le %(date)s.") % {"date": label.expires_on.strftime("%d/%m/%Y")},
                    actor=None,
                    today=today,
                )
            except ValidationError:
                continue
            _notify(
                _managers(label.application),
                kind="labels.renewal",
                verb=_("Votre label a expiré : %(place)s") % {"place": label.place},
                application=label.application,
            )
            count += 1
    return count


def renewal_reminders_send(*, today: date | None = None) -> int:
    """Remind managers 90 and 30 days before expiry; a conditional update plus the outbox
    ``dedupe_key`` make a second run (or two workers) send nothing twice."""
    today = today or timezone.localdate()
    sent = 0
    for days in REMINDER_DAYS:
        field = f"reminded_{days}_at"
        due = Label.objects.filter(
            status=Label.Status.ACTIVE, expires_on__lte=today + timedelta(days=days), expires_on__gte=today, **{f"{field}__isnull": True}
        )
        for label in due.select_related("application__applicant", "place"):
            with transaction.atomic():
                if not Label.objects.filter(pk=label.pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()}):
                    continue
                if days == 90 and label.reminded_30_at is None and label.expires_on <= today + timedelta(days=30):
                    continue  # only the nearer reminder is worth sending
                url = label.application.get_absolute_url()
                for user in _managers(label.application):
                    email_enqueue(
                        to_email=user.email,
                        recipient=user,
                        subject=_("Votre label expire le %(date)s : pensez au renouvellement")
                        % {"date": label.expires_on.strftime("%d/%m/%Y")},
                        template="emails/labels/renewal_reminder",
                        context={"label": label, "place": str(label.place), "days": days, "url": absolute_url(url)},
                        kind="labels.renewal",
                        dedupe_key=f"labels:renewal:{label.pk}:{days}:{user.pk}",
                    )
                    notification_send(
                        recipient=user,
                        kind="labels.renewal",
                        verb=_("Votre label expire le %(date)s : %(place)s")
                        % {"date": label.expires_on.strftime("%d/%m/%Y"), "place": label.place},
                        target=label.application,
                        url=url,
                    )
                sent += 1
    return sent


def label_renewal_create(*, actor, label: Label) -> Application:
    if label.status not in (Label.Status.ACTIVE, Label.Status.EXPIRED):
        raise ValidationError(_("Ce label ne peut pas être renouvelé."))
    if Label.objects.filter(place=label.place, status=Label.Status.ACTIVE).exclude(pk=label.pk).exists():
        raise ValidationError(_("Un label plus récent existe pour ce lieu."))
    return application_create(actor=actor, place=label.place, renewal_of=label)


def competence_badge_issue(
    *, actor, badge_class: BadgeClass, recipient: User, narrative: str = "", expires: datetime | None = None
) -> Assertion:
    """Staff award a competence badge (e.g. after a training) to a member."""
    _require_staff(actor)
    if badge_class.kind != BadgeClass.Kind.COMPETENCE:
        raise ValidationError(_("Ce badge est réservé aux lieux labellisés."))
    if not is_approved_member(recipient):
        raise ValidationError(_("Le badge ne peut être remis qu'à un membre du réseau."))
    with transaction.atomic():
        assertion = Assertion(
            badge_class=badge_class,
            recipient=recipient,
            recipient_name=recipient.public_name,
            narrative=narrative,
            issued_by=actor,
            expires=expires,
        )
        assertion.identity_hash = Assertion.hash_identity(recipient.email, assertion.salt)
        assertion.save()
        notification_send(
            recipient=recipient,
            kind="labels.badge",
            verb=_("Vous avez reçu le badge « %(badge)s »") % {"badge": badge_class.name},
            actor=actor,
            target=assertion,
            url=assertion.get_absolute_url(),
        )
    return assertion


def assertion_revoke(*, actor, assertion: Assertion, reason: str) -> Assertion:
    _require_staff(actor)
    if not reason.strip():
        raise ValidationError(_("Le motif de révocation est obligatoire."))
    if assertion.label_id:
        raise ValidationError(_("Pour un label, retirez le label lui-même."))
    with transaction.atomic():
        if not Assertion.objects.filter(pk=assertion.pk, revoked=False).update(
            revoked=True, revocation_reason=reason, revoked_at=timezone.now()
        ):
            raise ValidationError(_("Ce badge est déjà révoqué."))
    assertion.refresh_from_db()
    return assertion
