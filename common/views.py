"""Views every app shares: error pages that are not Django's defaults."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from common.markdown import render_markdown
from common.ratelimit import rate_limited

PREVIEW_MAX_CHARS = 50_000


def ratelimited(request, exception):
    """HTTP 429 with a French explanation (``RATELIMIT_VIEW``); htmx requests get the sentence only."""
    template = "includes/ratelimited.html" if getattr(request, "htmx", False) else "429.html"
    return TemplateResponse(request, template, status=429)


@require_POST
@login_required
@rate_limited("post")
def markdown_preview(request):
    """The HTML a Markdown text will show, through the same renderer and sanitiser as the pages."""
    text = request.POST.get("text", "")[:PREVIEW_MAX_CHARS]
    return HttpResponse(render_markdown(text) or "", content_type="text/html; charset=utf-8")
