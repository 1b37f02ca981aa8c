from django.conf import settings


def hub(request):
    """Site-wide values for templates: the hub's name, the current section (the header's counters:
    ``hub.context_processors.counters``)."""
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
    return {"HUB_NAME": settings.HUB_NAME, "current_section": current}
