"""Periodic jobs: idempotent tasks enqueued on a schedule.

Apps register jobs in ``AppConfig.ready()`` with ``periodic(key, task, every)``. The
``run_periodic`` command enqueues the jobs that are due; ``make run`` and the production
systemd timer call it every minute (``--loop`` keeps it running). A conditional update on
``PeriodicRun`` makes sure two schedulers never start one job twice in the same window.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from .models import PeriodicRun


@dataclass(frozen=True)
class PeriodicJob:
    key: str
    task: object
    every: timedelta


JOBS: dict[str, PeriodicJob] = {}


def periodic(key: str, task, every: timedelta) -> None:
    JOBS[key] = PeriodicJob(key, task, every)


def run_due_jobs(*, now=None, force: bool = False) -> list[str]:
    """Enqueue every job whose period has passed; a conditional update claims each run, so two
    schedulers never enqueue one job twice in a window. Returns the keys enqueued."""
    now = now or timezone.now()
    started = []
    for job in JOBS.values():
        run, _ = PeriodicRun.objects.get_or_create(key=job.key)
        if not force and run.last_run_at and run.last_run_at > now - job.every:
            continue
        claimed = PeriodicRun.objects.filter(pk=run.pk, last_run_at=run.last_run_at).update(last_run_at=now)
        if claimed:
            job.task.enqueue()
            started.append(job.key)
    return started
