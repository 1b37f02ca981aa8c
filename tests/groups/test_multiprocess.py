"""Two ASGI server processes sharing the Redis channel layer: a post made through process B
reaches a websocket client connected to process A. Runs only on PostgreSQL + Redis (the
subprocesses need a database and a channel layer they can share with the test)."""

import asyncio
import json

import pytest
from django.conf import settings

from groups.models import Post
from tests.factories import UserFactory
from tests.groups.factories import make_group
from tests.liveserver import django_env, session_cookie, shared_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…): SQLite and the in-memory layer cannot be shared by two processes",
    ),
]


def test_post_through_process_b_reaches_client_on_process_a(servers):
    import requests
    import websockets

    author, reader = UserFactory(), UserFactory()
    group = make_group(owner=author, members=[reader])
    from groups import services

    topic = services.topic_create(group=group, actor=author, title="Deux processus", body="b")
    env = django_env(DATABASE_URL=shared_database_url(), REDIS_URL=settings.REDIS_URL)
    port_a, port_b = servers.uvicorn(env, name="a"), servers.uvicorn(env, name="b")
    reader_cookie, author_cookie = session_cookie(reader), session_cookie(author)
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
    post = Post.objects.get(body="Envoyé par le processus B")
    assert message["type"] == "post" and message["post_id"] == post.pk and "Envoyé par le processus B" in message["html"]
