"""Two ASGI server processes sharing the Redis channel layer: a post made through process B
reaches a websocket client connected to process A. Runs only on PostgreSQL + Redis (the
subprocesses need a database and a channel layer they can share with the test)."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from groups.models import Post
from tests.factories import UserFactory
from tests.groups.factories import make_group

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…): SQLite and the in-memory layer cannot be shared by two processes",
    ),
]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(port, env):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hub.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--lifespan",
            "off",
            "--ws",
            "websockets-sansio",
        ],
        cwd=ROOT,
        env=env,
    )
    import requests

    deadline = time.monotonic() + 300  # a busy machine imports Django + Wagtail slowly
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def _cookie(user):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def test_post_through_process_b_reaches_client_on_process_a():
    import requests
    import websockets

    author, reader = UserFactory(), UserFactory()
    group = make_group(owner=author, members=[reader])
    from groups import services

    topic = services.topic_create(group=group, actor=author, title="Deux processus", body="b")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # session auth hashes must match the test's
        "CONN_MAX_AGE": "0",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    port_a, port_b = _free_port(), _free_port()
    procs = [_start(port_a, env), _start(port_b, env)]
    reader_cookie, author_cookie = _cookie(reader), _cookie(author)
    try:
        # Process B: the author replies through the real form (CSRF included).
        http = requests.Session()
        http.cookies.set(settings.SESSION_COOKIE_NAME, author_cookie)
        page = http.get(f"http://127.0.0.1:{port_b}/groupes/{group.slug}/sujets/{topic.pk}/")
        assert page.status_code == 200
        token = http.cookies.get("csrftoken")

        async def scenario():
            url = f"ws://127.0.0.1:{port_a}/ws/groupes/{group.slug}/sujets/{topic.pk}/"
            headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={reader_cookie}", "Origin": f"http://127.0.0.1:{port_a}"}
            async with websockets.connect(url, additional_headers=headers) as ws:
                await ws.send(json.dumps({"type": "since", "last_id": 10**12}))
                assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "synced"
                response = await asyncio.to_thread(
                    http.post,
                    f"http://127.0.0.1:{port_b}/groupes/{group.slug}/sujets/{topic.pk}/repondre/",
                    data={"body": "Envoyé par le processus B"},
                    headers={"X-CSRFToken": token, "Referer": f"http://127.0.0.1:{port_b}/"},
                    allow_redirects=False,
                )
                assert response.status_code == 302, response.status_code
                return json.loads(await asyncio.wait_for(ws.recv(), 10))

        message = asyncio.run(scenario())
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=15)
    post = Post.objects.get(body="Envoyé par le processus B")
    assert message["type"] == "post" and message["post_id"] == post.pk and "Envoyé par le processus B" in message["html"]
