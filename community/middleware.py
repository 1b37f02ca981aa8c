"""A member waiting for approval can log in but only sees the waiting page."""

from django.shortcuts import redirect

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
