"""/readyz: 200 only when the database, Redis (when configured) and a task worker are fine; 503
naming the failing part, with no secret (issue 18, item 6). /healthz stays liveness."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from ops import health
from ops.workers import worker_heartbeat

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def with_workers(settings):
    """Production-like tasks: the database backend, so a worker must be alive."""
    settings.TASKS = DB_TASKS
    settings.TASKS_LEASE_SECONDS = 120


def _ready(client, status):
    response = client.get("/readyz")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.json()


def test_ready_when_every_part_is_fine(client, with_workers, settings):
    worker_heartbeat(worker_id="w-1")
    body = _ready(client, 200)
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"] == {"database": "ok", "redis": "ok" if settings.REDIS_URL else "skipped", "worker": "ok"}


def test_without_redis_configured_redis_is_skipped(client, with_workers, settings):
    settings.REDIS_URL = ""
    worker_heartbeat(worker_id="w-1")
    assert _ready(client, 200)["checks"]["redis"] == "skipped"


def test_inline_tasks_need_no_worker(client):
    assert _ready(client, 200)["checks"]["worker"] == "skipped"  # the test settings run tasks inline


def test_no_worker_heartbeat_is_503(client, with_workers):
    body = _ready(client, 503)
    assert body["status"] == "unavailable" and body["failing"] == ["worker"]
    assert body["checks"]["worker"] == "no heartbeat in the last 120 s"


def test_a_heartbeat_older_than_the_lease_is_503(client, with_workers):
    worker_heartbeat(worker_id="w-old", now=timezone.now() - timedelta(seconds=121))
    assert _ready(client, 503)["failing"] == ["worker"]


def test_redis_down_is_503_without_its_address(client, with_workers, settings):
    settings.REDIS_URL = "redis://:s3cret-password@127.0.0.1:1/0"  # nothing listens on port 1
    worker_heartbeat(worker_id="w-1")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"] and body["checks"]["redis"].startswith("error: ")
    assert body["checks"]["database"] == "ok" and body["checks"]["worker"] == "ok"
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_database_down_is_503_without_the_error_message(client, with_workers, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed: password for user "maillage"')

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database", "worker"]
    assert body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["worker"] == "unknown: database unavailable"
    for secret in (b"db.internal", b"10.0.0.5", b"maillage", b"password"):
        assert secret not in response.content


def test_a_failing_worker_query_is_503(client, with_workers, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("relation ops_workerheartbeat does not exist")

    monkeypatch.setattr(health, "workers_alive", broken)
    body = _ready(client, 503)
    assert body["failing"] == ["worker"] and body["checks"]["worker"] == "error: OperationalError"


def test_healthz_is_liveness_only(client, with_workers, monkeypatch):
    monkeypatch.setattr(health, "connection", None)  # touching the database would fail
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
