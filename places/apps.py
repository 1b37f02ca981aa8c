from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "Lieux de médiation numérique"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from common.registry import Panel, registry

        from .demo import load_places_demo
        from .personal_data import erase_places, export_places

        registry.data_exporter("places", export_places)
        registry.account_eraser("places", erase_places)
        registry.demo_loader("places", load_places_demo, order=50)
        registry.dashboard_panel(Panel("places", "places/_dashboard_panel.html", _dashboard_context, order=60))


def _dashboard_context(request):
    """ "Mes lieux" on the dashboard, only for members who manage a place (one query)."""
    from .selectors import place_list_managed_by

    places = list(place_list_managed_by(user=request.user)[:5])
    return {"places": places} if places else None
