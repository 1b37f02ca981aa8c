"""Probes for load balancers, containers and monitoring (no login, no session, no secret)."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from .health import readiness


@never_cache
def healthz(request):
    """Liveness: the process answers. Touches nothing (a restart would not fix a database outage)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """Readiness: 200 when the database, Redis (when configured) and a task worker are fine; 503
    naming the failing parts otherwise."""
    ready, checks = readiness()
    failing = [part for part, state in checks.items() if state not in ("ok", "skipped")]
    body = {"status": "ok" if ready else "unavailable", "failing": failing, "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)
