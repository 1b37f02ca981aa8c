"""Minutes' registrations (called from ``EventsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from common.registry import registry

from .demo import load_minutes_demo
from .follow_up import register as register_origin
from .personal_data import erase_minutes, export_minutes


def register() -> None:
    registry.notification_kind("events.minutes", _("Comptes rendus : relecture, réponses à mes propositions, publication"), "instant")
    registry.data_exporter("events_minutes", export_minutes)
    registry.account_eraser("events_minutes", erase_minutes)
    registry.demo_loader("events_minutes", load_minutes_demo, order=70)
    register_origin()
