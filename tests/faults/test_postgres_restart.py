"""PostgreSQL restarts under a running web process: requests fail cleanly (503 with Retry-After,
quickly, with the "come back in a few seconds" page) only while it is down, and succeed again as soon as it is back — the first request
after the restart included — without restarting the app.

Two web processes run side by side, one per way of holding connections: a psycopg pool
(``DATABASE_POOL``, connections checked on checkout) and Django's persistent connections
(``CONN_MAX_AGE`` with ``CONN_HEALTH_CHECKS``, hub/settings/base.py). Under ASGI each request
runs in a fresh thread, so the persistent mode opens a connection per request anyway; the pool
is the mode where a broken connection could be handed out after the restart. The database is a
private cluster (the shared one is never restarted).
"""

import pytest
from django.conf import settings

from groups import services
from tests.factories import UserFactory
from tests.groups.factories import make_group
from tests.liveserver import django_env, session_cookie

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…): fault tests run against real servers",
    ),
]

REQUESTS_PER_PHASE = 3
# Two ways a web process may hold its connections: a psycopg pool (DATABASE_POOL, checked on
# checkout) and Django's persistent connections (CONN_MAX_AGE with CONN_HEALTH_CHECKS). Where the
# settings know only one of them, both processes run it: the test still holds.
MODES = {
    "pool": {"DATABASE_POOL": "true", "DATABASE_POOL_TIMEOUT": "2"},
    "persistent": {"DATABASE_POOL": "false", "CONN_MAX_AGE": "60"},
}


def test_requests_fail_only_while_postgres_is_down(private_postgres, servers):
    import requests

    member = UserFactory()
    group = make_group(owner=member)
    topic = services.topic_create(group=group, actor=member, title="Redémarrage de PostgreSQL", body="Toujours là")
    cookie = session_cookie(member)
    database_url = private_postgres.clone_test_database("maillage_restart")  # the member, their session and topic come along
    ports = {mode: servers.uvicorn(django_env(DATABASE_URL=database_url, REDIS_URL="", **env), name=mode) for mode, env in MODES.items()}
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, cookie)

    def statuses():
        """Status codes of a few page views on each process; the first response."""
        codes, first = {}, {}
        for mode, port in ports.items():
            responses = [
                http.get(f"http://127.0.0.1:{port}/groupes/{group.slug}/sujets/{topic.pk}/", timeout=60) for _ in range(REQUESTS_PER_PHASE)
            ]
            codes[mode], first[mode] = [r.status_code for r in responses], responses[0]
        return codes, first

    ok, unavailable = [200] * REQUESTS_PER_PHASE, [503] * REQUESTS_PER_PHASE
    before, texts = statuses()
    assert before == {"pool": ok, "persistent": ok}
    assert all("Toujours là" in r.text for r in texts.values())

    private_postgres.stop("fast")
    try:
        during, texts = statuses()
        assert during == {"pool": unavailable, "persistent": unavailable}  # clean, no hang, no dropped socket
        assert all("Réessayez dans quelques secondes" in r.text and r.headers["Retry-After"] == "5" for r in texts.values())
        for port in ports.values():
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200  # the process itself is fine
    finally:
        private_postgres.start()

    after, texts = statuses()
    # From the very first request after the restart, on the same processes.
    assert after == {"pool": ok, "persistent": ok}, servers.log("pool")[-2000:] + servers.log("persistent")[-2000:]
    assert all("Toujours là" in r.text for r in texts.values())
    assert all(proc.poll() is None for proc in servers.procs)  # never restarted
