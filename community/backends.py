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

from common import queries
from common.queries import CompiledQuery

# session backend paths written before these classes existed, and the class that now loads them
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "community.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "community.backends.AuthenticationBackend",
}


def _user_with_profile(pk):
    return get_user_model()._default_manager.select_related("profile").filter(pk=pk)


# compiled once per process: building and compiling this query cost ~1.5 ms of CPU a request
_USER_WITH_PROFILE = CompiledQuery(_user_with_profile, pk=queries.INT)


class MemberLoaderMixin:
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _USER_WITH_PROFILE.instances(pk=pk)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None

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
