"""Task workers: heartbeats, leases and the reaper, so that no task stays RUNNING forever.

django_tasks_db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when the
task returns; a worker killed in between (SIGKILL, out of memory, a machine lost) leaves the row
RUNNING for ever, and nothing in the package notices. Here each worker (``manage.py
task_worker``) writes a heartbeat every few seconds; a RUNNING task whose worker has not been
seen for longer than the lease (``TASKS_LEASE_SECONDS``) and that started before it is *lost*.
The reaper gives a lost task back to the queue (same row, same id: ``worker_ids`` keeps one
entry per attempt) until ``TASKS_MAX_ATTEMPTS`` attempts, then marks it FAILED with the reason.
Tasks are idempotent by design (outbox rows, conditional updates: see ARCHITECTURE.md), so a
retry never sends an e-mail or an alert twice; a task that must never run twice is declared with
``task_not_retried(task)`` and is only marked FAILED.

Every worker reaps (at start and every few heartbeats), and so does ``run_periodic``; rows are
taken with ``SELECT … FOR UPDATE SKIP LOCKED``, so several reapers never handle a task twice.

Finished results are kept a while (staff read the failures in the admin), then deleted by the
periodic job ``ops.task_results_prune`` (``task_results_prune``): the table would otherwise grow
by every task ever run — two a minute from the scheduler alone.
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

LOST_EXCEPTION = "ops.workers.WorkerLost"
FORGET_WORKERS_AFTER = timedelta(days=1)  # heartbeats of workers gone that long are deleted
KEEP_SUCCESSFUL = timedelta(days=7)  # finished task results kept that long
KEEP_FAILED = timedelta(days=30)
PRUNE_BATCH = 5_000  # rows deleted per statement: short locks, short transactions
NOT_RETRIED: set[str] = set()


class WorkerLost(Exception):
    """The worker running a task stopped beating before the task finished."""


def task_not_retried(task) -> None:
    """Declare that ``task`` must not run again after its worker was lost (it is failed instead)."""
    NOT_RETRIED.add(task.module_path)


def lease() -> timedelta:
    return timedelta(seconds=settings.TASKS_LEASE_SECONDS)


def heartbeat_interval() -> float:
    """Seconds between heartbeats: a quarter of the lease, so that three missed beats in a row
    (a long pause of the database, say) still do not make a live worker look lost."""
    return max(settings.TASKS_LEASE_SECONDS / 4, 0.2)


# --- Heartbeats -------------------------------------------------------------------------------
def worker_heartbeat(*, worker_id: str, now=None) -> None:
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"seen_at": now},
            create_defaults={"seen_at": now, "started_at": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        )


def worker_stopped(*, worker_id: str) -> None:
    """A worker leaving cleanly forgets its heartbeat."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def workers_alive(*, now=None):
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen_at__gte=now - lease())


class Heartbeat(threading.Thread):
    """The heartbeat of one worker process, in a daemon thread (its own database connection), so
    that a long task does not stop the beats; it reaps lost tasks every ``reap_every`` beats."""

    def __init__(self, worker_id: str, *, reap_every: int = 4):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.reap_every = reap_every
        self._stop_event = threading.Event()

    def beat(self, count: int) -> None:
        try:
            worker_heartbeat(worker_id=self.worker_id)
            if count % self.reap_every == 0:
                tasks_reap()
        except DatabaseError:  # the database is away or busy: try again at the next beat
            logger.warning("worker %s: heartbeat not written", self.worker_id, exc_info=True)
            connection.close()

    def run(self) -> None:
        count = 0
        try:
            while True:
                self.beat(count)
                count += 1
                if self._stop_event.wait(heartbeat_interval()):
                    return
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=10)
        try:
            worker_stopped(worker_id=self.worker_id)
        except DatabaseError:
            logger.warning("worker %s: heartbeat not removed", self.worker_id, exc_info=True)


# --- The reaper -------------------------------------------------------------------------------
@dataclass
class ReapReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _lost_candidates(now):
    """RUNNING tasks started before the lease whose last worker has not beaten within it."""
    alive = set(workers_alive(now=now).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.running().filter(started_at__lt=now - lease()).values_list("pk", "worker_ids")
    return [pk for pk, worker_ids in running if not worker_ids or worker_ids[-1] not in alive]


def tasks_reap(*, now=None) -> ReapReport:
    """Give lost tasks back to the queue, or fail them after ``TASKS_MAX_ATTEMPTS`` attempts."""
    now = now or timezone.now()
    report = ReapReport()
    for pk in _lost_candidates(now):
        with transaction.atomic():
            row = DBTaskResult.objects.select_for_update(skip_locked=True).filter(pk=pk, status=TaskResultStatus.RUNNING).first()
            if row is None:  # finished meanwhile, or another reaper has it
                continue
            attempts = len(row.worker_ids)
            worker = row.worker_ids[-1] if row.worker_ids else "?"
            if row.task_path not in NOT_RETRIED and attempts < settings.TASKS_MAX_ATTEMPTS:
                row.status = TaskResultStatus.READY
                row.started_at = None
                row.run_after = now
                row.save(update_fields=["status", "started_at", "run_after"])
                report.requeued.append(str(pk))
                logger.warning("task %s (%s): worker %s lost during attempt %s, queued again", pk, row.task_path, worker, attempts)
                continue
            why = "not retried" if row.task_path in NOT_RETRIED else f"{attempts} attempt(s) of at most {settings.TASKS_MAX_ATTEMPTS}"
            row.status = TaskResultStatus.FAILED
            row.finished_at = now
            row.return_value = None
            row.exception_class_path = LOST_EXCEPTION
            row.traceback = (
                f"WorkerLost: worker {worker} stopped beating for more than {settings.TASKS_LEASE_SECONDS} s "
                f"during attempt {attempts} ({why})."
            )
            row.save(update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"])
            report.failed.append(str(pk))
            logger.error("task %s (%s): worker %s lost during attempt %s, failed (%s)", pk, row.task_path, worker, attempts, why)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_WORKERS_AFTER).delete()
    return report


# --- Finished results -------------------------------------------------------------------------
def task_results_prune(*, now=None, batches: int = 40) -> int:
    """Delete the results of tasks that finished long enough ago (``KEEP_SUCCESSFUL``,
    ``KEEP_FAILED``), ``PRUNE_BATCH`` rows at a time and at most ``batches`` times a run (a first
    run on a table of years catches up over the next runs). Waiting and running tasks are never
    touched. Returns the number deleted."""
    now = now or timezone.now()
    old = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCESSFUL)
        | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED)
    )
    deleted = 0
    for _ in range(batches):
        ids = list(old.values_list("pk", flat=True)[:PRUNE_BATCH])
        if not ids:
            break
        deleted += DBTaskResult.objects.filter(pk__in=ids).delete()[0]
    return deleted
