from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Agenda")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from datetime import timedelta

        from common.registry import Panel, registry
        from ops.scheduler import periodic

        from .datepolls.setup import register as register_datepolls
        from .demo import load_events_demo
        from .minutes.setup import register as register_minutes
        from .panels import dashboard_context, group_context
        from .personal_data import erase_events, export_events
        from .selectors import group_member_audiences
        from .tasks import offers_expire_task, reminders_send_task

        registry.notification_kind("events.registration", _("Mes inscriptions aux événements"), "in_app")
        registry.notification_kind("events.waitlist", _("Liste d'attente : place libérée ou délai dépassé"), "in_app")
        registry.notification_kind("events.reminder", _("Rappels avant un événement"), "instant")
        registry.notification_kind("events.change", _("Changement ou annulation d'un événement"), "instant")
        registry.notification_kind("events.review", _("Événements proposés : validation par l'équipe"), "instant")
        registry.notification_kind("events.attendance", _("Excuses et absences annoncées à mes événements"), "in_app")
        registry.notification_kind("events.restitution", _("Restitutions des séances"), "instant")
        registry.dashboard_panel(Panel("events.mine", "events/panels/dashboard.html", dashboard_context, order=20))
        registry.group_panel(Panel("events.group", "events/panels/group.html", group_context, order=20))
        # Events for a group's members reach the stream as "group-members:<id>" (the same rule as
        # ``events_visible_to``); "group:<id>" (groups app) would show them to every member of an open group.
        registry.audience_provider("events.group_members", group_member_audiences)
        registry.data_exporter("events", export_events)
        registry.account_eraser("events", erase_events)
        registry.demo_loader("events", load_events_demo, order=60)
        periodic("events.reminders", reminders_send_task, timedelta(minutes=10))
        periodic("events.offers_expire", offers_expire_task, timedelta(minutes=10))
        register_datepolls()
        register_minutes()
