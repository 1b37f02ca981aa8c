"""The staff status page of background work (issue 18 item 5): hub staff open it in the Django
admin and see a failing periodic job; members do not."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ops.models import PeriodicRun, WorkerHeartbeat
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_hub_staff_see_failing_jobs_and_workers_read_only(client):
    PeriodicRun.objects.create(key="funding.feeds_fetch", last_run_at=timezone.now(), last_status="FAILED", failures=3)
    WorkerHeartbeat.objects.create(worker_id="w-status", hostname="web-1", pid=42, started_at=timezone.now(), seen_at=timezone.now())
    client.force_login(StaffFactory())
    jobs = client.get(reverse("admin:ops_periodicrun_changelist"))
    assert jobs.status_code == 200
    page = jobs.content.decode()
    assert "funding.feeds_fetch" in page and "FAILED" in page
    workers = client.get(reverse("admin:ops_workerheartbeat_changelist")).content.decode()
    assert "w-status" in workers and "web-1" in workers
    # read-only: nothing to add or change
    assert client.get(reverse("admin:ops_periodicrun_add")).status_code == 403
    run = PeriodicRun.objects.get(key="funding.feeds_fetch")
    assert client.post(reverse("admin:ops_periodicrun_change", args=[run.pk]), {"failures": 0}).status_code == 403
    assert PeriodicRun.objects.get(pk=run.pk).failures == 3


def test_members_do_not_see_the_status_page(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:ops_periodicrun_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
