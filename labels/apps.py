from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from common.registry import Panel, registry


class LabelsConfig(AppConfig):
    name = "labels"
    verbose_name = _("Label régional")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at module level: these modules import models, which Django only
        # allows once the app registry is ready.
        from ops.scheduler import periodic

        from . import panels
        from .demo import load_demo
        from .personal_data import erase_labels, export_labels
        from .tasks import labels_daily_task

        registry.notification_kind("labels.workflow", _("Label : suivi de mes candidatures"), "instant")
        registry.notification_kind("labels.review", _("Label : évaluations qui me sont confiées"), "instant")
        registry.notification_kind("labels.renewal", _("Label : échéances et renouvellement"), "in_app")
        registry.notification_kind("labels.badge", _("Badges reçus"), "instant")
        registry.data_exporter("labels", export_labels)
        registry.account_eraser("labels", erase_labels)
        registry.dashboard_panel(Panel("labels.applications", "labels/panels/my_applications.html", panels.my_applications, order=60))
        registry.dashboard_panel(Panel("labels.reviews", "labels/panels/my_reviews.html", panels.my_reviews, order=61))
        registry.profile_panel(Panel("labels.badges", "labels/panels/profile_badges.html", panels.profile_badges, order=50))
        registry.demo_loader("labels", load_demo, order=200)
        periodic("labels.daily", labels_daily_task, timedelta(hours=12))
