"""Accounts through allauth: login by e-mail, password reset, e-mail change, TOTP, rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from community.models import HubSettings, MemberStatus, Profile, SignupPolicy, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _policy(policy):
    row = HubSettings.load()
    row.signup_policy = policy
    row.save()


def _signup(client, email="nouveau@exemple.fr"):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": "un-mot-de-passe-solide", "password2": "un-mot-de-passe-solide"}
    )


def test_login_by_email(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("community:dashboard")).status_code == 200


def test_signup_sends_verification_and_blocks_login_until_verified(client):
    _policy(SignupPolicy.OPEN)
    response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="nouveau@exemple.fr")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1 and "confirm-email" in mail.outbox[0].body
    # Not logged in before verification.
    assert client.get(reverse("community:dashboard")).status_code == 302
    key = re.search(r"/compte/confirm-email/([^/\s]+)/", mail.outbox[0].body).group(1)
    client.post(reverse("account_confirm_email", args=[key]))
    assert EmailAddress.objects.get(user=user).verified
    assert Profile.objects.get(user=user).status == MemberStatus.APPROVED


def test_signup_under_approval_policy_lands_on_waiting_page(client):
    _policy(SignupPolicy.APPROVAL)
    _signup(client, "attente@exemple.fr")
    user = User.objects.get(email="attente@exemple.fr")
    assert Profile.objects.get(user=user).status == MemberStatus.PENDING


def test_signup_closed_under_invitation_policy(client):
    _policy(SignupPolicy.INVITATION)
    response = client.get(reverse("account_signup"))
    assert "fermée" in response.content.decode().lower() or response.status_code in (403, 302)
    _signup(client, "intrus@exemple.fr")
    assert not User.objects.filter(email="intrus@exemple.fr").exists()


def test_signup_with_invitation_under_invitation_policy(client, staff):
    from community.services import invitation_create

    _policy(SignupPolicy.INVITATION)
    invitation = invitation_create(actor=staff, email="invitee@exemple.fr")
    client.get(reverse("community:invitation_accept", args=[invitation.token]))
    _signup(client, "invitee@exemple.fr")
    user = User.objects.get(email="invitee@exemple.fr")
    assert Profile.objects.get(user=user).status == MemberStatus.APPROVED
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_password_reset_sends_link(client, member):
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and member.email in mail.outbox[0].to
    assert "/compte/password/reset/key/" in mail.outbox[0].body


def test_email_change_adds_unverified_address(member_client, member):
    response = member_client.post(reverse("account_email"), {"action_add": "", "email": "nouvelle.adresse@exemple.fr"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=member, email="nouvelle.adresse@exemple.fr", verified=False).exists()
    assert any("nouvelle.adresse@exemple.fr" in m.to for m in mail.outbox)


def test_totp_activation_page_is_available(member_client):
    response = member_client.get(reverse("mfa_activate_totp"))
    assert response.status_code in (200, 302)
    index = member_client.get(reverse("mfa_index"))
    assert index.status_code == 200


def test_login_is_rate_limited(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/ip"}
    pages = [client.post(reverse("account_login"), {"login": member.email, "password": "faux"}).content.decode() for _ in range(5)]
    assert "Trop de tentatives" not in pages[0]
    assert "Trop de tentatives" in pages[-1]
    # Even the right password is refused while throttled.
    final = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert final.status_code == 200 and "Trop de tentatives" in final.content.decode()


def test_django_admin_is_for_staff_only(client, member_client, staff):
    assert client.get("/django-admin/").status_code == 302
    assert member_client.get("/django-admin/").status_code == 302
    staff.is_superuser = True
    staff.save()
    from django.test import Client

    admin = Client()
    admin.force_login(staff)
    assert admin.get("/django-admin/").status_code == 200


def test_staff_edit_signup_policy_in_cms(staff_client, member_client):
    response = staff_client.get("/cms/settings/community/hubsettings/", follow=True)
    assert response.status_code == 200
    assert "Politique d" in response.content.decode()
    assert member_client.get("/cms/settings/community/hubsettings/").status_code in (302, 403)
