"""Minutes' registrations (called from ``EventsConfig.ready``)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from common.registry import registry
from ops.scheduler import periodic

from .demo import load_minutes_demo
from .follow_up import register as register_origin
from .personal_data import erase_minutes, export_minutes
from .tasks import minutes_rounds_close_due_task, minutes_rounds_remind_task


def register() -> None:
    registry.notification_kind("events.minutes", _("Comptes rendus : relecture, réponses à mes propositions, publication"), "instant")
    registry.notification_kind("events.minutes_reminder", _("Comptes rendus : rappel avant la fin de la relecture"), "instant")
    registry.data_exporter("events_minutes", export_minutes)
    registry.account_eraser("events_minutes", erase_minutes)
    registry.demo_loader("events_minutes", load_minutes_demo, order=70)
    register_origin()
    periodic("events.minutes_reminders", minutes_rounds_remind_task, timedelta(minutes=10))
    periodic("events.minutes_rounds_close", minutes_rounds_close_due_task, timedelta(minutes=5))
