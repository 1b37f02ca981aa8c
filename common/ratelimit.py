"""Rate limits for member actions (posting, reporting, signing up, messaging), on django-ratelimit.

``@rate_limited("post")`` limits a view to ``settings.RATE_LIMITS["post"]`` (read on each request,
so an environment or a test can change it) per member, or per address for visitors. Past the
limit the view does not run: ``RatelimitMiddleware`` answers with ``common.views.ratelimited``,
a French page with HTTP 429. Login, sign-up, password reset and e-mail confirmation are limited
by allauth itself (``ACCOUNT_RATE_LIMITS``). Counters live in the cache; while the cache is
unreachable the limits fail open (``RATELIMIT_FAIL_OPEN``), like allauth's.
"""

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def member_or_ip(group, request) -> str:
    """The counter's key: the member, or the client address for a visitor."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + (request.META.get("REMOTE_ADDR") or "")


def _rate_of(name: str):
    def rate(group, request) -> str | None:
        return settings.RATE_LIMITS.get(name)

    return rate


def rate_limited(name: str, *, method: str | tuple = "POST"):
    """Limit the decorated view to ``settings.RATE_LIMITS[name]`` (e.g. ``"30/m"``) per member."""
    return ratelimit(group=f"maillage.{name}", key=member_or_ip, rate=_rate_of(name), method=method, block=True)
