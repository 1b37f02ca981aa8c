"""The application from the applicant's side (create, answer, attach evidence, submit, abandon)
and the instruction steps that send it back or schedule a visit."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.uploads import check_size, clean_image, clean_pdf, safe_filename
from community.models import is_approved_member

from ..access import is_assigned_reviewer, is_place_manager, manages_place
from ..models import EDITABLE_STATES, OPEN_STATES, Answer, Application, Criterion, Evidence, Label
from ..selectors import application_missing_required, referential_current
from .workflow import (
    EVIDENCE_MAX_BYTES,
    S,
    audit,
    lock,
    managers_of,
    move,
    notify,
    require_manager,
    require_staff,
    reviewers_of,
    staff_members,
)


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
            audit(app, actor=actor, action="renewal_created" if renewal_of else "created", to_state=S.DRAFT)
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
    require_manager(actor, application)
    with transaction.atomic():
        application = lock(application)
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
    require_manager(actor, application)
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
        application = lock(application)
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
    """Remove a piece while the application is editable; the file goes after commit unless a
    renewal still points at it."""
    application = evidence.application
    require_manager(actor, application)
    with transaction.atomic():
        application = lock(application)
        if application.state not in EDITABLE_STATES:
            raise ValidationError(_("La candidature est verrouillée : elle ne peut plus être modifiée."))
        name = evidence.file.name
        evidence.delete()
        shared = Evidence.objects.filter(file=name).exists()
    if not shared:
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def application_submit(*, actor, application: Application, comment: str = "") -> Application:
    """Draft → submitted (locked); after corrections, back to review with the same reviewers."""
    require_manager(actor, application)
    with transaction.atomic():
        application = lock(application)
        missing = application_missing_required(application)
        if application.state in EDITABLE_STATES and missing:
            raise ValidationError(
                _("Répondez d'abord aux critères obligatoires : %(codes)s.") % {"codes": ", ".join(c.code for c in missing)}
            )
        if application.state == S.CORRECTIONS:
            has_reviewers = application.reviews.exists()
            to = S.IN_REVIEW if has_reviewers else S.SUBMITTED
            move(application, to=to, actor=actor, action="resubmitted", comment=comment, allowed_from=[S.CORRECTIONS])
            # reviewers look again: their evaluation is reopened
            application.reviews.update(submitted_at=None)
            notify(
                staff_members() + reviewers_of(application),
                kind="labels.workflow",
                verb=_("Candidature corrigée et redéposée : %(place)s") % {"place": application.place},
                application=application,
                actor=actor,
                description=comment,
                exclude=actor,
            )
        else:
            move(
                application,
                to=S.SUBMITTED,
                actor=actor,
                action="submitted",
                comment=comment,
                allowed_from=[S.DRAFT],
                submitted_at=timezone.now(),
            )
            notify(
                staff_members(),
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
        application = lock(application)
        move(application, to=S.ABANDONED, actor=actor, action="abandoned", comment=reason, allowed_from=OPEN_STATES, decision_reason=reason)
        notify(
            managers_of(application) + reviewers_of(application),
            kind="labels.workflow",
            verb=_("Candidature classée sans suite : %(place)s") % {"place": application.place},
            application=application,
            actor=actor,
            description=reason,
            exclude=actor,
        )
    return application


def application_request_corrections(*, actor, application: Application, comment: str) -> Application:
    """Staff or an assigned reviewer (conflict-free) send the application back to the applicant."""
    if not actor.is_hub_staff:
        review = application.reviews.filter(reviewer=actor).first() if is_assigned_reviewer(actor, application) else None
        if review is None or review.no_conflict_declared_at is None:
            raise PermissionDenied
    if not comment.strip():
        raise ValidationError(_("Expliquez les corrections attendues."))
    with transaction.atomic():
        application = lock(application)
        move(
            application,
            to=S.CORRECTIONS,
            actor=actor,
            action="corrections_requested",
            comment=comment,
            allowed_from=[S.SUBMITTED, S.IN_REVIEW, S.SITE_VISIT],
        )
        notify(
            managers_of(application),
            kind="labels.workflow",
            verb=_("Corrections demandées sur votre candidature : %(place)s") % {"place": application.place},
            application=application,
            actor=actor,
            description=comment,
        )
    return application


def application_schedule_visit(*, actor, application: Application, when: datetime, comment: str = "") -> Application:
    """Staff plan a site visit of an application in instruction; managers and reviewers are told."""
    require_staff(actor)
    with transaction.atomic():
        application = lock(application)
        move(
            application,
            to=S.SITE_VISIT,
            actor=actor,
            action="site_visit_scheduled",
            comment=comment,
            allowed_from=[S.IN_REVIEW, S.SITE_VISIT],
            site_visit_at=when,
        )
        notify(
            managers_of(application) + reviewers_of(application),
            kind="labels.workflow",
            verb=_("Visite sur site prévue le %(date)s : %(place)s")
            % {"date": date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT"), "place": application.place},
            application=application,
            actor=actor,
            description=comment,
        )
    return application
