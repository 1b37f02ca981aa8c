"""Periodic runs: never piled up while one waits or runs, retried with backoff after a failure,
claimed and enqueued together (issue 18, item 5)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from community.outbox import outbox_sweep_task
from ops import scheduler
from ops.models import PeriodicRun

pytestmark = pytest.mark.django_db


class _DbTask:
    """Enqueues like the database backend: one DBTaskResult row per run."""

    def __init__(self, *, fail_enqueue=False):
        self.rows = []
        self.fail_enqueue = fail_enqueue

    def enqueue(self):
        row = DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path=outbox_sweep_task.module_path,
            backend_name="default",
            run_after=get_date_max(),
        )
        if self.fail_enqueue:
            raise RuntimeError("scheduler killed after the claim")
        self.rows.append(row)
        return SimpleNamespace(id=str(row.pk))

    def finish(self, status):
        DBTaskResult.objects.filter(pk=self.rows[-1].pk).update(status=status, finished_at=timezone.now())


@pytest.fixture
def job(monkeypatch):
    task = _DbTask()
    monkeypatch.setattr(scheduler, "JOBS", {})
    scheduler.periodic("test.hourly", task, timedelta(hours=1))
    return task


def test_a_run_still_waiting_or_running_is_not_enqueued_again(job):
    now = timezone.now()
    assert scheduler.run_due_jobs(now=now) == ["test.hourly"]
    assert scheduler.run_due_jobs(now=now + timedelta(hours=3)) == []  # workers down: no pile-up
    job.finish(TaskResultStatus.RUNNING)
    assert scheduler.run_due_jobs(now=now + timedelta(hours=4)) == []
    job.finish(TaskResultStatus.SUCCESSFUL)
    assert scheduler.run_due_jobs(now=now + timedelta(hours=5)) == ["test.hourly"]
    run = PeriodicRun.objects.get(key="test.hourly")
    assert run.last_result_id == str(job.rows[-1].pk) and run.failures == 0 and run.last_status == TaskResultStatus.READY


def test_failed_runs_are_retried_with_a_growing_delay_capped_by_the_period(job):
    now = timezone.now()
    scheduler.run_due_jobs(now=now)
    job.finish(TaskResultStatus.FAILED)
    assert scheduler.run_due_jobs(now=now + timedelta(seconds=30)) == []  # recorded, not yet due
    run = PeriodicRun.objects.get(key="test.hourly")
    assert (run.last_status, run.failures) == (TaskResultStatus.FAILED, 1)
    assert scheduler.run_due_jobs(now=now + timedelta(minutes=1)) == ["test.hourly"]  # 1 min after one failure
    job.finish(TaskResultStatus.FAILED)
    second = now + timedelta(minutes=1)
    assert scheduler.run_due_jobs(now=second + timedelta(seconds=90)) == []
    assert scheduler.run_due_jobs(now=second + timedelta(minutes=2)) == ["test.hourly"]  # 2 min after two
    assert PeriodicRun.objects.get(key="test.hourly").failures == 2
    job.finish(TaskResultStatus.SUCCESSFUL)
    assert scheduler.run_due_jobs(now=second + timedelta(minutes=30)) == []  # back to the hourly period
    assert PeriodicRun.objects.get(key="test.hourly").failures == 0


def test_retry_delay_doubles_up_to_the_period():
    job = scheduler.PeriodicJob("k", None, timedelta(minutes=10))
    assert [scheduler.retry_delay(job, n).total_seconds() / 60 for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 10]


def test_claim_and_enqueue_are_one_transaction(monkeypatch):
    task = _DbTask(fail_enqueue=True)
    monkeypatch.setattr(scheduler, "JOBS", {})
    scheduler.periodic("test.crash", task, timedelta(hours=1))
    with pytest.raises(RuntimeError):
        scheduler.run_due_jobs()
    run = PeriodicRun.objects.get(key="test.crash")
    assert run.last_run_at is None and not DBTaskResult.objects.exists()  # neither claimed nor half-enqueued
    task.fail_enqueue = False
    assert scheduler.run_due_jobs() == ["test.crash"]
