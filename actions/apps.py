from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Actions de suivi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registration needs the app registry ready, hence imports here (Django's rule).
        from datetime import timedelta

        from common.registry import Panel, registry
        from ops.scheduler import periodic

        from .calendar import my_action_calendar_items
        from .demo import load_actions_demo
        from .panels import dashboard_context, group_context
        from .personal_data import erase_actions, export_actions
        from .tasks import reminders_send_task

        registry.notification_kind("actions.assigned", _("Une action de suivi m'est confiée"), "instant")
        registry.notification_kind("actions.reminder", _("Rappels de mes actions (échéance proche, en retard)"), "instant")
        registry.notification_kind("actions.update", _("Commentaires et changements sur mes actions"), "in_app")
        registry.dashboard_panel(Panel("actions.mine", "actions/panels/dashboard.html", dashboard_context, order=25))
        registry.group_panel(Panel("actions.group", "actions/panels/group.html", group_context, order=30))
        registry.calendar_provider("actions.mine", my_action_calendar_items)
        registry.data_exporter("actions", export_actions)
        registry.account_eraser("actions", erase_actions)
        registry.demo_loader("actions", load_actions_demo, order=35)
        periodic("actions.reminders", reminders_send_task, timedelta(hours=1))
