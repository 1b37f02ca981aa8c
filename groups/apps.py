from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Groupes")

    def ready(self) -> None:
        # Imported here, not at the top: Django requires the app registry to be ready before
        # models (and the modules that import them) are loaded.
        from common.registry import Panel, registry
        from ops.scheduler import periodic

        from . import follow_up, signals  # noqa: F401
        from .demo import load_groups_demo
        from .panels import dashboard_context, profile_context
        from .personal_data import erase_groups, export_groups
        from .services.polls import polls_close_due_task

        registry.dashboard_panel(Panel("groups.mine", "groups/panels/dashboard.html", dashboard_context, order=10))
        registry.profile_panel(Panel("groups.activity", "groups/panels/profile.html", profile_context, order=20))
        registry.data_exporter("groups", export_groups)
        registry.account_eraser("groups", erase_groups)
        registry.notification_kind("groups.mention", _("Quelqu'un me mentionne dans un forum"), "instant")
        registry.notification_kind("groups.reply", _("Réponses à mes sujets et messages"), "instant")
        registry.notification_kind("groups.watching", _("Nouveaux messages dans les sujets que je suis"), "daily")
        registry.notification_kind("groups.membership", _("Mes groupes : invitations, demandes, adhésions"), "instant")
        registry.notification_kind("groups.moderation", _("Signalements dans les groupes que je modère"), "instant")
        registry.demo_loader("groups", load_groups_demo, order=30)
        registry.audience_provider("groups", follow_up.group_audiences)
        follow_up.register()
        periodic("groups.polls_close_due", polls_close_due_task, timedelta(minutes=5))
