"""Leases, heartbeats and the reaper: no task stays RUNNING for ever (issue 18, item 5)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from community.outbox import outbox_sweep_task
from ops import scheduler, workers
from ops.models import WorkerHeartbeat
from ops.workers import Heartbeat, task_not_retried, tasks_reap, worker_heartbeat, workers_alive

pytestmark = pytest.mark.django_db

LEASE = 120  # seconds (settings.TASKS_LEASE_SECONDS by default)


def _task_row(task=outbox_sweep_task, **fields) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path=task.module_path, backend_name="default", run_after=get_date_max(), **fields
    )


def _running(*, started_ago: float, worker_ids=("w-1",), task=outbox_sweep_task) -> DBTaskResult:
    started = timezone.now() - timedelta(seconds=started_ago)
    return _task_row(task, status=TaskResultStatus.RUNNING, started_at=started, worker_ids=list(worker_ids))


@pytest.fixture(autouse=True)
def _lease(settings, monkeypatch):
    settings.TASKS_LEASE_SECONDS = LEASE
    settings.TASKS_MAX_ATTEMPTS = 3
    monkeypatch.setattr(workers, "NOT_RETRIED", set())


def test_task_of_a_dead_worker_is_queued_again_after_the_lease_then_runs():
    lost = _running(started_ago=LEASE + 5)
    report = tasks_reap()
    assert report.requeued == [str(lost.pk)] and report.failed == []
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.READY and lost.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()  # a worker will take it
    assert lost.worker_ids == ["w-1"]  # one entry per attempt: the next claim adds the next one


def test_within_the_lease_or_with_a_live_worker_the_task_is_left_running():
    recent = _running(started_ago=LEASE - 10)
    long_task = _running(started_ago=LEASE * 10, worker_ids=["w-alive"])
    worker_heartbeat(worker_id="w-alive")
    assert tasks_reap().requeued == []
    assert set(DBTaskResult.objects.running().values_list("pk", flat=True)) == {recent.pk, long_task.pk}


def test_heartbeat_older_than_the_lease_means_lost():
    task = _running(started_ago=LEASE * 3, worker_ids=["w-old"])
    worker_heartbeat(worker_id="w-old", now=timezone.now() - timedelta(seconds=LEASE + 1))
    assert tasks_reap().requeued == [str(task.pk)]


def test_after_the_last_attempt_the_task_is_failed_with_the_reason():
    task = _running(started_ago=LEASE + 5, worker_ids=["w-1", "w-2", "w-3"])
    report = tasks_reap()
    assert report.failed == [str(task.pk)] and report.requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and task.finished_at is not None
    assert task.exception_class_path == "ops.workers.WorkerLost"
    assert "attempt 3" in task.traceback
    assert task.task_result.errors[0].exception_class_path == "ops.workers.WorkerLost"


def test_a_task_declared_not_retried_is_failed_at_once():
    task_not_retried(outbox_sweep_task)
    task = _running(started_ago=LEASE + 5)
    assert tasks_reap().failed == [str(task.pk)]
    assert "not retried" in DBTaskResult.objects.get(pk=task.pk).traceback


def test_reaping_twice_changes_nothing_more():
    task = _running(started_ago=LEASE + 5)
    assert tasks_reap().requeued == [str(task.pk)]
    assert tasks_reap().requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


def test_heartbeats_record_the_worker_and_forget_it_on_a_clean_stop():
    worker_heartbeat(worker_id="w-9")
    beat = WorkerHeartbeat.objects.get(worker_id="w-9")
    assert beat.pid > 0 and beat.hostname
    later = timezone.now() + timedelta(seconds=30)
    worker_heartbeat(worker_id="w-9", now=later)
    assert WorkerHeartbeat.objects.get(worker_id="w-9").seen_at == later
    assert list(workers_alive(now=later).values_list("worker_id", flat=True)) == ["w-9"]
    assert not workers_alive(now=later + timedelta(seconds=LEASE + 1)).exists()
    Heartbeat("w-9").stop()  # never started: stop() still forgets the row
    assert not WorkerHeartbeat.objects.exists()


def test_workers_gone_for_a_day_are_forgotten():
    worker_heartbeat(worker_id="w-gone", now=timezone.now() - timedelta(days=2))
    tasks_reap()
    assert not WorkerHeartbeat.objects.exists()


def test_a_heartbeat_beat_writes_and_reaps():
    lost = _running(started_ago=LEASE + 5)
    Heartbeat("w-beat").beat(0)
    assert WorkerHeartbeat.objects.filter(worker_id="w-beat").exists()
    assert DBTaskResult.objects.get(pk=lost.pk).status == TaskResultStatus.READY


def test_run_periodic_frees_lost_tasks(monkeypatch):
    monkeypatch.setattr(scheduler, "JOBS", {})
    lost = _running(started_ago=LEASE + 5)
    call_command("run_periodic")
    assert DBTaskResult.objects.get(pk=lost.pk).status == TaskResultStatus.READY


def _finished(status, *, ago: timedelta) -> DBTaskResult:
    finished = timezone.now() - ago
    return _task_row(
        status=status, enqueued_at=finished - timedelta(seconds=2), started_at=finished - timedelta(seconds=1), finished_at=finished
    )


def test_finished_results_are_pruned_after_their_time_and_nothing_else(monkeypatch):
    day = timedelta(days=1)
    old_ok, recent_ok = _finished(TaskResultStatus.SUCCESSFUL, ago=8 * day), _finished(TaskResultStatus.SUCCESSFUL, ago=6 * day)
    old_failure, recent_failure = _finished(TaskResultStatus.FAILED, ago=31 * day), _finished(TaskResultStatus.FAILED, ago=8 * day)
    waiting = _task_row(enqueued_at=timezone.now() - 60 * day)
    running = _running(started_ago=60 * 86400)
    monkeypatch.setattr(workers, "PRUNE_BATCH", 1)  # one row a statement: the batches add up
    assert workers.task_results_prune() == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent_ok.pk, recent_failure.pk, waiting.pk, running.pk}
    assert old_ok.pk not in left and old_failure.pk not in left
    assert workers.task_results_prune() == 0  # idempotent


def test_a_prune_run_deletes_at_most_its_batches_and_the_next_run_goes_on(monkeypatch):
    for _ in range(5):
        _finished(TaskResultStatus.SUCCESSFUL, ago=timedelta(days=9))
    monkeypatch.setattr(workers, "PRUNE_BATCH", 2)
    assert workers.task_results_prune(batches=2) == 4
    assert workers.task_results_prune(batches=2) == 1 and not DBTaskResult.objects.exists()


def test_the_prune_is_a_periodic_job():
    from ops.tasks import task_results_prune_task

    job = scheduler.JOBS["ops.task_results_prune"]
    assert job.task is task_results_prune_task and job.every == timedelta(hours=6)
