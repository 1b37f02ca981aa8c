from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("Lieux de médiation numérique")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at module level: these modules import models, which Django only
        # allows once the app registry is ready.
        from common.registry import Panel, registry
        from ops.scheduler import periodic

        from . import panels
        from .demo import load_places_demo
        from .personal_data import erase_places, export_places
        from .tasks import place_confirm_reminders_task

        registry.data_exporter("places", export_places)
        registry.account_eraser("places", erase_places)
        registry.demo_loader("places", load_places_demo, order=50)
        registry.dashboard_panel(Panel("places", "places/_dashboard_panel.html", panels.my_places, order=60))
        registry.organisation_panel(Panel("places.offer", "places/_organisation_offer.html", panels.organisation_offer, order=10))
        registry.notification_kind("places.confirm", _("Lieux : confirmer les informations de mes lieux"), "instant")
        periodic("places.confirm_reminders", place_confirm_reminders_task, timedelta(days=1))
