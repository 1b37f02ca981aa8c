"""The django-spirit peer's part of the seed (seed.py runs it; seedlib.py has the shape both peers share).

Each member gets Spirit's UserProfile (nickname = slug = username, verified, notify default,
timezone UTC); the groups are 200 public top-level categories "Category 0" .. "Category 199"
(pks 2-201) besides Spirit's own "Private" category (pk 1, made by its migrations; the
"Uncategorized" placeholder its migrations make is deleted). comment_html is rendered with Spirit's
own renderer (spirit.core.utils.markdown.Markdown, what CommentForm stores); a topic's user and
date are its first comment's. Then the denormalised counters, in SQL: topics' comment_count and
last_active, profiles' comment_count, topic_count and last_post_on (Spirit 0.14.3 neither updates
nor shows the profile counters; filled anyway); Spirit keeps no per-category counters. Checked
with the ORM on the big topic, 40 random topics and 40 profiles. Read state (CommentBookmark,
TopicUnread, TopicNotification) is not seeded: Spirit writes it when a member reads.
"""

from __future__ import annotations

from datetime import timedelta

import seedlib
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max
from seedlib import BIG_SUBJECT, GROUPS, MEMBERS, POSTS
from spirit.category.models import Category
from spirit.comment.models import Comment
from spirit.core.conf import settings as st_settings
from spirit.core.utils.markdown import Markdown
from spirit.topic.models import Topic
from spirit.user.models import UserProfile

User = get_user_model()
FIRST_CATEGORY_ID = 2  # pk 1 is Spirit's private category (ST_TOPIC_PRIVATE_CATEGORY_PK)
NOTIFY_DEFAULT = UserProfile.Notify.NEVER | UserProfile.Notify.MENTION | UserProfile.Notify.REPLY
# COPY columns, in the order of the rows build() makes
CATEGORY_COLUMNS = "id, title, slug, description, is_closed, is_removed, is_private, parent_id, is_global, color, reindex_at, sort"
TOPIC_COLUMNS = "id, title, slug, date, last_active, reindex_at, is_pinned, is_globally_pinned, is_closed, is_removed, view_count, comment_count, category_id, user_id"
COMMENT_COLUMNS = (
    "id, comment, comment_html, action, date, is_removed, is_modified, ip_address, modified_count, likes_count, topic_id, user_id"
)
PROFILE_COLUMNS = "id, user_id, slug, nickname, location, last_seen, last_ip, timezone, is_administrator, is_moderator, is_verified, topic_count, comment_count, last_post_hash, last_post_on, avatar, notify"


def render(text: str) -> str:
    """Spirit's renderer, as CommentForm._get_comment_html() uses it (a new Markdown() per comment)."""
    return Markdown().render(text)


def drop_categories() -> None:
    """Every category but Spirit's private one."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM spirit_category_category WHERE id <> %s", [st_settings.ST_TOPIC_PRIVATE_CATEGORY_PK])


def wipe() -> None:
    seedlib.truncate(
        ["spirit_comment_bookmark_commentbookmark", "spirit_comment_like_commentlike", "spirit_comment_history_commenthistory"]
        + ["spirit_comment_flag_commentflag", "spirit_comment_flag_flag", "spirit_comment_poll_commentpollvote"]
        + ["spirit_comment_poll_commentpollchoice", "spirit_comment_poll_commentpoll", "spirit_topic_notification_topicnotification"]
        + ["spirit_topic_unread_topicunread", "spirit_topic_favorite_topicfavorite", "spirit_topic_private_topicprivate"]
        + ["spirit_comment_comment", "spirit_topic_topic", "spirit_user_userprofile", "django_session", "auth_user"]
    )
    drop_categories()


def state() -> str:
    """Whether the peer's data is "built", "empty" or "partial" (seed.py refuses to build over partial data)."""
    if Category.objects.filter(title__startswith="Category ").count() == GROUPS and Comment.objects.count() == POSTS:
        return "built"
    return "partial" if Topic.objects.exists() or User.objects.exists() else "empty"


def build(run: seedlib.Run, cur, user_ids: list[int]) -> None:
    """The rows after the members, in seed.py's transaction (``cur``: Django's cursor)."""
    # --- categories: drop the "Uncategorized" placeholder, 200 public top-level categories ----
    drop_categories()
    rows = ((FIRST_CATEGORY_ID + f, f"Category {f}", f"category-{f}", "Category of the bench.") for f in range(GROUPS))
    seedlib.copy_rows(
        cur,
        "spirit_category_category",
        CATEGORY_COLUMNS,
        (row + (False, False, False, None, True, "", run.year_ago, row[0] - FIRST_CATEGORY_ID) for row in rows),
    )
    run.step(f"{GROUPS} categories")

    # --- topics + comments: topic t in category (t - 1) // 25 (pk + 2) ---------------------------
    topic_rows, comment_rows = [], []
    render_cache: dict[str, str] = {}
    for topic in seedlib.topics(run, user_ids, "category"):
        first = len(comment_rows)
        for created, text, poster in topic.posts:
            html = render_cache.get(text)
            if html is None:
                html = render_cache[text] = render(text)
            comment_rows.append((len(comment_rows) + 1, text, html, Comment.COMMENT, created, False, False, None, 0, 0, topic.id, poster))
        # the opening comment's author and date are the topic's (as publish() does)
        opened, last_on = topic.posts[0][0], topic.posts[-1][0]
        topic_rows.append(
            (topic.id, topic.title, topic.slug, opened, last_on, opened, False, False, False, False, topic.views, len(topic.posts))
            + (FIRST_CATEGORY_ID + topic.group, comment_rows[first][11])
        )
    assert all(r[2].startswith("<p>") for r in comment_rows[:10])
    seedlib.copy_rows(cur, "spirit_topic_topic", TOPIC_COLUMNS, topic_rows)
    run.step(f"{len(topic_rows)} topics")
    seedlib.copy_rows(cur, "spirit_comment_comment", COMMENT_COLUMNS, comment_rows)
    run.step(f"{len(comment_rows)} comments, rendered with Spirit's Markdown ({len(render_cache)} distinct texts)")

    # --- profiles --------------------------------------------------------------------------------
    seedlib.copy_rows(
        cur,
        "spirit_user_userprofile",
        PROFILE_COLUMNS,
        (
            (u, u, f"member{u - 1}", f"member{u - 1}", "", run.year_ago + timedelta(minutes=u), None, "UTC", False, False, True)
            + (0, 0, "", None, "", NOTIFY_DEFAULT)
            for u in user_ids
        ),
    )
    run.step(f"{MEMBERS} profiles")
    seedlib.reset_sequences(
        cur, ["auth_user", "spirit_category_category", "spirit_topic_topic", "spirit_comment_comment", "spirit_user_userprofile"]
    )

    # --- denormalised counters (SQL; topic.date is already its first comment's date) -------------
    cur.execute("""
        UPDATE spirit_topic_topic t SET comment_count = s.n, last_active = s.last_on
        FROM (SELECT topic_id, COUNT(*) AS n, MAX(date) AS last_on
              FROM spirit_comment_comment WHERE action = 0 AND NOT is_removed GROUP BY topic_id) s
        WHERE s.topic_id = t.id""")
    cur.execute("""
        UPDATE spirit_user_userprofile p SET comment_count = s.n, last_post_on = s.last_on
        FROM (SELECT user_id, COUNT(*) AS n, MAX(date) AS last_on FROM spirit_comment_comment GROUP BY user_id) s
        WHERE s.user_id = p.user_id""")
    cur.execute("""
        UPDATE spirit_user_userprofile p SET topic_count = s.n
        FROM (SELECT user_id, COUNT(*) AS n FROM spirit_topic_topic GROUP BY user_id) s
        WHERE s.user_id = p.user_id""")
    run.step("counters fixed")


def finish(run: seedlib.Run) -> None:
    """The counters checked with the ORM: the big topic and a sample."""
    # check with the ORM: the big topic and a sample
    checked = 0
    for topic in [Topic.objects.get(pk=1), *Topic.objects.order_by("?")[:40]]:
        comments = Comment.objects.filter(topic=topic)
        assert topic.comment_count == comments.count(), topic.pk
        assert topic.last_active == comments.aggregate(m=Max("date"))["m"], topic.pk
        first = comments.order_by("date").first()
        assert first.user_id == topic.user_id and first.date == topic.date, topic.pk
        checked += 1
    for p in UserProfile.objects.order_by("?")[:40]:
        assert p.comment_count == Comment.objects.filter(user_id=p.user_id).count()
        assert p.topic_count == Topic.objects.filter(user_id=p.user_id).count()
    run.step(f"counters checked with the ORM on {checked} topics and 40 profiles")


def describe(out=print) -> None:
    seedlib.count_line(out, members=User, profiles=UserProfile, categories=Category, topics=Topic, comments=Comment)
    big = Topic.objects.select_related("category").get(title=BIG_SUBJECT)
    c0 = big.category
    out(
        f"public categories {Category.objects.visible().count()}; category 0: {c0.title!r} (pk {c0.pk}) topics "
        f"{Topic.objects.filter(category=c0).count()}; big topic #{big.pk}: comment_count {big.comment_count}, "
        f"last_active {big.last_active:%Y-%m-%d %H:%M}"
    )
