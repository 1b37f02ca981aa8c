"""allauth adapter: the hub's sign-up policy, and where people land after signing up.

allauth sends its own account e-mails (verification, reset) directly rather than through the
outbox: they must reach the person now, and allauth already rate-limits them.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .models import Invitation, SignupPolicy
from .services import member_register, signup_policy

INVITATION_SESSION_KEY = "maillage_invitation"


class AccountAdapter(DefaultAccountAdapter):
    def _invitation(self, request):
        token = request.session.get(INVITATION_SESSION_KEY) if request else None
        if not token:
            return None
        invitation = Invitation.objects.filter(token=token).first()
        return invitation if invitation and invitation.is_usable else None

    def is_open_for_signup(self, request):
        if signup_policy() != SignupPolicy.INVITATION:
            return True
        return self._invitation(request) is not None

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            invitation = self._invitation(request)
            member_register(user=user, invitation=invitation)
            if invitation and request is not None:
                request.session.pop(INVITATION_SESSION_KEY, None)
        return user

    def get_signup_redirect_url(self, request):
        """Right after sign-up (and e-mail confirmation), complete the profile."""
        return reverse("community:profile_edit")

    def get_login_redirect_url(self, request):
        profile = getattr(request.user, "profile", None)
        if profile is not None and not profile.display_name:
            return reverse("community:profile_edit")
        return super().get_login_redirect_url(request)
