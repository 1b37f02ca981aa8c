"""Dashboard panel of the places app (registered in ``apps.py``)."""

from django.utils.translation import gettext_lazy as _

from .selectors import place_list_for_organisation, place_list_managed_by, place_offer_summary

SUMMARY_LABELS = {
    "services": _("Services"),
    "publics_specifiquement_adresses": _("Publics accueillis en particulier"),
    "modalites_accompagnement": _("Modalités d'accompagnement"),
    "modalites_acces": _("Modalités d'accès"),
}


def my_places(request):
    """ "Mes lieux" on the dashboard, only for members who manage a place (one query)."""
    places = list(place_list_managed_by(user=request.user)[:5])
    return {"places": places} if places else None


def organisation_offer(request, organisation):
    """The offer of an organisation's places put together, on its page; each place links to its
    page, and to its offer form for the viewer's own places (two queries)."""
    places = place_list_for_organisation(viewer=request.user, organisation=organisation)
    if not places:
        return None
    user = request.user
    if user.is_authenticated and user.is_hub_staff:
        editable = {p.pk for p in places}
    elif user.is_authenticated:
        editable = set(user.managed_places.filter(pk__in=[p.pk for p in places]).values_list("pk", flat=True))
    else:
        editable = set()
    return {
        "places": [(place, place.pk in editable) for place in places],
        "summary": [(SUMMARY_LABELS[column], values) for column, values in place_offer_summary(places) if values],
    }
