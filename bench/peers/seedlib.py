"""What the two peers' seeds share (seed.py runs peer_<name>/seed.py's wipe / state / build /
finish / describe): the shape of Maillage's forum bench (bench/forum.py) and how rows go in.

Both peers get: 10,000 members member0 .. member9999 (password "peer-bench", one shared hash);
200 top-level groups (machina forums, Spirit categories); 5,000 topics, 25 per group; 200,000 posts
in all (in Spirit the opening post is the topic's first comment, so it is counted), 30 random words
each (the vocabulary of bench/forum.py). Topic 1, "The big bench topic", in the first group, has
500 posts by the first 500 members and is the most recently active topic (first on its group's
page); the 199,500 other posts are spread round-robin over the 4,999 other topics (39-40 each).
Post times are spread over the last year and increase within a topic. The random draws are seeded
and made in the same order as the peers' first seeds, so a rebuild gives the same texts and
authors. Rows go in with COPY (psycopg 3); seed.py runs VACUUM ANALYZE at the end.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

MEMBERS = 10_000
GROUPS = 200
TOPICS = 5_000
POSTS = 200_000
BIG_TOPIC_POSTS = 500
PASSWORD = "peer-bench"
WORDS = ["accompagnement", "numérique", "atelier", "démarches", "seniors", "médiation", "inclusion", "réseau", "usages"]
BIG_SUBJECT = "The big bench topic"


class Run:
    """One build: the seeded random draws, the times rows are spread over, and the clock of its output lines."""

    def __init__(self, out=print):
        from django.utils import timezone

        self.rng = random.Random(42)
        self.now = timezone.now().replace(microsecond=0)
        self.year_ago = self.now - timedelta(days=365)
        self.t0 = time.monotonic()
        self.out = out

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def step(self, done: str) -> None:
        self.out(f"  {done} ({self.elapsed():.1f} s)")


@dataclass
class SeedTopic:
    id: int  # 1 .. TOPICS; topic 1 is the big one
    group: int  # 0 .. GROUPS - 1
    title: str
    start: datetime
    posts: list[tuple[datetime, str, int]]  # (created, text, poster's user id), oldest first
    views: int

    @property
    def slug(self) -> str:
        return self.title.lower().replace(" ", "-")


def copy_rows(cur, table: str, columns: str, rows) -> int:
    """COPY the rows into the table's columns ("id, name, ..."; ``cur``: Django's cursor, over psycopg 3's)."""
    n = 0
    with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def copy_members(cur, run: Run) -> list[int]:
    """The members in auth_user (ids 1 .. MEMBERS, member{id - 1}); returns their ids."""
    from django.contrib.auth.hashers import make_password

    pw = make_password(PASSWORD)  # hashed once, shared by every member
    columns = "id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined"
    rows = (
        (i + 1, pw, False, f"member{i}", "Member", f"n°{i}", f"member{i}@peer.invalid", False, True, run.year_ago + timedelta(minutes=i))
        for i in range(MEMBERS)
    )
    copy_rows(cur, "auth_user", columns, rows)
    run.step(f"{MEMBERS} members")
    return list(range(1, MEMBERS + 1))


def topics(run: Run, user_ids: list[int], group_word: str) -> Iterator[SeedTopic]:
    """The topics with their posts, in id order ("Topic 12 of forum 0": group_word = "forum")."""
    per_group = TOPICS // GROUPS
    n_posts = [0] * (TOPICS + 1)
    n_posts[1] = BIG_TOPIC_POSTS
    for k in range(POSTS - BIG_TOPIC_POSTS):
        n_posts[2 + k % (TOPICS - 1)] += 1
    rng = run.rng
    for t in range(1, TOPICS + 1):
        group = (t - 1) // per_group
        if t == 1:
            title, start, span, posters = BIG_SUBJECT, run.now - timedelta(days=30), 30 * 86400 - 60, user_ids[:BIG_TOPIC_POSTS]
        else:
            title = f"Topic {t - 1} of {group_word} {group}"
            start = run.year_ago + timedelta(seconds=rng.randrange(330 * 86400))
            span = rng.randrange(3600, 30 * 86400)
            posters = user_ids
        offsets = sorted(rng.randrange(span) for _ in range(n_posts[t]))
        posts = []
        for j, offset in enumerate(offsets):
            text = " ".join(rng.choices(WORDS, k=30))
            posts.append((start + timedelta(seconds=offset + j * 1e-3), text, rng.choice(posters)))
        yield SeedTopic(t, group, title, start, posts, rng.randrange(10, 2000))


def count_line(out, **models) -> None:
    """One line of row counts: count_line(print, members=User, topics=Topic) prints "members 10000, topics 5000"."""
    out(", ".join(f"{name} {model.objects.count()}" for name, model in models.items()))


def reset_sequences(cur, tables: list[str]) -> None:
    for table in tables:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def truncate(tables: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
