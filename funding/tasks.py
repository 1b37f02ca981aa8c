"""Background work: polling sources, alerts, reminders, closing expired calls. All idempotent."""

from django.tasks import task

from . import services
from .models import Source, SourceKind, WatchFrequency


@task
def source_poll_task(source_id: int) -> int:
    """Poll one active source (any failure is recorded on the source)."""
    source = Source.objects.filter(pk=source_id, is_active=True).first()
    if source is None:
        return 0
    return services.source_poll(source=source).created


@task
def sources_poll_task() -> int:
    """One task per source: a slow or broken source never holds up the others."""
    ids = list(Source.objects.filter(is_active=True).exclude(kind=SourceKind.MANUAL).values_list("pk", flat=True))
    for pk in ids:
        source_poll_task.enqueue(pk)
    return len(ids)


@task
def alerts_instant_task() -> int:
    """Alert the in-app watches (every minute)."""
    return services.alerts_run(frequencies=[WatchFrequency.INSTANT]).alerts


@task
def alerts_daily_task() -> int:
    """Send the daily digests."""
    return services.alerts_run(frequencies=[WatchFrequency.DAILY]).alerts


@task
def alerts_weekly_task() -> int:
    """Send the weekly digests."""
    return services.alerts_run(frequencies=[WatchFrequency.WEEKLY]).alerts


@task
def deadlines_task() -> int:
    """Close expired calls, then remind followers of near deadlines."""
    services.calls_close_expired()
    return services.reminders_send()


@task
def partner_announcements_task() -> int:
    """Announce the consortia looking for partners not announced yet (every minute)."""
    return services.consortia_partners_announce()
