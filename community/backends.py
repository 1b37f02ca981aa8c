"""Authentication backends that load the member's profile with the user.

Every logged-in page reads the profile (the waiting-room check of ``PendingMemberMiddleware``, the
name in the header): loading it in the same query as the user saves one query per request. The
classes only change ``get_user``; authenticating is the stock backends' (Django's and allauth's).
Sessions opened under the stock backends' paths are carried over by
``community.middleware.AuthenticationMiddleware``.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model

# session backend paths written before these classes existed, and the class that now loads them
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "community.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "community.backends.AuthenticationBackend",
}


class MemberLoaderMixin:
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        User = get_user_model()
        try:
            user = await User._default_manager.select_related("profile").aget(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(MemberLoaderMixin, django_backends.ModelBackend):
    """Django's username/password backend; the user comes with their profile."""


class AuthenticationBackend(MemberLoaderMixin, allauth_backends.AuthenticationBackend):
    """allauth's e-mail/password backend; the user comes with their profile."""
