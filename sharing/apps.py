from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Partage de matériel et de salles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at module level: these modules import models, which Django only
        # allows once the app registry is ready.
        from common.registry import registry
        from ops.scheduler import periodic

        from .demo import load_sharing_demo
        from .personal_data import erase_sharing, export_sharing
        from .signals import connect
        from .tasks import booking_reminders_task

        registry.notification_kind("sharing.request", _("Partage : demandes sur le matériel de ma structure"), "instant")
        registry.notification_kind("sharing.booking", _("Partage : réponses à mes réservations"), "instant")
        registry.notification_kind("sharing.reminder", _("Partage : rappels avant le début et pour le retour"), "instant")
        registry.data_exporter("sharing", export_sharing)
        registry.account_eraser("sharing", erase_sharing)
        registry.demo_loader("sharing", load_sharing_demo, order=45)
        connect()
        periodic("sharing.reminders", booking_reminders_task, timedelta(hours=1))
