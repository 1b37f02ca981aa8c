import functools

from django.conf import settings


def hub(request):
    """Site-wide values for templates: the hub's name, the current section, the unread count."""
    path = request.path
    sections = {
        "tableau": "/tableau-de-bord/",
        "membres": "/membres/",
        "groupes": "/groupes/",
        "agenda": "/agenda/",
        "financements": "/financements/",
        "lieux": "/lieux/",
        "label": "/label/",
        "ressources": "/ressources/",
    }
    current = next((key for key, prefix in sections.items() if path.startswith(prefix)), "accueil" if path == "/" else "")
    context = {"HUB_NAME": settings.HUB_NAME, "current_section": current}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from notifications.models import Notification

        # Counted once per request, however many times the templates read it.
        context["unread_notifications"] = functools.cache(lambda: Notification.objects.filter(recipient=user, unread=True).count())
    return context
