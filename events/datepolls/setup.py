"""Date polls' registrations (called from ``EventsConfig.ready``)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from common.registry import Panel, registry
from ops.scheduler import periodic

from .demo import load_datepolls_demo
from .panels import group_context
from .personal_data import erase_datepolls, export_datepolls
from .tasks import datepoll_guests_purge_task, datepolls_close_due_task


def register() -> None:
    registry.notification_kind("events.datepoll", _("Sondages de dates : invitations, clôture, date retenue"), "instant")
    registry.group_panel(Panel("events.datepolls", "events/panels/group_datepolls.html", group_context, order=22))
    registry.data_exporter("events_datepolls", export_datepolls)
    registry.account_eraser("events_datepolls", erase_datepolls)
    registry.demo_loader("events_datepolls", load_datepolls_demo, order=65)
    periodic("events.datepolls_close", datepolls_close_due_task, timedelta(minutes=5))
    periodic("events.datepolls_purge_guests", datepoll_guests_purge_task, timedelta(hours=6))
