from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Messages privés")

    def ready(self) -> None:
        # Imported here: Django requires the app registry to be ready before models are imported.
        from datetime import timedelta

        from common.registry import Panel, registry
        from ops.scheduler import periodic

        from .demo import load_messaging_demo
        from .panels import moderation_context
        from .personal_data import erase_messaging, export_messaging
        from .services import NOTIFICATION_KIND
        from .tasks import unread_notify_task

        registry.notification_kind(NOTIFICATION_KIND, _("Messages privés non lus"), "instant")
        registry.moderation_panel(Panel("messaging.reports", "messaging/panels/moderation.html", moderation_context, order=50))
        registry.data_exporter("messages_prives", export_messaging)
        registry.account_eraser("messaging", erase_messaging)
        registry.demo_loader("messaging", load_messaging_demo, order=40)
        periodic("messaging.unread_notify", unread_notify_task, timedelta(minutes=5))
