"""The django-machina peer's part of the seed (seed.py runs it; seedlib.py has the shape both peers share).

Each member gets a machina ForumProfile whose posts_count is its real number of posts; the groups
are 200 top-level forums "Forum 0" .. "Forum 199" (type forum, each its own MPTT tree); a post's
HTML is "<p>text</p>", checked against machina's renderer on 50 posts. Then the denormalised
trackers: topics' posts_count, first_post, last_post, last_post_on (SQL); forums'
direct_topics_count, direct_posts_count, last_post, last_post_on (machina's own
Forum.update_trackers() on every forum); Topic.update_trackers() on the big topic and 40 random
topics must leave them unchanged. Permissions: global UserForumPermission rows (forum NULL) grant
can_see_forum + can_read_forum to anonymous visitors, and machina's example project's set to any
authenticated member. Read-tracking rows are not seeded: machina writes them when a member reads.
"""

from __future__ import annotations

import seedlib
from django.contrib.auth.models import User
from django.db import transaction
from machina.apps.forum.models import Forum
from machina.apps.forum_conversation.models import Post, Topic
from machina.apps.forum_member.models import ForumProfile
from machina.apps.forum_permission.models import ForumPermission, UserForumPermission
from machina.conf import settings as machina_settings
from machina.core.markdown import markdown
from seedlib import BIG_SUBJECT, GROUPS, MEMBERS, POSTS, WORDS

ANONYMOUS_PERMS = ["can_see_forum", "can_read_forum"]
MEMBER_PERMS = machina_settings.DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS  # machina example project's list
# COPY columns, in the order of the rows build() makes
FORUM_COLUMNS = "id, created, updated, name, slug, description, _description_rendered, link_redirects, type, link_redirects_count, display_sub_forum_list, lft, rght, tree_id, level, parent_id, direct_posts_count, direct_topics_count"
TOPIC_COLUMNS = "id, created, updated, subject, slug, type, status, approved, posts_count, views_count, last_post_on, forum_id, poster_id, first_post_id, last_post_id"
POST_COLUMNS = "id, created, updated, subject, content, _content_rendered, username, approved, update_reason, updates_count, poster_id, topic_id, updated_by_id, anonymous_key, enable_signature"


def render(text: str) -> str:
    """machina's renderer (MACHINA_MARKUP_LANGUAGE default: markdown2, safe mode, break-on-newline)."""
    return markdown(text, safe_mode=True, extras={"break-on-newline": True})


def wipe() -> None:
    seedlib.truncate(
        ["forum_tracking_topicreadtrack", "forum_tracking_forumreadtrack", "forum_conversation_topic_subscribers"]
        + ["forum_conversation_post", "forum_conversation_topic", "forum_forum", "forum_member_forumprofile"]
        + ["forum_permission_userforumpermission", "forum_permission_groupforumpermission", "django_session", "auth_user"]
    )


def state() -> str:
    """Whether the peer's data is "built", "empty" or "partial" (seed.py refuses to build over partial data)."""
    if Forum.objects.count() == GROUPS and Post.objects.count() == POSTS:
        return "built"
    return "partial" if Forum.objects.exists() or User.objects.exists() else "empty"


def build(run: seedlib.Run, cur, user_ids: list[int]) -> None:
    """The rows after the members, in seed.py's transaction (``cur``: Django's cursor)."""
    # --- forums (200 top-level forums, each its own mptt tree) ---------------------------
    desc = "Forum of the **bench**."
    desc_r = render(desc)
    seedlib.copy_rows(
        cur,
        "forum_forum",
        FORUM_COLUMNS,
        (
            (f + 1, run.year_ago, run.year_ago, f"Forum {f}", f"forum-{f}", desc, desc_r, False, Forum.FORUM_POST)
            + (0, True, 1, 2, f + 1, 0, None, 0, 0)
            for f in range(GROUPS)
        ),
    )
    run.step(f"{GROUPS} forums")

    # --- topics + posts: topic t in forum (t - 1) // 25 + 1 ------------------------------------
    sample = render(" ".join(run.rng.choices(WORDS, k=30)))
    assert sample.startswith("<p>") and sample.endswith("</p>"), sample
    topic_rows, post_rows = [], []
    for topic in seedlib.topics(run, user_ids, "forum"):
        first_id = len(post_rows) + 1
        for j, (created, text, poster) in enumerate(topic.posts):
            subject = topic.title if j == 0 else f"Re: {topic.title}"
            post_rows.append((first_id + j, created, created, subject, text, f"<p>{text}</p>", None, True, None, 0, poster, topic.id))
        last_id, last_on = post_rows[-1][:2]
        topic_rows.append(
            (topic.id, topic.start, last_on, topic.title, topic.slug, Topic.TOPIC_POST, Topic.TOPIC_UNLOCKED, True, len(topic.posts))
            + (topic.views, last_on, topic.group + 1, topic.posts[0][2], first_id, last_id)
        )
    # check the shortcut "<p>text</p>" against machina's renderer on a sample
    for row in run.rng.sample(post_rows, 50):
        assert render(row[4]) == row[5], (render(row[4]), row[5])
    seedlib.copy_rows(cur, "forum_conversation_topic", TOPIC_COLUMNS, topic_rows)
    run.step(f"{len(topic_rows)} topics")
    seedlib.copy_rows(cur, "forum_conversation_post", POST_COLUMNS, (row + (None, None, True) for row in post_rows))
    run.step(f"{len(post_rows)} posts")

    # --- profiles with posts_count -------------------------------------------------------------
    counts = [0] * (MEMBERS + 1)
    for row in post_rows:
        counts[row[10]] += 1
    seedlib.copy_rows(
        cur,
        "forum_member_forumprofile",
        "id, user_id, posts_count, avatar, signature",
        ((u, u, counts[u], "", None) for u in user_ids),
    )
    seedlib.reset_sequences(
        cur, ["auth_user", "forum_forum", "forum_conversation_topic", "forum_conversation_post", "forum_member_forumprofile"]
    )

    # --- denormalised trackers (SQL, then machina's own methods to check / finish) -------------
    cur.execute("""
        UPDATE forum_conversation_topic t SET posts_count = s.n, first_post_id = s.first_id, last_post_id = s.last_id,
               last_post_on = s.last_on
        FROM (SELECT DISTINCT ON (topic_id) topic_id, COUNT(*) OVER w AS n,
                     FIRST_VALUE(id) OVER w AS first_id, LAST_VALUE(id) OVER w AS last_id,
                     LAST_VALUE(created) OVER w AS last_on
              FROM forum_conversation_post
              WINDOW w AS (PARTITION BY topic_id ORDER BY created ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) s
        WHERE s.topic_id = t.id""")

    # --- permissions (global rows: forum NULL) -------------------------------------------------
    perms = {p.codename: p for p in ForumPermission.objects.all()}
    UserForumPermission.objects.bulk_create(
        [UserForumPermission(permission=perms[c], anonymous_user=True, has_perm=True) for c in ANONYMOUS_PERMS]
        + [UserForumPermission(permission=perms[c], authenticated_user=True, has_perm=True) for c in MEMBER_PERMS]
    )


def finish(run: seedlib.Run) -> None:
    """machina's own tracker updates on every forum, then Topic.update_trackers() on a sample must change nothing."""
    with transaction.atomic():
        for forum in Forum.objects.all():
            forum.update_trackers()
        checked = 0
        for topic in [Topic.objects.get(pk=1), *Topic.objects.order_by("?")[:40]]:
            before = (topic.posts_count, topic.first_post_id, topic.last_post_id, topic.last_post_on)
            topic.update_trackers()  # also re-runs its forum's update_trackers
            topic.refresh_from_db()
            after = (topic.posts_count, topic.first_post_id, topic.last_post_id, topic.last_post_on)
            assert before == after, (topic.pk, before, after)
            checked += 1
        run.step(f"trackers fixed up; machina's Topic.update_trackers() agrees on {checked} topics")


def describe(out=print) -> None:
    seedlib.count_line(out, members=User, profiles=ForumProfile, forums=Forum, topics=Topic, posts=Post)
    big = Topic.objects.select_related("forum").get(subject=BIG_SUBJECT)
    f0, permissions = big.forum, UserForumPermission.objects
    out(
        f"forum 0: {f0.name!r} topics {f0.direct_topics_count} posts {f0.direct_posts_count} last_post {f0.last_post_id}; "
        f"big topic #{big.pk}: posts {big.posts_count}, first {big.first_post_id}, last {big.last_post_id}"
    )
    out(
        f"permissions: {permissions.filter(anonymous_user=True).count()} anonymous, "
        f"{permissions.filter(authenticated_user=True).count()} authenticated (global)"
    )
