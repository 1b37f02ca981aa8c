"""Panels messaging adds to other apps' pages through ``common.registry``."""

from .selectors import reports_open


def moderation_context(request):
    """Hub moderation queue: reported private messages, and only those messages."""
    if not request.user.is_hub_staff:
        return None
    return {"message_reports": list(reports_open()), "next": request.get_full_path()}
