from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrientationConfig(AppConfig):
    name = "orientation"
    verbose_name = _("Orientation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at module level: these modules import models, which Django only
        # allows once the app registry is ready.
        from common.registry import Panel, registry
        from ops.scheduler import periodic

        from . import panels
        from .personal_data import erase_orientation, export_orientation
        from .tasks import referral_personal_data_purge_task

        registry.notification_kind("orientation.received", _("Orientation : fiches reçues"), "instant")
        registry.notification_kind("orientation.answered", _("Orientation : réponses à mes fiches"), "instant")
        registry.place_panel(Panel("orientation", "orientation/_place_panel.html", panels.place_orientation, order=10))
        registry.data_exporter("orientation", export_orientation)
        registry.account_eraser("orientation", erase_orientation)
        periodic("orientation.purge", referral_personal_data_purge_task, timedelta(hours=6))
