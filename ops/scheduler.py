"""Periodic jobs: idempotent tasks enqueued on a schedule.

Apps register jobs in ``AppConfig.ready()`` with ``periodic(key, task, every)``. The
``run_periodic`` command enqueues the jobs that are due; ``make run`` and the production
systemd timer call it every minute (``--loop`` keeps it running). A conditional update on
``PeriodicRun`` makes sure two schedulers never start one job twice in the same window.

A run is claimed and its task enqueued in one transaction (a scheduler killed in between leaves
neither). The scheduler remembers the task of the last run: while it waits or runs, the job is
not enqueued again (no pile-up when the workers are down; a run whose worker died is freed by the
reaper, ops/workers.py); when it failed, the job is retried after a backoff (1, 2, 4… minutes,
never longer than its period) and ``failures`` counts the failures in a row (staff see them in
the Django admin, "Tâches périodiques").
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import PeriodicRun

RETRY_BASE = timedelta(minutes=1)
PENDING = {TaskResultStatus.READY, TaskResultStatus.RUNNING}


@dataclass(frozen=True)
class PeriodicJob:
    key: str
    task: object
    every: timedelta


JOBS: dict[str, PeriodicJob] = {}


def periodic(key: str, task, every: timedelta) -> None:
    JOBS[key] = PeriodicJob(key, task, every)


def retry_delay(job: PeriodicJob, failures: int) -> timedelta:
    """How long after a failed run the job runs again: doubling from one minute, capped by its period."""
    return min(job.every, RETRY_BASE * 2 ** max(failures - 1, 0))


def _outcomes(runs: list[PeriodicRun]) -> dict[str, str]:
    """Status of each run's last task, by task id (none when the backend keeps no results)."""
    ids = [run.last_result_id for run in runs if run.last_result_id]
    if not ids:
        return {}
    return {str(pk): status for pk, status in DBTaskResult.objects.filter(pk__in=ids).values_list("pk", "status")}


def _record_outcome(run: PeriodicRun, status: str) -> None:
    """Note the end of the last run once: failures in a row grow on FAILED, reset on SUCCESSFUL."""
    if not status or status in PENDING or status == run.last_status:
        return
    failures = run.failures + 1 if status == TaskResultStatus.FAILED else 0
    PeriodicRun.objects.filter(pk=run.pk, last_result_id=run.last_result_id).update(last_status=status, failures=failures)
    run.last_status, run.failures = status, failures


def run_due_jobs(*, now=None, force: bool = False) -> list[str]:
    """Enqueue every job whose period has passed (or whose retry delay has, after a failure); a
    conditional update claims each run, so two schedulers never enqueue one job twice in a
    window. Returns the keys enqueued."""
    now = now or timezone.now()
    for job in JOBS.values():
        PeriodicRun.objects.get_or_create(key=job.key)
    runs = {run.key: run for run in PeriodicRun.objects.filter(key__in=list(JOBS))}
    outcomes = _outcomes(list(runs.values()))
    started = []
    for job in JOBS.values():
        run = runs[job.key]
        status = outcomes.get(run.last_result_id, "")
        _record_outcome(run, status)
        if not force:
            if status in PENDING:
                continue  # still waiting or running: never pile up
            wait = retry_delay(job, run.failures) if run.last_status == TaskResultStatus.FAILED else job.every
            if run.last_run_at and run.last_run_at > now - wait:
                continue
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(pk=run.pk, last_run_at=run.last_run_at).update(last_run_at=now)
            if not claimed:
                continue
            result = job.task.enqueue()
            result_id = str(getattr(result, "id", "") or "")
            PeriodicRun.objects.filter(pk=run.pk).update(last_result_id=result_id, last_status=TaskResultStatus.READY if result_id else "")
        started.append(job.key)
    return started
