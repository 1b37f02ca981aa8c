"""A member waiting for approval can log in but only sees the waiting page; the session user loader."""

from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from .backends import RENAMED
from .models import MemberStatus

# the app shell (manifest, service worker, offline page) must load for everyone: a redirected
# service worker script fails to register
ALLOWED_PREFIXES = (
    "/compte/",
    "/static/",
    "/media/",
    "/healthz",
    "/readyz",
    "/en-attente/",
    "/mes-donnees/",
    "/__reload__",
    "/manifest.webmanifest",
    "/sw.js",
    "/hors-ligne/",
)


class PendingMemberMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_staff:
            profile = getattr(user, "profile", None)
            if profile is not None and profile.status != MemberStatus.APPROVED and not request.path.startswith(ALLOWED_PREFIXES):
                return redirect("community:pending")
        return self.get_response(request)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, for sessions opened before ``community.backends`` existed: their stock backend
    path is replaced by the class that now loads the user (with the profile, in one query), once,
    when the user is first read — saved with the response, so the next request reads it as is."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))


def _get_user(request):
    path = request.session.get(BACKEND_SESSION_KEY)
    if path in RENAMED:
        request.session[BACKEND_SESSION_KEY] = RENAMED[path]
    return auth.get_user(request)
