from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Financements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here because Django requires it: models (through these modules) may only be
        # imported once the app registry is ready.
        from common.registry import Panel, registry
        from ops.scheduler import periodic

        from . import follow_up, panels
        from .calendar import consortium_calendar_items
        from .demo import load_demo
        from .personal_data import erase_funding, export_funding
        from .tasks import (
            alerts_daily_task,
            alerts_instant_task,
            alerts_weekly_task,
            deadlines_task,
            partner_announcements_task,
            sources_poll_task,
        )

        registry.notification_kind("funding.alert", _("Nouveaux appels à financement de mes alertes"), "in_app")
        registry.notification_kind("funding.deadline", _("Rappels d'échéance des appels que je suis"), "instant")
        registry.notification_kind("funding.report", _("Suite donnée aux appels que j'ai signalés"), "in_app")
        registry.notification_kind("funding.consortium", _("Mes consortiums : demandes, invitations, suivi des candidatures"), "in_app")
        registry.notification_kind("funding.support", _("Réponses de l'équipe du hub à mes demandes d'aide"), "in_app")
        registry.notification_kind("funding.support_request", _("Demandes d'aide des membres au hub (équipe du hub)"), "instant")
        registry.notification_kind(
            "funding.partner", _("Recherches de partenaires sur les appels que je suis ou dans mes compétences"), "in_app"
        )
        registry.dashboard_panel(Panel("funding.suggested", "funding/panels/suggested.html", panels.suggested_panel, order=40))
        registry.dashboard_panel(Panel("funding.support", "funding/panels/support.html", panels.support_panel, order=15))
        registry.dashboard_panel(Panel("funding.watches", "funding/panels/watches.html", panels.watches_panel, order=45))
        registry.calendar_provider("funding.consortia", consortium_calendar_items)
        registry.audience_provider("funding.consortia", follow_up.consortium_audiences)
        follow_up.register()
        registry.data_exporter("funding", export_funding)
        registry.account_eraser("funding", erase_funding)
        registry.demo_loader("funding", load_demo, order=60)
        periodic("funding.poll_sources", sources_poll_task, timedelta(hours=1))
        periodic("funding.alerts_instant", alerts_instant_task, timedelta(minutes=1))
        periodic("funding.partner_announcements", partner_announcements_task, timedelta(minutes=1))
        periodic("funding.alerts_daily", alerts_daily_task, timedelta(days=1))
        periodic("funding.alerts_weekly", alerts_weekly_task, timedelta(days=7))
        periodic("funding.deadlines", deadlines_task, timedelta(hours=6))
