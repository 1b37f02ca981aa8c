#!/usr/bin/env python
"""Private-message delivery benchmark: a 20-member conversation on PostgreSQL + Redis.

    .venv/bin/python bench/messages.py                # 20 members, 30 messages
    .venv/bin/python bench/messages.py --rounds 100   # more messages
    .venv/bin/python bench/messages.py --workers 2    # members spread over two server processes

It uses its own database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/maillage_bench_messages``) and ``BENCH_REDIS_URL`` (default
``redis://127.0.0.1:6379/5``), starts a real ASGI server (uvicorn, ``--workers`` processes), opens
one websocket per participant the way the conversation page does (connect, send the last id seen,
wait for "synced"), then sends messages from members in turn through ``messaging.services``
(the same call the view makes) and prints, from commit to arrival at each participant's socket:
p50 / p95 / max and delivered / expected. Each message reaches all 20 sockets (the sender's page
replaces its own copy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchlib import free_port, pct, session_keys  # noqa: E402
from bench.forum import ensure_database, setup_django, start_server  # noqa: E402

PASSWORD_HASH = "md5$bench$0000"


def build(members: int):
    from django.core.management import call_command

    from community.models import MemberStatus, Profile, User
    from messaging.services import conversation_start

    call_command("migrate", verbosity=0)
    users = []
    for i in range(members):
        user, _ = User.objects.get_or_create(
            username=f"pm-bench{i}", defaults={"email": f"pm-bench{i}@bench.invalid", "first_name": "Membre", "password": PASSWORD_HASH}
        )
        Profile.objects.filter(user=user).update(display_name=f"Membre n°{i}", status=MemberStatus.APPROVED)
        users.append(User.objects.select_related("profile").get(pk=user.pk))
    conversation = conversation_start(
        actor=users[0], recipients=users[1:], subject=f"Bench {time.time():.0f}", body="Bonjour à toutes et tous"
    )
    return users, conversation


async def measure(ws_base: str, path: str, cookies: list[str], rounds: int, sender, last_id: int) -> dict:
    import websockets

    arrivals: dict[int, list[float]] = {}
    synced: set[int] = set()

    async def client(n, cookie):
        async with websockets.connect(
            ws_base + path, additional_headers={"Cookie": cookie, "Origin": "http://127.0.0.1"}, open_timeout=60
        ) as ws:
            await ws.send(json.dumps({"type": "since", "last_id": last_id}))
            async for raw in ws:
                now = time.time()
                data = json.loads(raw)
                if data.get("type") == "synced":
                    synced.add(n)
                elif data.get("type") == "message":
                    arrivals.setdefault(data["message_id"], []).append(now)

    tasks = [asyncio.create_task(client(n, c)) for n, c in enumerate(cookies)]
    deadline = time.monotonic() + 120
    while len(synced) < len(cookies) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.to_thread(sender, -1)  # warm-up, not counted
    await asyncio.sleep(1)
    commits = {}
    for i in range(rounds):
        message_id, committed_at = await asyncio.to_thread(sender, i)
        commits[message_id] = committed_at
        await asyncio.sleep(0.3 + random.random() * 0.3)
    await asyncio.sleep(2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    delays = [(t - commits[mid]) * 1000 for mid, times in arrivals.items() if mid in commits for t in times]
    return {
        "connected": len(synced),
        "expected": len(cookies) * rounds,
        "delivered": len(delays),
        "p50": pct(delays, 50),
        "p95": pct(delays, 95),
        "max": max(delays) if delays else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20, help="participants (20 at most)")
    parser.add_argument("--rounds", type=int, default=30, help="messages measured")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "1")), help="ASGI server processes")
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_messages")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    ensure_database(db_url, rebuild=False)
    setup_django(db_url, redis_url)
    from django.conf import settings
    from django.db import transaction

    from messaging.services import message_send

    users, conversation = build(min(args.members, 20))
    cookies = [f"{settings.SESSION_COOKIE_NAME}={key}" for key in session_keys([u.pk for u in users])]
    by_pk = {u.pk: u for u in users}
    ordered = [by_pk[pk] for pk in sorted(by_pk)]

    def sender(i):
        committed = {}
        author = ordered[i % len(ordered)]
        with transaction.atomic():
            # registered first: runs right at commit, before the service's broadcast callback
            transaction.on_commit(lambda: committed.setdefault("at", time.time()), robust=True)
            message = message_send(actor=author, conversation=conversation, body=f"Message **{i}** du bench")
        return message.pk, committed.get("at", time.time())

    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "hub.settings.dev", "DEBUG": "false"}
    server = start_server(port, args.workers, env)
    try:
        result = asyncio.run(
            measure(
                f"ws://127.0.0.1:{port}", f"/ws/messages/{conversation.pk}/", cookies, args.rounds, sender, conversation.last_message_id
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"conversation of {len(users)} members, {args.rounds} messages, {args.workers} server process(es)")
    print(f"connected {result['connected']}/{len(users)}; delivered/expected {result['delivered']}/{result['expected']}")
    print(f"commit → participant socket: p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, max {result['max']:.0f} ms")


if __name__ == "__main__":
    main()
