"""The committee's decision and what follows: the label (validity, expiry, withdrawal, renewal),
its Open Badges assertion, and competence badges awarded to members."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.urls import absolute_url
from community.activity import activity_record, activity_withdraw
from community.models import ActivityKind, User, is_approved_member
from community.notifications import notification_send
from community.outbox import email_enqueue
from places.selectors import department_of_place
from places.services import place_set_label_state

from ..models import DECIDABLE_STATES, Application, Assertion, BadgeClass, Label
from .applications import application_create
from .workflow import DEFAULT_VALIDITY_YEARS, LABEL_BADGE_SLUG, REMINDER_DAYS, S, audit, lock, managers_of, move, notify, require_staff


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
    require_staff(actor)
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
        application = lock(application)
        move(
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
            _label_activity(label, actor=actor)
        notify(
            managers_of(application),
            kind="labels.workflow",
            verb=(_("Label accordé : %(place)s") if label else _("Label refusé : %(place)s")) % {"place": application.place},
            application=application,
            actor=actor,
            description=reason + (f"\n\n{_('Conditions')} : {conditions}" if label and conditions else ""),
        )
    return application


def _label_activity(label: Label, *, actor) -> None:
    """ "Label granted" in the activity stream: public like the list of labelled places, unless
    the place itself is not published yet (then staff only, as its page)."""
    place = label.place
    activity_record(
        verb=_("a accordé le label régional à"),
        title=place.nom,
        url=place.get_absolute_url(),
        audience="public" if place.is_published else "staff",
        kind=ActivityKind.PLACES,
        actor=actor,
        summary=place.presentation_resume,
        object_ref=f"labels.label:{label.pk}",
        department=department_of_place(place),
    )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def label_badge_class() -> BadgeClass:
    """The badge class of the regional label (created on first use)."""
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
    audit(label.application, actor=actor, action=f"label_{status}", from_state=Label.Status.ACTIVE, to_state=status, comment=reason)


def label_withdraw(*, actor, label: Label, reason: str) -> Label:
    """Staff withdraw a label in force, with a reason: its badge is revoked, the place loses the
    label, managers are told, and the "label granted" item leaves the activity stream."""
    require_staff(actor)
    if not reason.strip():
        raise ValidationError(_("Le motif du retrait est obligatoire."))
    with transaction.atomic():
        _label_end(label, status=Label.Status.WITHDRAWN, reason=reason, actor=actor, today=timezone.localdate())
        activity_withdraw(object_ref=f"labels.label:{label.pk}")
        notify(
            managers_of(label.application),
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
                    reason=_("Label arrivé à échéance le %(date)s.") % {"date": date_format(label.expires_on, "SHORT_DATE_FORMAT")},
                    actor=None,
                    today=today,
                )
            except ValidationError:
                continue
            notify(
                managers_of(label.application),
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
                for user in managers_of(label.application):
                    email_enqueue(
                        to_email=user.email,
                        recipient=user,
                        subject=_("Votre label expire le %(date)s : pensez au renouvellement")
                        % {"date": date_format(label.expires_on, "SHORT_DATE_FORMAT")},
                        template="emails/labels/renewal_reminder",
                        context={"label": label, "place": str(label.place), "days": days, "url": absolute_url(url)},
                        kind="labels.renewal",
                        dedupe_key=f"labels:renewal:{label.pk}:{days}:{user.pk}",
                    )
                    notification_send(
                        recipient=user,
                        kind="labels.renewal",
                        verb=_("Votre label expire le %(date)s : %(place)s")
                        % {"date": date_format(label.expires_on, "SHORT_DATE_FORMAT"), "place": label.place},
                        target=label.application,
                        url=url,
                    )
                sent += 1
    return sent


def label_renewal_create(*, actor, label: Label) -> Application:
    """A renewal application for an active or expired label (not when a newer label exists),
    prefilled with the previous answers."""
    if label.status not in (Label.Status.ACTIVE, Label.Status.EXPIRED):
        raise ValidationError(_("Ce label ne peut pas être renouvelé."))
    if Label.objects.filter(place=label.place, status=Label.Status.ACTIVE).exclude(pk=label.pk).exists():
        raise ValidationError(_("Un label plus récent existe pour ce lieu."))
    return application_create(actor=actor, place=label.place, renewal_of=label)


def competence_badge_issue(
    *, actor, badge_class: BadgeClass, recipient: User, narrative: str = "", expires: datetime | None = None
) -> Assertion:
    """Staff award a competence badge (e.g. after a training) to a member."""
    require_staff(actor)
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
    """Staff revoke a competence badge with a reason (a label's badge goes with its label)."""
    require_staff(actor)
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
