"""Views every app shares: error pages that are not Django's defaults, the Markdown preview and
the installable app (web app manifest, service worker, offline page)."""

import hashlib
import json
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.utils import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from common.markdown import render_markdown
from common.ratelimit import rate_limited

PREVIEW_MAX_CHARS = 50_000


def ratelimited(request, exception):
    """HTTP 429 with a French explanation (``RATELIMIT_VIEW``); htmx requests get the sentence only."""
    template = "includes/ratelimited.html" if getattr(request, "htmx", False) else "429.html"
    return TemplateResponse(request, template, status=429)


DATABASE_RETRY_AFTER = 5  # seconds: about what a request waits for a pooled connection before failing


def _database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says no database connection could be had: raised while opening one
    (PostgreSQL not answering) or while waiting for a pooled one (all busy past the pool's
    timeout, or none can be opened). Any other database error is a bug, not an outage."""
    if not isinstance(exc, OperationalError):
        return False
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "get_new_connection":  # Django's backends open connections there
            return True
        tb = tb.tb_next
    return False


def server_error(request):
    """``handler500``: a 503 with ``Retry-After`` when no database connection could be had
    (overload or PostgreSQL down: come back in a few seconds; nothing was saved, as a request
    holds one connection from its first query), else Django's 500 page. Django calls it while
    the exception is being handled, so ``sys.exc_info`` holds it."""
    if _database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return defaults.server_error(request)


@require_POST
@login_required
@rate_limited("post")
def markdown_preview(request):
    """The HTML a Markdown text will show, through the same renderer and sanitiser as the pages."""
    text = request.POST.get("text", "")[:PREVIEW_MAX_CHARS]
    return HttpResponse(render_markdown(text) or "", content_type="text/html; charset=utf-8")


ICON_SIZES = (48, 72, 96, 144, 192, 512)
MASKABLE_SIZES = (192, 512)
# What the service worker keeps for offline use beside the offline page (static names are hashed
# in production, so a new deployment means new names and a new cache).
OFFLINE_ASSETS = ("css/maillage.css", "js/nav.js", "js/pwa.js", "favicon.svg", "icons/icon-192.png", "icons/badge-96.png")


@require_GET
@cache_control(max_age=3600, public=True)
def web_manifest(request):
    """The web app manifest: French names, colours and icons, so phones and desktops can install Maillage."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"} for size in ICON_SIZES
    ]
    icons += [
        {"src": static(f"icons/maskable-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "maskable"}
        for size in MASKABLE_SIZES
    ]
    manifest = {
        "id": "/",
        "name": f"Maillage · {settings.HUB_NAME}",
        "short_name": "Maillage",
        "description": _("Le réseau des acteurs du numérique inclusif : fil d’actualité, messages, agenda, groupes."),
        "lang": "fr",
        "dir": "ltr",
        "start_url": "/tableau-de-bord/?source=app",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#0b4a72",
        "categories": ["social", "productivity"],
        "icons": icons,
        "shortcuts": [
            {"name": _("Messages"), "url": "/messages/", "icons": [{"src": static("icons/icon-96.png"), "sizes": "96x96"}]},
            {"name": _("Agenda"), "url": "/agenda/", "icons": [{"src": static("icons/icon-96.png"), "sizes": "96x96"}]},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    return response


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, from the site root so that its scope is the whole site."""
    assets = [static(name) for name in OFFLINE_ASSETS]
    version = hashlib.sha256("|".join(assets).encode()).hexdigest()[:12]
    context = {
        "config": json.dumps(
            {
                "version": version,
                "assets": assets,
                "offline": "/hors-ligne/",
                "icon": static("icons/icon-192.png"),
                "badge": static("icons/badge-96.png"),
            }
        )
    }
    response = HttpResponse(render_to_string("pwa/sw.js", context), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """The page the service worker shows when the network is gone (fetched without cookies)."""
    return TemplateResponse(request, "pwa/offline.html")
