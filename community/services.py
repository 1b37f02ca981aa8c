"""Every write of the community app: profiles, organisations, membership, invitations."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.text import normalize

from .access import can_manage_organisation
from .activity import activity_record, activity_withdraw
from .images import logo_file, photo_variants
from .models import (
    PROFILE_VISIBILITY_FIELDS,
    ActivityKind,
    Follow,
    HubSettings,
    Invitation,
    MemberStatus,
    Organisation,
    Profile,
    ProfileSkill,
    SignupPolicy,
    Skill,
    SkillLevel,
    User,
    Visibility,
    is_approved_member,
)
from .notifications import notification_send
from .outbox import email_enqueue

member_approved = Signal()
"""Sent after commit with ``profile`` when a member is approved; other apps (the "Réseau" group
of the groups app) listen to it to welcome new members."""


def _referential_by_alias() -> dict[str, Skill]:
    """Référentiel entries by their name and aliases, accent- and case-free (one query)."""
    return {key: skill for skill in Skill.objects.filter(in_referential=True) for key in skill.alias_keys}


def skills_from_text(text: str) -> list[Skill]:
    """Turn "Pix, accès aux droits, Pix" into Skill rows (created when new, deduplicated).

    A name that is a référentiel entry or one of its aliases (accent- and case-free) gives that
    entry ("accompagnement administratif" → "Accompagnement aux démarches administratives en
    ligne"); other names are free skills, created when new."""
    names = []
    seen = set()
    for raw in (text or "").replace(";", ",").split(","):
        name = " ".join(raw.split())[:80]
        key = slugify(name)
        if name and key and key not in seen:
            seen.add(key)
            names.append((key, name))
    referential = _referential_by_alias() if names else {}
    existing = {s.slug: s for s in Skill.objects.filter(slug__in=[k for k, _ in names])}
    result = []
    for key, name in names:
        skill = referential.get(normalize(name)) or existing.get(key) or Skill.objects.get_or_create(slug=key, defaults={"name": name})[0]
        if skill not in result:
            result.append(skill)
    return result


def profile_skills_set(*, actor: User, profile: Profile, levels: dict[int, str], text: str = "") -> None:
    """Set a member's skills: référentiel entries with their level (``{skill_id: level}``) and the
    free ones typed in ``text`` (a typed name of a référentiel entry joins it at the default level)."""
    if actor.pk != profile.user_id and not actor.is_hub_staff:
        raise PermissionDenied
    if any(level not in SkillLevel.values for level in levels.values()):
        raise ValidationError(_("Niveau de compétence inconnu."))
    chosen = {s.pk: s for s in Skill.objects.filter(pk__in=levels, in_referential=True)}
    wanted = {pk: levels[pk] for pk in chosen}
    for skill in skills_from_text(text):
        wanted.setdefault(skill.pk, SkillLevel.CONFIRMED)
    with transaction.atomic():
        ProfileSkill.objects.filter(profile=profile).exclude(skill_id__in=wanted).delete()
        current = {ps.skill_id: ps for ps in ProfileSkill.objects.filter(profile=profile)}
        for skill_id, level in wanted.items():
            row = current.get(skill_id)
            if row is None:
                ProfileSkill.objects.create(profile=profile, skill_id=skill_id, level=level)
            elif row.level != level:
                row.level = level
                row.save(update_fields=["level"])


def profile_update(
    *,
    actor: User,
    profile: Profile,
    data: dict,
    skills: str | None = None,
    interests: str | None = None,
    skill_levels: dict[int, str] | None = None,
) -> Profile:
    """Save a profile from cleaned form data. Only the owner and staff may edit it."""
    if actor.pk != profile.user_id and not actor.is_hub_staff:
        raise PermissionDenied
    visibility = dict(profile.visibility or {})
    for field in PROFILE_VISIBILITY_FIELDS:
        level = data.pop(f"visibility_{field}", None)
        if level:
            if level not in Visibility.values:
                raise ValidationError(_("Niveau de visibilité inconnu."))
            visibility[field] = level
    photo = data.pop("photo", None)
    with transaction.atomic():
        for key, value in data.items():
            setattr(profile, key, value)
        if photo is not None:
            profile_photo_set(profile=profile, upload=photo or None)
        profile.visibility = visibility
        profile.full_clean(exclude=["user", "photo"])
        profile.save()
        if skill_levels is not None:
            profile_skills_set(actor=actor, profile=profile, levels=skill_levels, text=skills or "")
        elif skills is not None:
            profile.skills.set(skills_from_text(skills))
        if interests is not None:
            profile.interests.set(skills_from_text(interests))
    return profile


def profile_photo_set(*, profile: Profile, upload) -> None:
    """Replace (or, with ``None``, remove) the photo: square JPEG + WebP, old files deleted after
    commit. The caller saves the profile (``profile_update``)."""
    old_names = [f.name for f in (profile.photo, profile.photo_webp) if f]
    if upload is None:
        profile.photo, profile.photo_webp = "", ""
    else:
        jpeg, webp = photo_variants(upload)
        profile.photo.save(jpeg.name, jpeg, save=False)
        profile.photo_webp.save(webp.name, webp, save=False)
    storage = profile.photo.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old_names])


def profile_leave_directory(*, actor: User, profile: Profile, leave: bool = True) -> Profile:
    """Leave (or come back to) the directory. Only the owner and staff may choose."""
    if actor.pk != profile.user_id and not actor.is_hub_staff:
        raise PermissionDenied
    profile.in_directory = not leave
    profile.save(update_fields=["in_directory", "updated_at"])
    return profile


def organisation_create(
    *, actor: User, name: str, type: str, siret: str = "", commune=None, website: str = "", description: str = "", logo=None
) -> Organisation:
    """Add an organisation (any approved member may); a SIRET, when given, is valid and unique."""
    if not is_approved_member(actor):
        raise PermissionDenied
    org = Organisation(
        name=name, type=type, siret=(siret or "").replace(" ", ""), commune=commune, website=website, description=description
    )
    org.full_clean(exclude=["slug", "logo"])
    if logo is not None:
        file = logo_file(logo)
        org.logo.save(file.name, file, save=False)
    with transaction.atomic():
        org.save()
        org.managers.add(actor)  # the creator manages the structure's page; staff may add others
    return org


ORGANISATION_EDIT_FIELDS = ("name", "type", "siret", "commune", "website", "description")


def organisation_update(*, actor: User, organisation: Organisation, data: dict, logo=None) -> Organisation:
    """Edit an organisation (its managers: ``can_manage_organisation``). ``logo``: ``None`` keeps
    it, ``""`` removes it, an upload replaces it (through the upload guard); the old file is
    deleted after commit, the new one when the save fails: nothing half-saved."""
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied
    new_file = logo_file(logo) if logo else None  # judged (and refused) before anything is written
    for key, value in data.items():
        if key in ORGANISATION_EDIT_FIELDS:
            setattr(organisation, key, value)
    organisation.siret = (organisation.siret or "").replace(" ", "")
    organisation.full_clean(exclude=["slug", "logo"])
    old_name = organisation.logo.name if organisation.logo else ""
    storage = organisation.logo.storage
    if logo is not None and new_file is None:
        organisation.logo = ""
    elif new_file is not None:
        organisation.logo.save(new_file.name, new_file, save=False)
    try:
        with transaction.atomic():
            organisation.save()
            if old_name and logo is not None:
                transaction.on_commit(lambda: storage.delete(old_name))
    except Exception:
        if new_file is not None:
            storage.delete(organisation.logo.name)
        raise
    return organisation


def _require_manager(actor: User, organisation: Organisation) -> None:
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied


def organisation_manager_add(*, actor: User, organisation: Organisation, user: User) -> bool:
    """A manager (or staff) makes an approved member co-manager of the organisation; they are
    told. Returns ``False`` when they already managed it (nothing sent twice)."""
    _require_manager(actor, organisation)
    if not is_approved_member(user) or user.erased_at:
        raise ValidationError({"user": _("Seul un membre du réseau peut gérer une organisation.")})
    with transaction.atomic():
        if organisation.managers.filter(pk=user.pk).exists():
            return False
        organisation.managers.add(user)
        if user.pk != actor.pk:
            notification_send(
                recipient=user,
                kind="community.organisation",
                actor=actor,
                verb=_("Vous gérez désormais l'organisation « %(name)s »") % {"name": organisation.name},
                url=reverse("community:organisation_edit", args=[organisation.slug]),
            )
    return True


def organisation_manager_remove(*, actor: User, organisation: Organisation, user: User) -> None:
    """A manager (or staff) removes a co-manager, themselves included; the last manager stays
    unless hub staff remove them (staff keep every organisation editable)."""
    _require_manager(actor, organisation)
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # two removals in turn, never both
        managers = list(organisation.managers.values_list("pk", flat=True))
        if user.pk not in managers:
            return
        if len(managers) == 1 and not actor.is_hub_staff:
            raise ValidationError(_("Une organisation garde au moins un·e gestionnaire : ajoutez-en un·e autre avant de vous retirer."))
        organisation.managers.remove(user)


def signup_policy() -> str:
    """The hub's sign-up policy (open, on invitation, or with staff approval)."""
    return HubSettings.load().signup_policy


def member_register(*, user: User, invitation: Invitation | None = None) -> Profile:
    """Give a newly signed-up user their status under the hub's sign-up policy.

    Invited people and open sign-ups are members at once; under "approval" they wait for staff.
    """
    policy = signup_policy()
    profile, _created = Profile.objects.get_or_create(user=user)
    with transaction.atomic():
        if invitation is not None:
            updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
                accepted_at=timezone.now(), accepted_by=user
            )
            if not updated:
                raise ValidationError(_("Cette invitation a déjà été utilisée."))
            profile.status = MemberStatus.APPROVED
        elif policy == SignupPolicy.APPROVAL:
            profile.status = MemberStatus.PENDING
        elif policy == SignupPolicy.INVITATION:
            raise PermissionDenied(_("L'inscription se fait sur invitation."))
        else:
            profile.status = MemberStatus.APPROVED
        if profile.status == MemberStatus.APPROVED:
            profile.approved_at = timezone.now()
        profile.save()
        if profile.status == MemberStatus.APPROVED:
            member_joined_record(profile=profile)
        if profile.status == MemberStatus.PENDING:
            for staff in User.objects.filter(is_staff=True, is_active=True):
                notification_send(
                    recipient=staff,
                    kind="membership",
                    verb=_("Nouvelle demande d'adhésion : %(email)s") % {"email": user.email},
                    actor=user,
                    url=reverse("community:pending_members"),
                )
    if profile.status == MemberStatus.APPROVED:
        transaction.on_commit(lambda: member_approved.send(sender=Profile, profile=profile))
    return profile


def member_decide(*, actor: User, profile: Profile, approve: bool) -> Profile:
    """Staff approve or refuse a pending member; the member is told either way."""
    if not actor.is_hub_staff:
        raise PermissionDenied
    with transaction.atomic():
        locked = Profile.objects.select_for_update().get(pk=profile.pk)
        if locked.status != MemberStatus.PENDING:
            raise ValidationError(_("Cette demande a déjà été traitée."))
        locked.status = MemberStatus.APPROVED if approve else MemberStatus.REJECTED
        locked.approved_at = timezone.now() if approve else None
        locked.save(update_fields=["status", "approved_at", "updated_at"])
        if approve:
            member_joined_record(profile=locked)
            notification_send(
                recipient=locked.user,
                kind="membership",
                verb=_("Bienvenue dans le réseau ! Votre adhésion est validée."),
                actor=actor,
                url=reverse("community:profile_edit"),
            )
        else:
            email_enqueue(
                to_email=locked.user.email,
                recipient=locked.user,
                subject=_("Votre demande d'adhésion"),
                template="emails/membership_refused",
                context={"user": locked.user},
                kind="membership",
                dedupe_key=f"membership-refused:{locked.pk}",
            )
    if approve:
        transaction.on_commit(lambda: member_approved.send(sender=Profile, profile=locked))
    return locked


def invitation_create(*, actor: User, email: str, message: str = "") -> Invitation:
    """Staff invite someone without an account; the e-mail goes through the outbox."""
    if not actor.is_hub_staff:
        raise PermissionDenied
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Cette personne a déjà un compte."))
    with transaction.atomic():
        invitation = Invitation.objects.create(email=email, invited_by=actor, message=message)
        email_enqueue(
            to_email=email,
            subject=_("Invitation à rejoindre le réseau"),
            template="emails/invitation",
            context={
                "invitation": invitation,
                "url": reverse("community:invitation_accept", args=[invitation.token]),
                "inviter": actor,
            },
            kind="invitation",
            dedupe_key=f"invitation:{invitation.pk}",
        )
    return invitation


def member_joined_ref(profile: Profile) -> str:
    """The activity-stream reference of a member's arrival."""
    return f"community.profile:{profile.pk}"


def member_joined_record(*, profile: Profile) -> None:
    """A new member enters the stream of every member, with their territory (département)."""
    activity_withdraw(object_ref=member_joined_ref(profile))
    activity_record(
        verb=_("a rejoint le réseau"),
        title=profile.display_name or _("Un nouveau membre"),
        url=profile.get_absolute_url(),
        audience="members",
        kind=ActivityKind.MEMBERS,
        actor=profile.user,
        object_ref=member_joined_ref(profile),
        department=profile.department,
    )


def follow_set(*, actor: User, member: User | None = None, organisation: Organisation | None = None, follow: bool = True) -> bool:
    """Follow (or stop following) a member or an organisation; returns whether ``actor`` now
    follows it. Approved members only; nobody follows themselves."""
    if not is_approved_member(actor):
        raise PermissionDenied
    if (member is None) == (organisation is None):
        raise ValueError("follow a member or an organisation")
    if member is not None and member.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas vous suivre vous-même."))
    target = {"member": member} if member is not None else {"organisation": organisation}
    if follow:
        Follow.objects.get_or_create(follower=actor, **target)
    else:
        Follow.objects.filter(follower=actor, **target).delete()
    return follow
