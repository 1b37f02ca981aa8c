import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from notifications.models import Notification

from community import services
from community.models import (
    Commune,
    HubSettings,
    Invitation,
    MemberStatus,
    NotificationPreference,
    Organisation,
    OutboundEmail,
    Profile,
    SignupPolicy,
    User,
)
from community.validators import validate_siret
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _set_policy(policy):
    settings_row = HubSettings.load()
    settings_row.signup_policy = policy
    settings_row.save()


def test_profile_update_saves_fields_skills_and_visibility(member):
    commune = Commune.objects.get(insee="21231")
    services.profile_update(
        actor=member,
        profile=member.profile,
        data={"display_name": "Lucie Martin", "commune": commune, "department": commune.department, "visibility_email": "members"},
        skills="Pix, Accès aux droits, pix",
    )
    profile = Profile.objects.get(pk=member.profile.pk)
    assert profile.display_name == "Lucie Martin"
    assert profile.commune == commune
    assert sorted(s.name for s in profile.skills.all()) == ["Accès aux droits", "Pix"]
    assert profile.visibility["email"] == "members"


def test_profile_update_refuses_other_members(member, other_member):
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=member, profile=other_member.profile, data={"display_name": "Pirate"})
    assert Profile.objects.get(pk=other_member.profile.pk).display_name != "Pirate"


def test_staff_can_edit_any_profile(staff, member):
    services.profile_update(actor=staff, profile=member.profile, data={"display_name": "Corrigé"})
    assert Profile.objects.get(pk=member.profile.pk).display_name == "Corrigé"


def test_profile_update_rejects_bad_visibility_and_leaves_profile(member):
    before = member.profile.display_name
    with pytest.raises(ValidationError):
        services.profile_update(actor=member, profile=member.profile, data={"display_name": "X", "visibility_bio": "everyone"})
    assert Profile.objects.get(pk=member.profile.pk).display_name == before


@pytest.mark.parametrize(
    "siret,ok",
    [
        ("73282932000074", True),
        ("73282932000075", False),
        ("1234", False),
        ("35600000000048", True),
        ("35600000000055", True),
        ("35600000000054", False),
    ],
)
def test_siret_validation(siret, ok):
    if ok:
        validate_siret(siret)
    else:
        with pytest.raises(ValidationError):
            validate_siret(siret)


def test_organisation_create_validates_siret(member):
    with pytest.raises(ValidationError):
        services.organisation_create(actor=member, name="Asso", type="association", siret="12345678901234")
    assert not Organisation.objects.filter(name="Asso").exists()
    org = services.organisation_create(actor=member, name="Asso", type="association", siret="732 829 320 00074")
    assert org.siret == "73282932000074" and org.slug == "asso"


def test_register_under_approval_policy_waits_and_tells_staff(staff):
    _set_policy(SignupPolicy.APPROVAL)
    user = UserFactory(profile_data={"status": "approved"})
    profile = services.member_register(user=user)
    assert profile.status == MemberStatus.PENDING
    assert Notification.objects.filter(recipient=staff, verb__contains=user.email).exists()


def test_register_open_policy_is_member_at_once():
    _set_policy(SignupPolicy.OPEN)
    user = UserFactory()
    assert services.member_register(user=user).status == MemberStatus.APPROVED


def test_register_invitation_policy_needs_invitation(staff):
    _set_policy(SignupPolicy.INVITATION)
    with pytest.raises(PermissionDenied):
        services.member_register(user=UserFactory())
    invitation = services.invitation_create(actor=staff, email="invitee@exemple.fr")
    invited = UserFactory(email="invitee@exemple.fr")
    assert services.member_register(user=invited, invitation=invitation).status == MemberStatus.APPROVED
    invitation.refresh_from_db()
    assert invitation.accepted_by == invited and not invitation.is_usable
    with pytest.raises(ValidationError):  # an invitation serves once
        services.member_register(user=UserFactory(), invitation=invitation)


def test_invitation_sends_email_with_link(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(actor=staff, email="Nouvelle@Exemple.fr", message="Bienvenue !")
    assert invitation.email == "nouvelle@exemple.fr"
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    assert OutboundEmail.objects.get(kind="invitation").status == OutboundEmail.Status.SENT


def test_invitation_refused_for_members_and_existing_accounts(member, staff):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=member, email="x@exemple.fr")
    with pytest.raises(ValidationError):
        services.invitation_create(actor=staff, email=member.email.upper())
    assert not Invitation.objects.exists()


def test_member_decide_approves_once_and_notifies(staff, pending_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_decide(actor=staff, profile=pending_user.profile, approve=True)
    pending_user.profile.refresh_from_db()
    assert pending_user.profile.status == MemberStatus.APPROVED
    assert Notification.objects.filter(recipient=pending_user).count() == 1
    with pytest.raises(ValidationError):
        services.member_decide(actor=staff, profile=pending_user.profile, approve=False)


def test_member_decide_refusal_sends_email(staff, pending_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_decide(actor=staff, profile=pending_user.profile, approve=False)
    assert Profile.objects.get(pk=pending_user.profile.pk).status == MemberStatus.REJECTED
    assert [m.to for m in mail.outbox] == [[pending_user.email]]


def test_member_decide_is_staff_only(member, pending_user):
    with pytest.raises(PermissionDenied):
        services.member_decide(actor=member, profile=pending_user.profile, approve=True)


def test_member_approved_signal_fires(staff, pending_user, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, profile, **kwargs):
        received.append(profile.pk)

    services.member_approved.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.member_decide(actor=staff, profile=pending_user.profile, approve=True)
    finally:
        services.member_approved.disconnect(listener)
    assert received == [pending_user.profile.pk]


def test_skills_from_text_deduplicates_and_reuses():
    first = services.skills_from_text("Pix, pix ; Aidants Connect,,")
    assert [s.name for s in first] == ["Pix", "Aidants Connect"]
    again = services.skills_from_text("PIX")
    assert again[0].pk == first[0].pk


def test_leave_directory(member):
    services.profile_leave_directory(actor=member, profile=member.profile)
    assert not Profile.objects.get(pk=member.profile.pk).in_directory


def test_preferences_are_user_scoped(member, other_member):
    from community.notifications import preferences_update

    preferences_update(actor=member, choices={"system": "weekly"})
    assert NotificationPreference.objects.get(user=member, kind="system").delivery == "weekly"
    assert not NotificationPreference.objects.filter(user=other_member).exists()
    with pytest.raises(ValueError):
        preferences_update(actor=member, choices={"system": "sometimes"})
    assert User.objects.count() == 2
