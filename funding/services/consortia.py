"""Consortia: structures answering a call together, and the tracking of their application.

A lead member opens a consortium for their structure from an open call. Other members ask to
join (visible consortia) or are invited by the lead, with their structure and the role they
propose; the lead accepts. Active members are members of the consortium's secret forum group
(discussion and shared files reuse ``groups``: its services, attachments and upload guard).
Members who leave keep their row (status "left"): the history stays readable.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.activity import activity_record, activity_withdraw
from community.models import ActivityKind, Organisation, is_approved_member
from community.notifications import notification_send
from groups.access import membership_of
from groups.models import AccessMode, GroupKind
from groups.services import group_create, group_invite, group_join, group_leave, post_create, topic_create

from ..models import (
    APPLICATION_TRANSITIONS,
    ApplicationStatus,
    Consortium,
    ConsortiumMember,
    ConsortiumMemberStatus,
    ConsortiumStatusChange,
    ConsortiumVisibility,
    FundingCall,
    MatchingOptOut,
)

ROLE_MAX = 200
Status = ConsortiumMemberStatus


def consortium_ref(consortium: Consortium) -> str:
    """The ``object_ref`` of a consortium's items in the activity stream."""
    return f"funding.consortium:{consortium.pk}"


def _membership(consortium: Consortium, user) -> ConsortiumMember | None:
    if not user.is_authenticated:
        return None
    return ConsortiumMember.objects.filter(consortium=consortium, user=user).first()


def is_lead(*, consortium: Consortium, user) -> bool:
    """Whether ``user`` is the consortium's active lead (who accepts partners and tracks the application)."""
    return ConsortiumMember.objects.filter(consortium=consortium, user=user, is_lead=True, status=Status.ACTIVE).exists()


def is_active_member(*, consortium: Consortium, user) -> bool:
    """Whether ``user`` is an active member of the consortium (who sees a private one)."""
    return user.is_authenticated and ConsortiumMember.objects.filter(consortium=consortium, user=user, status=Status.ACTIVE).exists()


def _lead_user(consortium: Consortium):
    lead = ConsortiumMember.objects.filter(consortium=consortium, is_lead=True).select_related("user").first()
    return lead.user if lead else consortium.created_by


def _notify(recipients, *, actor, verb: str, consortium: Consortium, description: str = "") -> None:
    for user in recipients:
        if user.pk != getattr(actor, "pk", None):
            notification_send(
                recipient=user,
                kind="funding.consortium",
                actor=actor,
                verb=verb[:255],
                url=consortium.get_absolute_url(),
                description=description,
            )


def _active_users(consortium: Consortium):
    return [m.user for m in consortium.members.filter(status=Status.ACTIVE).select_related("user").order_by("pk")]


def _group_add(consortium: Consortium, user) -> None:
    """Make an accepted member an active member of the consortium's forum group."""
    group = consortium.group
    if group is None:
        return
    if membership_of(user=user, group=group) is None:
        group_invite(group=group, actor=_lead_user(consortium), user=user)
    group_join(group=group, actor=user)


def _announce(consortium: Consortium, actor) -> None:
    """A visible consortium looking for partners is announced to members, once."""
    if consortium.visibility == ConsortiumVisibility.MEMBERS and consortium.looking_for_partners:
        activity_record(
            verb=_("Cherche des partenaires"),
            title=consortium.name,
            url=consortium.get_absolute_url(),
            audience="members",
            kind=ActivityKind.FUNDING,
            actor=actor,
            summary=consortium.partners_wanted or consortium.call.title,
            object_ref=consortium_ref(consortium),
            organisation=consortium.lead_organisation,
        )


def consortium_create(
    *,
    call: FundingCall,
    actor,
    name: str,
    description: str = "",
    partners_wanted: str = "",
    visibility: str = ConsortiumVisibility.MEMBERS,
    role: str = "",
) -> Consortium:
    """Open a consortium on an open call, led by the actor for their structure; its forum group
    (secret: discussion and files for members only) and its "shared files" topic come with it."""
    if not is_approved_member(actor):
        raise PermissionDenied
    if not call.is_open:
        raise ValidationError(_("Cet appel n'est plus ouvert : on ne peut plus y répondre en consortium."))
    organisation = getattr(getattr(actor, "profile", None), "organisation", None)
    if organisation is None:
        raise ValidationError(_("Indiquez d'abord votre structure dans votre profil : c'est elle qui porte le consortium."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au projet.")})
    if visibility not in ConsortiumVisibility.values:
        raise ValidationError({"visibility": _("Visibilité inconnue.")})
    with transaction.atomic():
        group = group_create(
            actor=actor,
            name=(_("Consortium : %(name)s") % {"name": name})[:120],
            description=description,
            kind=GroupKind.PROJECT,
            access=AccessMode.SECRET,
        )
        topic = topic_create(
            group=group,
            actor=actor,
            title=_("Fichiers partagés"),
            body=_("Les fichiers du consortium : déposez-les depuis la page du consortium (PDF ou images)."),
        )
        consortium = Consortium.objects.create(
            call=call,
            name=name[:200],
            description=description,
            partners_wanted=partners_wanted,
            lead_organisation=organisation,
            created_by=actor,
            visibility=visibility,
            group=group,
            files_topic=topic,
        )
        ConsortiumMember.objects.create(
            consortium=consortium, user=actor, organisation=organisation, role=role[:ROLE_MAX], is_lead=True, status=Status.ACTIVE
        )
        _announce(consortium, actor)
    return consortium


def consortium_request_join(*, consortium: Consortium, actor, role: str, organisation: Organisation | None = None) -> ConsortiumMember:
    """Ask to join a visible consortium with one's structure and proposed role (an invitee who
    asks is simply in). The lead is told."""
    if not is_approved_member(actor):
        raise PermissionDenied
    if consortium.is_private:
        raise PermissionDenied
    role = (role or "").strip()
    if not role:
        raise ValidationError({"role": _("Dites en quelques mots le rôle que vous proposez.")})
    organisation = organisation or getattr(actor.profile, "organisation", None)
    with transaction.atomic():
        member = _membership(consortium, actor)
        if member is not None and member.status == Status.INVITED:
            return consortium_invitation_answer(member=member, actor=actor, accept=True)
        if member is not None and member.status in (Status.ACTIVE, Status.REQUESTED):
            raise ValidationError(_("Vous faites déjà partie de ce consortium, ou votre demande attend la réponse du chef de file."))
        if member is None:
            member = ConsortiumMember(consortium=consortium, user=actor)
        member.organisation, member.role, member.status, member.is_lead = organisation, role[:ROLE_MAX], Status.REQUESTED, False
        member.save()
        lead = _lead_user(consortium)
        _notify(
            [lead] if lead else [],
            actor=actor,
            consortium=consortium,
            verb=_("%(name)s demande à rejoindre le consortium « %(c)s »") % {"name": actor.public_name, "c": consortium.name},
            description=role,
        )
    return member


def consortium_invite(*, consortium: Consortium, actor, user, role: str = "", organisation: Organisation | None = None) -> ConsortiumMember:
    """The lead invites a member, with the structure and role proposed."""
    if not is_lead(consortium=consortium, user=actor):
        raise PermissionDenied
    if user is None or not user.is_active or user.erased_at:
        raise ValidationError(_("Ce compte a été supprimé ou désactivé : impossible d'inviter cette personne."))
    if not is_approved_member(user):
        raise ValidationError(_("Cette personne n'est pas (encore) membre du réseau."))
    with transaction.atomic():
        member = _membership(consortium, user)
        if member is not None and member.status in (Status.ACTIVE, Status.INVITED):
            raise ValidationError(_("Cette personne fait déjà partie du consortium ou y est déjà invitée."))
        if member is not None and member.status == Status.REQUESTED:
            return consortium_member_decide(member=member, actor=actor, accept=True)
        if member is None:
            member = ConsortiumMember(consortium=consortium, user=user)
        member.organisation = organisation or getattr(getattr(user, "profile", None), "organisation", None)
        member.role, member.status, member.invited_by, member.is_lead = (role or "").strip()[:ROLE_MAX], Status.INVITED, actor, False
        member.save()
        _notify(
            [user],
            actor=actor,
            consortium=consortium,
            verb=_("%(name)s vous invite dans le consortium « %(c)s »") % {"name": actor.public_name, "c": consortium.name},
            description=member.role,
        )
    return member


def consortium_member_decide(*, member: ConsortiumMember, actor, accept: bool) -> ConsortiumMember:
    """The lead accepts or declines a request to join."""
    consortium = member.consortium
    if not is_lead(consortium=consortium, user=actor):
        raise PermissionDenied
    if member.status != Status.REQUESTED:
        raise ValidationError(_("Cette demande a déjà reçu une réponse."))
    with transaction.atomic():
        member.status = Status.ACTIVE if accept else Status.DECLINED
        member.save(update_fields=["status", "updated_at"])
        if accept:
            _group_add(consortium, member.user)
            verb = _("Vous avez rejoint le consortium « %(c)s »") % {"c": consortium.name}
        else:
            verb = _("Votre demande pour le consortium « %(c)s » n'a pas été retenue") % {"c": consortium.name}
        _notify([member.user], actor=actor, consortium=consortium, verb=verb)
    return member


def consortium_invitation_answer(*, member: ConsortiumMember, actor, accept: bool) -> ConsortiumMember:
    """The invitee accepts or declines; the lead is told."""
    if member.user_id != actor.pk:
        raise PermissionDenied
    if member.status != Status.INVITED:
        raise ValidationError(_("Cette invitation a déjà reçu une réponse."))
    consortium = member.consortium
    with transaction.atomic():
        member.status = Status.ACTIVE if accept else Status.DECLINED
        member.save(update_fields=["status", "updated_at"])
        if accept:
            _group_add(consortium, actor)
            verb = _("%(name)s a rejoint le consortium « %(c)s »") % {"name": actor.public_name, "c": consortium.name}
        else:
            verb = _("%(name)s a décliné l'invitation au consortium « %(c)s »") % {"name": actor.public_name, "c": consortium.name}
        lead = _lead_user(consortium)
        _notify([lead] if lead else [], actor=actor, consortium=consortium, verb=verb)
    return member


def consortium_leave(*, consortium: Consortium, actor) -> None:
    """A partner leaves; their row stays (status "left") and they leave the forum group."""
    member = _membership(consortium, actor)
    if member is None or member.status not in (Status.ACTIVE, Status.REQUESTED, Status.INVITED):
        raise PermissionDenied
    if member.is_lead:
        raise ValidationError(_("Le chef de file ne peut pas quitter le consortium qu'il porte."))
    with transaction.atomic():
        was_active = member.status == Status.ACTIVE
        member.status = Status.LEFT
        member.save(update_fields=["status", "updated_at"])
        if was_active and consortium.group_id:
            group_leave(group=consortium.group, actor=actor)


def consortium_update(*, consortium: Consortium, actor, looking_for_partners: bool, visibility: str, partners_wanted: str) -> Consortium:
    """The lead changes who may see the consortium and whether it still looks for partners; the
    stream item follows (withdrawn once it is private or complete, recorded once it opens)."""
    if not is_lead(consortium=consortium, user=actor):
        raise PermissionDenied
    if visibility not in ConsortiumVisibility.values:
        raise ValidationError({"visibility": _("Visibilité inconnue.")})
    with transaction.atomic():
        was_announced = consortium.visibility == ConsortiumVisibility.MEMBERS and consortium.looking_for_partners
        consortium.looking_for_partners, consortium.visibility, consortium.partners_wanted = (
            looking_for_partners,
            visibility,
            partners_wanted,
        )
        consortium.save(update_fields=["looking_for_partners", "visibility", "partners_wanted", "updated_at"])
        announced = consortium.visibility == ConsortiumVisibility.MEMBERS and consortium.looking_for_partners
        if was_announced and not announced:
            activity_withdraw(object_ref=consortium_ref(consortium))
        elif announced and not was_announced:
            _announce(consortium, actor)
    return consortium


def consortium_file_add(*, consortium: Consortium, actor, upload, note: str = ""):
    """Share a file with the consortium: a post with the attachment in its "shared files" topic
    (the forum's upload guard checks it: PDF or image, re-encoded)."""
    if not is_active_member(consortium=consortium, user=actor):
        raise PermissionDenied
    if consortium.files_topic is None:
        raise ValidationError(_("Ce consortium n'a pas d'espace de fichiers."))
    body = (note or "").strip() or _("Fichier partagé : %(name)s") % {"name": upload.name[:120]}
    return post_create(topic=consortium.files_topic, actor=actor, body=body, attachments=[upload])


def application_update(
    *,
    consortium: Consortium,
    actor,
    status: str,
    note: str = "",
    submitted_on=None,
    decided_on=None,
    amount_asked: int | None = None,
    amount_granted: int | None = None,
    funder_answer: str = "",
) -> Consortium:
    """Move the application along (en préparation → déposé → retenu / non retenu / abandonné) and
    keep its figures; every change of state is in the history and told to the other members."""
    if not is_active_member(consortium=consortium, user=actor):
        raise PermissionDenied
    if status not in ApplicationStatus.values:
        raise ValidationError({"status": _("État inconnu.")})
    current = ApplicationStatus(consortium.status)
    if status != current and status not in APPLICATION_TRANSITIONS[current]:
        raise ValidationError(
            {"status": _("Passage impossible de « %(a)s » à « %(b)s ».") % {"a": current.label, "b": ApplicationStatus(status).label}}
        )
    if amount_granted and status != ApplicationStatus.WON:
        raise ValidationError({"amount_granted": _("Un montant obtenu suppose une candidature retenue.")})
    today = timezone.localdate()
    with transaction.atomic():
        consortium.status = status
        if status == ApplicationStatus.SUBMITTED:
            consortium.submitted_on = submitted_on or consortium.submitted_on or today
        if status in (ApplicationStatus.WON, ApplicationStatus.LOST):
            consortium.decided_on = decided_on or consortium.decided_on or today
        if amount_asked is not None:
            consortium.amount_asked = amount_asked
        if amount_granted is not None:
            consortium.amount_granted = amount_granted
        if funder_answer:
            consortium.funder_answer = funder_answer
        if status in (ApplicationStatus.WON, ApplicationStatus.LOST, ApplicationStatus.ABANDONED):
            consortium.looking_for_partners = False
        consortium.save()
        if status != current:
            ConsortiumStatusChange.objects.create(consortium=consortium, actor=actor, from_status=current, to_status=status, note=note)
            label = ApplicationStatus(status).label
            _notify(
                _active_users(consortium),
                actor=actor,
                consortium=consortium,
                verb=_("Candidature « %(c)s » : %(s)s") % {"c": consortium.name, "s": str(label).lower()},
                description=note,
            )
            if status != ApplicationStatus.PREPARING:
                activity_withdraw(object_ref=consortium_ref(consortium))
    return consortium


def matching_opt_out_set(*, actor, opted_out: bool) -> None:
    """A member chooses whether consortia may be suggested to invite them."""
    if not is_approved_member(actor):
        raise PermissionDenied
    if opted_out:
        MatchingOptOut.objects.get_or_create(user=actor)
    else:
        MatchingOptOut.objects.filter(user=actor).delete()
