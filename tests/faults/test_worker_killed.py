"""A task worker is killed (SIGKILL) in the middle of a batch of funding alerts; its task stays
RUNNING only until the lease passes: a new worker gives it back to the queue (ops/workers.py) and
runs it again, with nothing enqueued anew: every alert — digest e-mail or in-app notification (with
its e-mail when the member asked for one) — reaches its member exactly once, none twice, none
missing, and no task is left RUNNING.

The worker is a real ``task_worker`` subprocess (tests/faults/slow_worker.py slows the batch so
the kill lands in it) on the test database; e-mails go over SMTP to a local sink.
"""

import os
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from notifications.models import Notification

from community.models import OutboundEmail
from community.notifications import preferences_update
from funding import services
from funding.filters import CallFilters
from funding.models import AlertDelivery, FundingCall, Watch
from ops.models import WorkerHeartbeat
from tests.factories import UserFactory
from tests.funding.factories import make_call
from tests.liveserver import django_env, shared_database_url, stop_process, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…): fault tests run against real servers",
    ),
]

DAILY, INSTANT, INSTANT_WITH_EMAIL = 24, 6, 6
LEASE = 2  # seconds: TASKS_LEASE_SECONDS of both workers (120 by default)


def _watch(user, frequency):
    watch = services.watch_create(
        actor=user, name=f"Veille {user.pk}", filters=CallFilters.from_criteria({"themes": ["inclusion_numerique"]}), frequency=frequency
    )
    if frequency == "daily":
        watch = services.watch_confirm_email(token=services.watch_token(watch, services.CONFIRM_SALT))
    return watch


def test_worker_killed_mid_batch_then_rerun_sends_each_alert_once(servers, smtp_sink):
    smtp_sink.start()
    daily = [_watch(UserFactory(), "daily") for _ in range(DAILY)]
    instant = [_watch(UserFactory(), "instant") for _ in range(INSTANT + INSTANT_WITH_EMAIL)]
    for watch in instant[INSTANT:]:
        preferences_update(actor=watch.user, choices={"funding.alert": "instant"})
    calls = [make_call(title=f"Appel pour la panne de worker {n}") for n in range(3)]
    # Published an hour ago, watched since two: every watch is due, past the settle delay.
    FundingCall.objects.filter(pk__in=[c.pk for c in calls]).update(published_at=timezone.now() - timedelta(hours=1))
    Watch.objects.update(cursor=timezone.now() - timedelta(hours=2))
    OutboundEmail.objects.exclude(kind="funding.alert").delete()  # the opt-in e-mails are not under test

    env = django_env(
        DATABASE_URL=shared_database_url(), REDIS_URL="", EMAIL_URL=f"smtp://127.0.0.1:{smtp_sink.port}", TASKS_LEASE_SECONDS=str(LEASE)
    )
    first = servers.python(["-m", "tests.faults.slow_worker", "--enqueue"], {**env, "FAULTS_ALERT_DELAY": "0.25"}, "worker-1")
    wait_for(lambda: first.poll() is not None or AlertDelivery.objects.count() >= 5, timeout=240, interval=0.05, what="the batch to start")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL, servers.log("worker-1")[-3000:]
    interrupted = AlertDelivery.objects.count()
    assert 5 <= interrupted < DAILY  # killed in the middle of the daily batch
    killed = DBTaskResult.objects.get(task_path__endswith="alerts_daily_task")
    assert killed.status == "RUNNING" and len(killed.worker_ids) == 1  # left as it died
    last_beat = WorkerHeartbeat.objects.get(worker_id=killed.worker_ids[0]).seen_at  # its last beat stays, ageing
    # Past the lease, the next worker frees the task at start and runs it again: nothing new is enqueued.
    wait_for(lambda: timezone.now() - last_beat > timedelta(seconds=LEASE + 0.5), timeout=30, what="the lease to pass")
    second = servers.python(["-m", "tests.faults.slow_worker", "--batch"], env, "worker-2")
    second.wait(timeout=240)
    assert second.returncode == 0, servers.log("worker-2")[-3000:]
    stop_process(second)

    killed.refresh_from_db()
    assert killed.status == "SUCCESSFUL" and len(killed.worker_ids) == 2  # the same task, a second attempt
    assert not DBTaskResult.objects.filter(status__in=["RUNNING", "READY"]).exists()
    assert not WorkerHeartbeat.objects.exclude(worker_id=killed.worker_ids[0]).exists()  # worker-2 left cleanly
    # Every watch alerted once.
    per_watch = Counter(AlertDelivery.objects.values_list("watch_id", flat=True))
    assert per_watch == Counter({w.pk: 1 for w in daily + instant})
    # In-app: one notification per instant watch.
    alerts = Notification.objects.filter(data__kind="funding.alert")
    assert Counter(alerts.values_list("recipient_id", flat=True)) == Counter({w.user_id: 1 for w in instant})
    # E-mail: one per daily watch and per member who wants alerts by e-mail, sent, received once.
    expected = Counter({w.user.email: 1 for w in daily + instant[INSTANT:]})
    outbox = OutboundEmail.objects.filter(kind="funding.alert")
    assert Counter(outbox.values_list("to_email", flat=True)) == expected
    assert set(outbox.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
    received = Counter(m["To"] for m in smtp_sink.messages)
    assert received == expected
    assert sorted(m["Message-ID"] for m in smtp_sink.messages) == sorted(
        f"<outbox-{pk}@maillage>" for pk in outbox.values_list("pk", flat=True)
    )
