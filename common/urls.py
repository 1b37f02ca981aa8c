"""Absolute URLs for e-mails, feeds and badges: the one place that joins ``SITE_URL``."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` on this site as an absolute URL (an absolute URL is returned unchanged)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
