"""HTML for posts and topic rows.

Live fragments (websockets) are rendered once per event, the same for every viewer: per-viewer
controls (edit, delete) carry the author's id and the topic page's script reveals them for their
author only; the server checks again on every action.

Topic pages assemble their posts from a fragment cache ("Russian doll" caching): each post's HTML
is stored under a key that digests everything the fragment shows — the post's own state, its
author's name, the quoted post, reaction counts, and the viewer's part (their own reactions,
whether the post is theirs, moderator and reply rights). Any change gives a new key, so nothing
is ever invalidated by hand and a stale fragment cannot be served. The CSRF token, the only
per-request value, is a placeholder replaced once per page.
"""

from __future__ import annotations

import hashlib
from functools import cache

from django.conf import settings
from django.core.cache import cache as fragment_cache
from django.template.loader import get_template, render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from .models import Poll, Post, Topic
from .selectors import PostState, TopicState, poll_tally, posts_for_rendering, reactions_for, topics_for_rendering

FRAGMENT_TIMEOUT = 24 * 3600


@cache
def csrf_placeholder() -> str:
    """Stands for the viewer's CSRF token in cached fragments. Derived from SECRET_KEY so that no
    member can type it into a post (it would be replaced by the reader's token)."""
    return "csrf-" + salted_hmac("groups.rendering.csrf", "placeholder", secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()[:32]


@cache
def _template_version(name: str = "groups/_post.html") -> str:
    """Changes when the template changes, so a deployment never serves old markup."""
    source = get_template(name).template.source
    return hashlib.blake2b(source.encode(), digest_size=6).hexdigest()


def render_post_fragment(post: Post) -> str:
    reactions_for([post])
    topic = post.topic
    return render_to_string(
        "groups/_post.html",
        {"post": post, "topic": topic, "group": topic.group, "live": True, "can_post": True, "can_moderate": False, "viewer_id": None},
    )


def _key(kind: str, pk: int, state: tuple) -> str:
    return f"groups:{kind}:{pk}:{hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()}"


def _assemble(items: list, keys: list[str], render, prepare=None) -> str:
    """The fragments for ``keys`` in one cache round trip; only those not found are rendered
    (after ``prepare(missing_items)``, e.g. a prefetch) and stored."""
    cached = fragment_cache.get_many(keys) if keys else {}
    missing = [(item, key) for item, key in zip(items, keys, strict=True) if key not in cached]
    fresh = {}
    if missing:
        if prepare is not None:
            prepare([item for item, _key in missing])
        fresh = {key: render(item) for item, key in missing}
        fragment_cache.set_many(fresh, timeout=FRAGMENT_TIMEOUT)
    return "".join(cached[key] if key in cached else fresh[key] for key in keys)


def _stamp(value) -> str:
    return value.isoformat() if value else ""


def _user_state(user) -> tuple:
    if user is None:
        return ()
    profile = getattr(user, "profile", None)
    return (user.pk, user.first_name, user.last_name, _stamp(user.erased_at), _stamp(profile.updated_at) if profile else "")


def _photo_shown(user, viewer) -> bool:
    """Whether the author's photo shows to this viewer beside the post (``{% avatar %}``'s rule)."""
    profile = getattr(user, "profile", None) if user is not None else None
    return bool(profile is not None and profile.photo and profile.shown_fields(viewer).get("photo"))


def post_fragment_key(post: PostState, *, topic: Topic, viewer_id, can_moderate: bool, can_post: bool, viewer=None) -> str:
    """The key of a post's fragment: every value the fragment shows or depends on, for this viewer."""
    quoted = post.quoted
    state = (
        _template_version(),
        topic.pk,
        topic.group.slug,
        post.pk,
        _stamp(post.updated_at),
        _stamp(post.edited_at),
        post.is_deleted,
        post.is_hidden,
        _user_state(post.author),
        (quoted.pk, _stamp(quoted.updated_at), quoted.is_deleted, quoted.is_hidden, _user_state(quoted.author)) if quoted else (),
        tuple((kind, count, mine) for kind, _emoji, _label, count, mine in post.reaction_summary),
        viewer_id is not None and viewer_id == post.author_id,
        viewer_id is None,  # a visitor: no report link
        _photo_shown(post.author, viewer),
        can_moderate,
        can_post,
    )
    return _key("post", post.pk, state)


def render_posts(
    posts: list[PostState], *, topic: Topic, viewer_id, can_moderate: bool, can_post: bool, csrf_token: str, viewer=None
) -> SafeString:
    """The posts of a topic page (``post_page``'s states), from the fragment cache where possible
    (one cache round trip); the posts rendered afresh are loaded whole first (``posts_for_rendering``:
    two queries). A row gone between the two reads (a topic deleted meanwhile) is left out, not an
    error. Authors' avatars come with the posts' authors: no query."""
    keys = [
        post_fragment_key(p, topic=topic, viewer_id=viewer_id, can_moderate=can_moderate, can_post=can_post, viewer=viewer) for p in posts
    ]
    template = get_template("groups/_post.html")
    base = {
        "topic": topic,
        "group": topic.group,
        "live": False,
        "can_post": can_post,
        "can_moderate": can_moderate,
        "viewer_id": viewer_id,
        "user": viewer,  # for {% avatar %}: photos at the viewer's visibility level
        "csrf_value": csrf_placeholder(),
    }
    whole: dict[int, Post] = {}
    html = _assemble(
        posts,
        keys,
        render=lambda state: template.render({**base, "post": whole[state.pk]}) if state.pk in whole else "",
        prepare=lambda missing: whole.update(posts_for_rendering(missing)),
    )
    return mark_safe(html.replace(csrf_placeholder(), csrf_token))  # noqa: S308 - fragments come from our template


def render_topic_row(topic: Topic) -> str:
    return render_to_string("groups/_topic_row.html", {"topic": topic, "group": topic.group, "live": True})


def topic_row_key(topic: TopicState, group) -> str:
    last_read = getattr(topic, "last_read", None)  # annotated for the viewer by topic_list_for_group
    unread = last_read is not None and last_read < (topic.last_post_id_cache or 0)
    state = (
        _template_version("groups/_topic_row.html"),
        group.slug,
        topic.pk,
        _stamp(topic.updated_at),
        topic.title,
        topic.is_pinned,
        topic.is_locked,
        topic.is_hidden,
        topic.post_count,
        _stamp(topic.last_post_at),
        topic.last_post_id_cache,
        tuple(topic.tags or ()),
        topic.category.name if topic.category_id else "",
        _user_state(topic.author),
        unread,
    )
    return _key("topic-row", topic.pk, state)


def render_topic_rows(topics: list[TopicState], *, group) -> SafeString:
    """The group page's topic list (``topic_rows_page``'s states) from the fragment cache (the same
    scheme as posts: the key digests everything the row shows, the viewer's "new messages" flag
    included); the rows rendered afresh are loaded whole first (one query)."""
    template = get_template("groups/_topic_row.html")
    whole: dict[int, Topic] = {}
    html = _assemble(
        topics,
        [topic_row_key(t, group) for t in topics],
        render=lambda state: template.render({"topic": whole[state.pk], "group": group, "live": False}) if state.pk in whole else "",
        prepare=lambda missing: whole.update(topics_for_rendering(missing)),
    )
    return mark_safe(html)  # noqa: S308 - fragments come from our template


def render_poll_results(poll: Poll) -> tuple[str, str]:
    """The poll's results and its bare summary (voter count), the same for every viewer: live
    updates send both and the consumer picks, per connection, what that member may see."""
    tally = poll_tally(poll)
    results = render_to_string("groups/_poll_results.html", {"tally": tally})
    summary = render_to_string("groups/_poll_summary.html", {"tally": tally})
    return results, summary
