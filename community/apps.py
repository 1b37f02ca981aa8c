from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from common.registry import Panel, registry


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Communauté")

    def ready(self) -> None:
        # Imported here because Django requires it: these modules import models (directly or
        # through ops), which only exist once the app registry is ready.
        from . import signals  # noqa: F401
        from .activity import member_audiences
        from .panels import group_stream_context
        from .personal_data import erase_community, export_community

        registry.notification_kind("system", _("Messages de l'équipe du hub"), "instant")
        registry.notification_kind("membership", _("Mon adhésion au réseau"), "instant")
        registry.notification_kind("community.organisation", _("Mes organisations : quand on m'en confie la gestion"), "instant")
        registry.notification_kind("community.stream", _("Commentaires sur mes activités du fil"), "in_app")
        registry.group_panel(Panel("community.stream", "community/panels/group_stream.html", group_stream_context, order=90))
        registry.audience_provider("community", member_audiences)
        registry.data_exporter("community", export_community)
        registry.account_eraser("community", erase_community)

        from ops.scheduler import periodic

        from .outbox import outbox_sweep_task
        from .tasks import digest_daily_task, digest_weekly_task

        periodic("community.outbox_sweep", outbox_sweep_task, timedelta(minutes=5))
        periodic("community.digest_daily", digest_daily_task, timedelta(days=1))
        periodic("community.digest_weekly", digest_weekly_task, timedelta(days=7))
