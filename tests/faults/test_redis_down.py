"""Redis stops while members post: posts are saved, pages still answer, and a websocket client
that reconnects after Redis returns and asks for what it missed gets every post — nothing lost.

The web process is a real uvicorn subprocess whose channel layer and cache point at a private
redis-server that the test stops and starts again (the shared Redis is never touched).
"""

import asyncio
import json

import pytest
from django.conf import settings
from django.db import connections

from groups import services
from groups.models import Post
from tests.factories import UserFactory
from tests.groups.factories import make_group
from tests.liveserver import django_env, session_cookie, shared_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…): fault tests run against real servers",
    ),
]

RECV_TIMEOUT = 20


async def _recv(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT))


async def _sync(ws, last_id):
    """Ask for everything after ``last_id``; return the post ids received before "synced"."""
    await ws.send(json.dumps({"type": "since", "last_id": last_id}))
    ids = []
    while True:
        message = await _recv(ws)
        if message["type"] == "synced":
            return ids
        if message["type"] == "post":
            ids.append(message["post_id"])


def test_posts_survive_a_redis_outage_and_clients_resync(private_redis, servers):
    import requests
    import websockets

    author, reader = UserFactory(), UserFactory()
    group = make_group(owner=author, members=[reader])
    topic = services.topic_create(group=group, actor=author, title="Panne de Redis", body="Premier message")
    first_id = Post.objects.get(topic=topic).pk
    port = servers.uvicorn(django_env(DATABASE_URL=shared_database_url(), REDIS_URL=private_redis.url))
    base = f"http://127.0.0.1:{port}"
    topic_url = f"{base}/groupes/{group.slug}/sujets/{topic.pk}/"
    ws_url = f"ws://127.0.0.1:{port}/ws/groupes/{group.slug}/sujets/{topic.pk}/"
    ws_headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie(reader)}", "Origin": base}

    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, session_cookie(author))
    assert http.get(topic_url, timeout=30).status_code == 200
    csrf = {"X-CSRFToken": http.cookies.get("csrftoken"), "Referer": f"{base}/"}

    def post(body):
        """Reply through the real form; runs in a worker thread, so it closes its own connection."""
        response = http.post(f"{topic_url}repondre/", data={"body": body}, headers=csrf, allow_redirects=False, timeout=60)
        assert response.status_code == 302, (response.status_code, servers.log("web")[-3000:])
        try:
            return Post.objects.get(topic=topic, body=body).pk
        finally:
            connections.close_all()

    def failed_login():
        """A wrong password: the form again (200), after allauth's rate limit read the cache."""
        visitor = requests.Session()
        visitor.get(f"{base}/compte/login/", timeout=30)
        response = visitor.post(
            f"{base}/compte/login/",
            data={"login": author.email, "password": "pas le bon mot de passe"},
            headers={"X-CSRFToken": visitor.cookies.get("csrftoken"), "Referer": f"{base}/"},
            allow_redirects=False,
            timeout=60,
        )
        return response.status_code

    async def connect():
        """Connect as the forum page's script does, retrying while the server refuses."""
        for _attempt in range(40):
            try:
                return await websockets.connect(ws_url, additional_headers=ws_headers, open_timeout=10)
            except (OSError, websockets.exceptions.WebSocketException):
                await asyncio.sleep(0.5)
        raise AssertionError("the websocket never reconnected")

    async def scenario():
        ws = await connect()
        assert await _sync(ws, first_id) == []
        before = await asyncio.to_thread(post, "Avant la panne")
        assert (await _recv(ws))["post_id"] == before  # live, through Redis
        last_seen = before

        private_redis.stop()
        during = [await asyncio.to_thread(post, f"Pendant la panne n°{n}") for n in range(3)]
        page = await asyncio.to_thread(http.get, topic_url, timeout=30)
        assert page.status_code == 200 and "Pendant la panne n°2" in page.text  # pages still work without Redis
        assert await asyncio.to_thread(failed_login) == 200  # the login throttle counts in the cache: it must not 500

        private_redis.start()
        # The page's script reconnects when its socket closes; reconnect the same way now (a
        # socket left open across a Redis restart would have lost its group membership).
        await ws.close()
        ws = await connect()
        missed = await _sync(ws, last_seen)
        after = await asyncio.to_thread(post, "Après le retour de Redis")
        live = await _recv(ws)
        await ws.close()
        return during, missed, after, live

    during, missed, after, live = asyncio.run(scenario())

    assert missed == during  # every post made while Redis was down, in order, once
    assert live["type"] == "post" and live["post_id"] == after  # live updates work again without restarting the app
    bodies = list(Post.objects.filter(topic=topic).order_by("pk").values_list("body", flat=True))
    assert bodies == ["Premier message", "Avant la panne", *[f"Pendant la panne n°{n}" for n in range(3)], "Après le retour de Redis"]
