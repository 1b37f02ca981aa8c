"""Views every app shares: error pages that are not Django's defaults."""

from django.template.response import TemplateResponse


def ratelimited(request, exception):
    """HTTP 429 with a French explanation (``RATELIMIT_VIEW``); htmx requests get the sentence only."""
    template = "includes/ratelimited.html" if getattr(request, "htmx", False) else "429.html"
    return TemplateResponse(request, template, status=429)
