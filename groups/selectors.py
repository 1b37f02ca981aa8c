"""Reads for pages, already filtered by what the viewer may see and shaped for a fixed number of
queries whatever the size of the group or topic."""

from __future__ import annotations

import datetime
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from common import queries
from common.queries import CompiledQuery
from community.models import profile_fields_shown

from .access import can_moderate, group_and_membership_for_viewer, groups_visible_to
from .models import (
    REACTION_EMOJI,
    AccessMode,
    Attachment,
    Group,
    Membership,
    MembershipStatus,
    ModerationLog,
    Poll,
    PollOption,
    PollResults,
    PollVote,
    Post,
    Reaction,
    ReactionKind,
    Report,
    ReportStatus,
    Topic,
    TopicRead,
    TopicSubscription,
)
from .visitor_cache import generation_memo

POSTS_PER_PAGE = 50
TOPICS_PER_PAGE = 30


@dataclass
class GroupContext:
    """The group as the viewer sees it: their membership and what they may do."""

    group: Group
    membership: Membership | None
    is_member: bool
    can_moderate: bool
    can_admin: bool
    extra: dict = field(default_factory=dict)


def group_context(*, viewer, slug: str) -> GroupContext:
    """The group as the viewer sees it (404 when hidden from them), with their membership and rights."""
    group, membership = group_and_membership_for_viewer(viewer=viewer, slug=slug)
    is_member = membership is not None and membership.is_active
    staff = viewer.is_authenticated and viewer.is_hub_staff and group.access != AccessMode.SECRET
    return GroupContext(
        group=group,
        membership=membership,
        is_member=is_member,
        can_moderate=(membership is not None and membership.can_moderate) or staff,
        can_admin=(membership is not None and membership.can_admin) or staff,
    )


def group_list_for_viewer(*, viewer, q: str = "", kind: str = "", mine: bool = False) -> QuerySet[Group]:
    """The groups directory: only groups the viewer may see (visitors: the public ones), with member counts and the viewer's status."""
    member_count = Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE), distinct=True)
    if not viewer.is_authenticated:
        groups = Group.objects.filter(is_public=True, access=AccessMode.OPEN).annotate(member_count=member_count)
    else:
        groups = groups_visible_to(viewer).annotate(
            member_count=member_count,
            my_status=Subquery(Membership.objects.filter(group=OuterRef("pk"), user=viewer).values("status")[:1]),
        )
    if q:
        groups = groups.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if kind:
        groups = groups.filter(kind=kind)
    if mine and viewer.is_authenticated:
        groups = groups.filter(Exists(Membership.objects.filter(group=OuterRef("pk"), user=viewer, status=MembershipStatus.ACTIVE)))
    return groups.order_by("-is_network", "name")


def group_categories(group: Group) -> list:
    """The group's forum categories, from the cache: they change only with the group (``group_update``
    saves the group, so its ``updated_at`` is in the key)."""
    key = f"groups:categories:{group.pk}:{group.updated_at.timestamp() if group.updated_at else 0}"
    categories = cache.get(key)
    if categories is None:
        categories = list(group.categories.all())
        cache.set(key, categories, timeout=24 * 3600)
    return categories


def topic_list_for_group(*, viewer, group: Group, moderator: bool = False, category: str = "", tag: str = "") -> QuerySet[Topic]:
    """A group's topics, pinned first; hidden topics only for moderators; the viewer's read marker annotated."""
    topics = Topic.objects.filter(group=group).select_related("author__profile", "category")
    if not moderator:
        topics = topics.filter(is_hidden=False)
    if category:
        topics = topics.filter(category_id=category) if str(category).isdigit() else topics.none()
    if tag:
        topics = topics.filter(tags__icontains=f'"{tag}"')
    if viewer.is_authenticated:
        topics = topics.annotate(
            last_read=Subquery(TopicRead.objects.filter(topic=OuterRef("pk"), user=viewer).values("last_read_post_id")[:1])
        )
    return topics.order_by("-is_pinned", "-last_post_at", "-id")


@dataclass(slots=True, frozen=True)
class ProfileState:
    """What a post's fragment key needs of its author's profile (read as values, not a model)."""

    user_id: int
    updated_at: datetime.datetime | None
    photo: str
    visibility: dict | None

    def shown_fields(self, viewer) -> dict[str, bool]:
        return profile_fields_shown(viewer, owner_id=self.user_id, visibility=self.visibility)


@dataclass(slots=True, frozen=True)
class AuthorState:
    pk: int
    first_name: str
    last_name: str
    erased_at: datetime.datetime | None
    profile: ProfileState | None


AUTHOR_STATE_COLUMNS = (
    "author_id",
    "author__first_name",
    "author__last_name",
    "author__erased_at",
    "author__profile__user_id",
    "author__profile__updated_at",
    "author__profile__photo",
    "author__profile__visibility",
)


def author_state(author_id, first, last, erased, owner, updated, photo, visibility) -> AuthorState | None:
    """An ``AuthorState`` from a row's ``AUTHOR_STATE_COLUMNS`` (``None`` for no author)."""
    if author_id is None:
        return None
    profile = ProfileState(owner, updated, photo or "", visibility) if owner is not None else None
    return AuthorState(author_id, first, last, erased, profile)


@dataclass(slots=True, frozen=True)
class CategoryState:
    name: str


@dataclass(slots=True)
class TopicState:
    """A topic row as its fragment key sees it (``groups.rendering.topic_row_key``): the same
    attribute names as ``Topic`` for what the key reads, read as values, not a model."""

    pk: int
    updated_at: datetime.datetime | None
    title: str
    is_pinned: bool
    is_locked: bool
    is_hidden: bool
    post_count: int
    last_post_at: datetime.datetime | None
    last_post_id_cache: int | None
    tags: list
    category_id: int | None
    category: CategoryState | None
    author: AuthorState | None
    last_read: int | None


_TOPIC_STATE_COLUMNS = (
    "id",
    "updated_at",
    "title",
    "is_pinned",
    "is_locked",
    "is_hidden",
    "post_count",
    "last_post_at",
    "last_post_id_cache",
    "tags",
    "category_id",
    "category__name",
    *AUTHOR_STATE_COLUMNS,
)


def topic_rows_page(topics: QuerySet[Topic], *, page: int | str | None, count: int):
    """One page of ``topic_list_for_group``'s topics as ``TopicState`` rows (``page.object_list``):
    what the rows' fragment keys need, in one query without model instances — the renderer loads
    whole topics only for rows missing from the cache (``topics_for_rendering``)."""
    with_marker = "last_read" in topics.query.annotations
    columns = (*_TOPIC_STATE_COLUMNS, "last_read") if with_marker else _TOPIC_STATE_COLUMNS
    page_obj = CountedPaginator(topics.values_list(*columns), TOPICS_PER_PAGE, count=count).get_page(page)
    states = []
    own, authors = len(_TOPIC_STATE_COLUMNS) - len(AUTHOR_STATE_COLUMNS), len(_TOPIC_STATE_COLUMNS)
    for row in page_obj.object_list:
        pk, updated, title, pinned, locked, hidden, posts, last_at, last_id, tags, category_id, category_name = row[:own]
        author = author_state(*row[own:authors])
        category = CategoryState(category_name) if category_id is not None else None
        last_read = row[authors] if with_marker else None
        states.append(
            TopicState(pk, updated, title, pinned, locked, hidden, posts, last_at, last_id, tags, category_id, category, author, last_read)
        )
    page_obj.object_list = states
    return page_obj


def topics_for_rendering(states: list[TopicState]) -> dict[int, Topic]:
    """Whole topics for the rows to render afresh, by id (one query), with the viewer's read marker."""
    topics = Topic.objects.select_related("author__profile", "category").in_bulk([s.pk for s in states])
    for state in states:
        if state.pk in topics:  # not when deleted since the page's first read
            topics[state.pk].last_read = state.last_read
    return topics


def topic_get_for_viewer(*, viewer, slug: str, pk: int) -> tuple[GroupContext, Topic]:
    """A topic of a group the viewer may see; a hidden topic is a 404 except to moderators."""
    ctx = group_context(viewer=viewer, slug=slug)
    # compiled once per process: building this query cost ~4 ms of CPU a topic page
    if ctx.is_member:  # the member's read marker and notification level, in the same query
        found = _TOPIC_FOR_MEMBER.instances(group_id=ctx.group.pk, pk=int(pk), user_id=viewer.pk)
    else:
        found = _TOPIC.instances(group_id=ctx.group.pk, pk=int(pk))
    topic = found[0] if found else None
    if topic is None or (topic.is_hidden and not ctx.can_moderate):
        raise Http404
    topic.group = ctx.group
    return ctx, topic


def _topic(group_id, pk) -> QuerySet[Topic]:
    return Topic.objects.select_related("author__profile", "category", "poll").filter(group_id=group_id, pk=pk)


def _topic_for_member(group_id, pk, user_id) -> QuerySet[Topic]:
    return _topic(group_id, pk).annotate(
        viewer_last_read=Subquery(TopicRead.objects.filter(topic=OuterRef("pk"), user_id=user_id).values("last_read_post_id")[:1]),
        viewer_level=Subquery(TopicSubscription.objects.filter(topic=OuterRef("pk"), user_id=user_id).values("level")[:1]),
    )


_TOPIC = CompiledQuery(_topic, group_id=queries.INT, pk=queries.INT + 1)  # pk is unique: one row at most
_TOPIC_FOR_MEMBER = CompiledQuery(_topic_for_member, group_id=queries.INT, pk=queries.INT + 1, user_id=queries.INT + 2)


def topic_get_for_user(*, user, topic_id: int) -> Topic | None:
    """For the websocket: the topic if ``user`` may see it, else ``None``."""
    topic = Topic.objects.select_related("group").filter(pk=topic_id, group__in=groups_visible_to(user)).first()
    if topic is None:
        return None
    if topic.is_hidden and not can_moderate(user=user, group=topic.group):
        return None
    return topic


def attachments_prefetch() -> Prefetch:
    """Attachments in upload order, for ``prefetch_related``."""
    return Prefetch("attachments", queryset=Attachment.objects.order_by("id"))


def posts_queryset() -> QuerySet[Post]:
    """Posts with their authors, quoted posts and attachments loaded (fixed query count)."""
    return Post.objects.select_related("author__profile", "quoted__author__profile").prefetch_related(attachments_prefetch())


class CountedPaginator(Paginator):
    """A paginator told its count: a topic's posts are counted by ``Topic.post_count``, which the
    post service keeps (posts are never removed, only marked deleted), so no ``COUNT(*)``."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def reactions_for(posts: list[Post], viewer=None) -> None:
    """Attach ``post.reaction_summary`` — [(kind, emoji, label, count, mine)] — in one query."""
    rows = Reaction.objects.filter(post__in=[p.pk for p in posts]).values_list("post_id", "user_id", "kind")
    _attach_reactions(posts, rows, viewer)


def _attach_reactions(posts, rows, viewer) -> None:
    """``reaction_summary`` on each post from (post id, user id, kind) rows."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    mine: dict[int, set[str]] = defaultdict(set)
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    for post_id, user_id, kind in rows:
        counts[post_id][kind] += 1
        if user_id == viewer_id:
            mine[post_id].add(kind)
    kinds = [(kind, REACTION_EMOJI[kind], label) for kind, label in ReactionKind.choices]
    for post in posts:
        post_counts, post_mine = counts[post.pk], mine[post.pk]
        post.reaction_summary = [(kind, emoji, label, post_counts.get(kind, 0), kind in post_mine) for kind, emoji, label in kinds]


@dataclass(slots=True)
class PostState:
    """A post as its fragment key sees it: the same attribute names as ``Post`` for what the key
    reads, so ``groups.rendering.post_fragment_key`` has one rule for both."""

    pk: int
    updated_at: datetime.datetime | None
    edited_at: datetime.datetime | None
    is_deleted: bool
    is_hidden: bool
    author_id: int | None
    quoted_id: int | None
    author: AuthorState | None
    quoted: PostState | None = None
    reaction_summary: list = field(default_factory=list)


_STATE_COLUMNS = (
    "id",
    "updated_at",
    "edited_at",
    "is_deleted",
    "is_hidden",
    "quoted_id",
    *AUTHOR_STATE_COLUMNS,
)


def _post_states(ids) -> list[PostState]:
    """The posts ``ids`` as ``PostState`` rows, in id order (one query, no model instances)."""
    return [_post_state(row) for row in Post.objects.filter(id__in=ids).order_by("id").values_list(*_STATE_COLUMNS)]


def _post_state(row) -> PostState:
    return PostState(*row[:5], author_id=row[6], quoted_id=row[5], author=author_state(*row[6:]))


def _post_rows_in_range(topic_id, first, last) -> QuerySet:
    return Post.objects.filter(topic_id=topic_id, id__gte=first, id__lte=last).order_by("id").values_list(*_STATE_COLUMNS)


def _reaction_rows_in_range(topic_id, first, last) -> QuerySet:
    return Reaction.objects.filter(post__topic_id=topic_id, post_id__gte=first, post_id__lte=last).values_list("post_id", "user_id", "kind")


# A page's posts are the topic's posts between its first and last id (pages follow id order):
# a range compiles once per process, where a list of 50 ids built and compiled its lookup on
# every page (~1.5 ms of CPU with the reactions' list).
_POST_ROWS_IN_RANGE = CompiledQuery(_post_rows_in_range, topic_id=queries.INT, first=queries.INT + 1, last=queries.INT + 2)
_REACTION_ROWS_IN_RANGE = CompiledQuery(_reaction_rows_in_range, topic_id=queries.INT, first=queries.INT + 1, last=queries.INT + 2)


def post_page(*, topic: Topic, page: int | str | None, viewer=None):
    """One page of a topic's posts as ``PostState`` rows (``page.posts``), with their quoted posts
    and reactions: what the fragment keys need, without model instances — the renderer loads
    whole posts only for fragments missing from the cache (``posts_for_rendering``).

    The page's ids come from the (topic, id) index alone; the rows and their joins are read for
    the range those ids span only — joining first and paging after would sort the whole topic.
    """
    paginator = CountedPaginator(
        Post.objects.filter(topic=topic).order_by("id").values_list("id", flat=True), POSTS_PER_PAGE, count=topic.post_count
    )
    page_obj = paginator.get_page(page)
    ids = list(page_obj.object_list)
    posts, reactions = [], []
    if ids:
        span = {"topic_id": topic.pk, "first": ids[0], "last": ids[-1]}
        on_page = set(ids)  # not a post written since the ids were read, for a page of its own size
        posts = [_post_state(row) for row in _POST_ROWS_IN_RANGE.rows(**span) if row[0] in on_page]
        reactions = _REACTION_ROWS_IN_RANGE.rows(**span)
    # Quoted posts in a query of their own: six joins in one query cost PostgreSQL more to plan
    # (3 ms) than two small queries cost to run.
    quoted_ids = {p.quoted_id for p in posts if p.quoted_id}
    if quoted_ids:
        quoted = {state.pk: state for state in _post_states(quoted_ids)}
        for post in posts:
            if post.quoted_id:
                post.quoted = quoted.get(post.quoted_id)
    _attach_reactions(posts, reactions, viewer)
    page_obj.posts = posts
    return page_obj


def posts_for_rendering(states: list[PostState]) -> dict[int, Post]:
    """Whole posts for the fragments to render afresh, by id: authors, profiles and quoted posts in
    one query, attachments in a second, whatever their number; reactions come from the states."""
    rows = Post.objects.select_related("author__profile").in_bulk({s.pk for s in states} | {s.quoted_id for s in states if s.quoted_id})
    found = [(state, rows[state.pk]) for state in states if state.pk in rows]  # a topic deleted meanwhile takes its posts
    prefetch_related_objects([post for _state, post in found], attachments_prefetch())
    for state, post in found:
        post.quoted = rows.get(post.quoted_id) if post.quoted_id else None
        post.reaction_summary = state.reaction_summary
    return {post.pk: post for _state, post in found}


def post_position(post: Post) -> int:
    """1-based position of the post in its topic (deleted posts keep their place)."""
    return Post.objects.filter(topic_id=post.topic_id, id__lte=post.pk).count()


def page_of(post: Post) -> int:
    """The page of its topic a post is on (deleted posts keep their place)."""
    return max(1, math.ceil(post_position(post) / POSTS_PER_PAGE))


def post_permalink(post: Post) -> str:
    """A stable link to a post: its topic page, the right page number and the post's anchor. Kept
    on the instance: a reply's service writes it into the stream, then its view redirects to it —
    one count of the topic's posts, not two (a post keeps its place; deleted ones keep theirs)."""
    kept = post.__dict__.get("_permalink")
    if kept is not None:
        return kept
    topic = post.topic
    base = reverse("groups:topic_detail", args=[topic.group.slug, topic.pk])
    page = page_of(post)
    query = f"?page={page}" if page > 1 else ""
    post._permalink = f"{base}{query}#post-{post.pk}"
    return post._permalink


def post_get_for_viewer(*, viewer, slug: str, post_id: int) -> tuple[GroupContext, Post]:
    """A post of a group the viewer may see; posts of a hidden topic are a 404 except to moderators."""
    ctx = group_context(viewer=viewer, slug=slug)
    post = Post.objects.select_related("topic__group", "author__profile").filter(pk=post_id, topic__group=ctx.group).first()
    if post is None or (post.topic.is_hidden and not ctx.can_moderate):
        raise Http404
    return ctx, post


def first_unread_post_id(*, topic: Topic, user) -> int | None:
    """The first post after the member's read marker (``None`` when all is read)."""
    last = TopicRead.objects.filter(topic=topic, user=user).values_list("last_read_post_id", flat=True).first() or 0
    return Post.objects.filter(topic=topic, id__gt=last).order_by("id").values_list("id", flat=True).first()


def posts_after(*, topic: Topic, after_id: int, limit: int = 200) -> list[Post]:
    """What a reconnecting client missed: posts after the last id it saw, from the database."""
    return list(posts_queryset().select_related("topic__group").filter(topic=topic, id__gt=after_id).order_by("id")[:limit])


CLOCK_MARGIN = 2.0  # seconds: web processes on several hosts may disagree a little


def posts_changed_since(*, topic: Topic, up_to_id: int, since: float, limit: int = 200) -> list[Post]:
    """Posts a client already has (id ≤ ``up_to_id``) changed after ``since`` (epoch seconds)."""
    moment = datetime.datetime.fromtimestamp(since - CLOCK_MARGIN, tz=datetime.UTC)
    return list(
        posts_queryset().select_related("topic__group").filter(topic=topic, id__lte=up_to_id, updated_at__gt=moment).order_by("id")[:limit]
    )


def attachment_get_for_viewer(*, viewer, slug: str, pk: int) -> Attachment:
    """An attachment of a visible post; deleted posts' files are gone, hidden ones only for moderators."""
    ctx = group_context(viewer=viewer, slug=slug)
    att = Attachment.objects.select_related("post__topic").filter(pk=pk, post__topic__group=ctx.group).first()
    if att is None or att.post.is_deleted:
        raise Http404
    if (att.post.is_hidden or att.post.topic.is_hidden) and not ctx.can_moderate:
        raise Http404
    return att


# --- Activity ---------------------------------------------------------------------------------
def _name(user) -> str:
    """A member's name as stored data ("" once erased: the template says "ancien membre" in the
    reader's language)."""
    return "" if user is None or user.erased_at else user.public_name


@dataclass(frozen=True)
class ActivityLine:
    """One line of a group's recent activity: a topic opened or a member who joined. Frozen, so a
    page's lines can key the markup kept for them (``{% once %}`` in ``group_detail.html``)."""

    kind: str  # "topic" | "join"
    at: datetime.datetime
    name: str
    topic_id: int | None = None
    title: str = ""


def group_activity(*, group: Group, limit: int = 12, with_members: bool = True) -> tuple[ActivityLine, ...]:
    """New topics and new members (not for visitors: ``with_members=False``) of a group, newest
    first (two queries), as plain data."""
    topics = Topic.objects.filter(group=group, is_hidden=False).select_related("author__profile").order_by("-created_at")[:limit]
    joins = (
        Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE)
        .select_related("user__profile")
        .order_by("-created_at")[:limit]
    )
    items = [ActivityLine("topic", t.created_at, _name(t.author), t.pk, t.title) for t in topics]
    if with_members and not group.is_network:
        items += [ActivityLine("join", m.created_at, _name(m.user)) for m in joins]
    return tuple(sorted(items, key=lambda i: i.at, reverse=True)[:limit])


def group_page_shared(*, group: Group, topics: QuerySet[Topic], moderator: bool, category: str, tag: str, with_members: bool) -> dict:
    """What a group page shows the same to every viewer of a kind — its recent activity and how
    many topics the list (``topics``, filtered by ``moderator``, ``category`` and ``tag``) holds —
    from the cache while the group has not changed (``visitor_cache.generation_memo``): no query."""
    activity = f"activity-lines:{int(with_members)}"
    count = "topic-count:" + hashlib.blake2b(repr((moderator, category, tag)).encode(), digest_size=8).hexdigest()
    found = generation_memo(group.pk, {activity: lambda: group_activity(group=group, with_members=with_members), count: topics.count})
    return {"activity": found[activity], "topic_count": found[count]}


def visible_posts(viewer) -> QuerySet[Post]:
    """Posts the viewer may read anywhere: visible group, topic and post not hidden nor deleted."""
    return Post.objects.filter(topic__group__in=groups_visible_to(viewer), is_deleted=False, is_hidden=False, topic__is_hidden=False)


def profile_activity(*, viewer, user, limit: int = 8) -> list[Post]:
    """A member's recent posts, only in groups the viewer may see (never a secret one they are not in)."""
    return list(visible_posts(viewer).filter(author=user).select_related("topic__group").order_by("-id")[:limit])


def _my_groups(user_id) -> QuerySet[Group]:
    return (
        Group.objects.filter(memberships__user_id=user_id, memberships__status=MembershipStatus.ACTIVE)
        .annotate(last_activity=Max("topics__last_post_at", filter=Q(topics__is_hidden=False)))
        .only("name", "slug")
        .order_by("-is_network", "-last_activity", "name")[:MY_GROUPS_SHOWN]
    )


def _latest_topics(user_id) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(group__memberships__user_id=user_id, group__memberships__status=MembershipStatus.ACTIVE, is_hidden=False)
        .select_related("group")
        .only("title", "last_post_id_cache", "group__name", "group__slug")
        .annotate(last_read=Subquery(TopicRead.objects.filter(topic=OuterRef("pk"), user_id=user_id).values("last_read_post_id")[:1]))
        .order_by("-last_post_at")[:LATEST_TOPICS_SHOWN]
    )


MY_GROUPS_SHOWN = 8
LATEST_TOPICS_SHOWN = 6
# The dashboard's two group queries, compiled once (they ran, built and compiled, on every view):
# only the columns the panel shows (name and link; title, group and read marker).
_MY_GROUPS = CompiledQuery(_my_groups, user_id=queries.INT)
_LATEST_TOPICS = CompiledQuery(_latest_topics, user_id=queries.INT)


def my_groups(*, user) -> list[Group]:
    """The member's active groups (``MY_GROUPS_SHOWN``), « Réseau » first, then by latest activity,
    with their name, slug and ``last_activity``."""
    return _MY_GROUPS.instances(user_id=user.pk)


def latest_topics_for(*, user) -> list[Topic]:
    """Latest visible topics (``LATEST_TOPICS_SHOWN``) of the member's active groups, with their
    title, group (name and slug) and the member's read marker ``last_read`` (dashboard)."""
    return _LATEST_TOPICS.instances(user_id=user.pk)


# --- Search -----------------------------------------------------------------------------------
def search_posts(
    *, viewer, q: str, group: Group | None = None, author_id: int | None = None, date_from=None, date_to=None
) -> QuerySet[Post]:
    """Posts (and topic titles) matching ``q``: PostgreSQL French full-text, icontains elsewhere."""
    posts = visible_posts(viewer).select_related("topic__group", "author__profile")
    if group is not None:
        posts = posts.filter(topic__group=group)
    if author_id:
        posts = posts.filter(author_id=author_id)
    if date_from:
        posts = posts.filter(created_at__date__gte=date_from)
    if date_to:
        posts = posts.filter(created_at__date__lte=date_to)
    q = (q or "").strip()
    if not q:
        return posts.order_by("-id")
    if settings.IS_POSTGRES:
        query = SearchQuery(q, config="french", search_type="websearch")
        body_vector = SearchVector("body", config="french")
        title_vector = SearchVector("topic__title", config="french")
        return (
            posts.annotate(body_match=body_vector, title_match=title_vector)
            .filter(Q(body_match=query) | Q(title_match=query))
            .annotate(rank=SearchRank(body_vector, query))
            .order_by("-rank", "-id")
        )
    terms = q.split()
    cond = Q()
    for term in terms[:8]:
        cond &= Q(body__icontains=term) | Q(topic__title__icontains=term)
    return posts.filter(cond).order_by("-id")


# --- Moderation -------------------------------------------------------------------------------
def reports_for_group(*, group: Group) -> QuerySet[Report]:
    """Open reports of one group's posts, oldest first (the group's moderation queue)."""
    return (
        Report.objects.filter(post__topic__group=group, status=ReportStatus.OPEN)
        .select_related("post__author__profile", "post__topic__group", "reporter__profile")
        .order_by("created_at")
    )


def reports_hub_wide() -> QuerySet[Report]:
    """Staff queue: every open report outside secret groups (those belong to their own moderators)."""
    return (
        Report.objects.filter(status=ReportStatus.OPEN)
        .exclude(post__topic__group__access=AccessMode.SECRET)
        .select_related("post__author__profile", "post__topic__group", "reporter__profile")
        .order_by("created_at")
    )


def moderation_log_for_group(*, group: Group, limit: int = 50) -> list[ModerationLog]:
    """A group's moderation log, newest first: who did what to which member, topic or post."""
    return list(ModerationLog.objects.filter(group=group).select_related("actor__profile", "target_user__profile", "topic")[:limit])


# --- Polls ------------------------------------------------------------------------------------
@dataclass
class PollLine:
    option: PollOption
    count: int
    percent: int
    voters: list[str] = field(default_factory=list)
    mine: bool = False


@dataclass
class PollTally:
    """What the results show, the same for every viewer (live fragments are rendered from it)."""

    poll: Poll
    lines: list[PollLine]
    voters: int
    closed: bool
    winners: list[str]


@dataclass
class PollState:
    """The poll as one viewer sees it: their vote and what they may do."""

    tally: PollTally
    my_option_ids: set[int]
    can_vote: bool
    can_close: bool
    show_results: bool


def poll_tally(poll: Poll, *, with_names: bool = True) -> PollTally:
    """Counts per option (from the recorded outcome once closed), voters and, for a poll that is
    not anonymous, who chose what — three queries whatever the number of votes."""
    closed = poll.is_closed_at(timezone.now())
    options = list(poll.options.annotate(n=Count("votes")).order_by("position", "id"))
    if poll.closed_at is not None and poll.outcome:
        counts = {int(k): v for k, v in poll.outcome.get("counts", {}).items()}
        voters = poll.outcome.get("voters", 0)
    else:
        counts = {o.pk: o.n for o in options}
        voters = PollVote.objects.filter(poll=poll).values("user_id").distinct().count()
    names: dict[int, list[str]] = defaultdict(list)
    if with_names and not poll.anonymous:
        for vote in PollVote.objects.filter(poll=poll).select_related("user__profile").order_by("id"):
            names[vote.option_id].append(vote.user.public_name)
    total = sum(counts.values())
    best = max(counts.values(), default=0)
    lines = [PollLine(o, counts.get(o.pk, 0), round(100 * counts.get(o.pk, 0) / total) if total else 0, names[o.pk]) for o in options]
    winners = poll.outcome.get("winners", []) if poll.closed_at else [o.label for o in options if best and counts.get(o.pk, 0) == best]
    return PollTally(poll=poll, lines=lines, voters=voters, closed=closed, winners=winners if closed else [])


def poll_state_for_viewer(*, topic: Topic, viewer, can_post: bool, can_moderate: bool) -> PollState | None:
    """The topic's poll for one viewer (``None`` without a poll): they vote while it is open and
    they may post; results show after their vote (or only at the close, as the author chose)."""
    poll = getattr(topic, "poll", None) if _has_poll(topic) else None
    if poll is None:
        return None
    tally = poll_tally(poll)
    mine = set(PollVote.objects.filter(poll=poll, user=viewer).values_list("option_id", flat=True)) if viewer.is_authenticated else set()
    for line in tally.lines:
        line.mine = line.option.pk in mine
    voted_and_allowed = poll.results == PollResults.AFTER_VOTE and bool(mine)
    return PollState(
        tally=tally,
        my_option_ids=mine,
        can_vote=can_post and not tally.closed and not topic.is_locked,
        can_close=not tally.closed and poll.closed_at is None and (can_moderate or (can_post and topic.author_id == viewer.pk)),
        show_results=tally.closed or voted_and_allowed,
    )


def _has_poll(topic: Topic) -> bool:
    try:
        topic.poll  # noqa: B018 - loaded by select_related("poll"); raises when the topic has none
    except Poll.DoesNotExist:
        return False
    return True


def poll_get_for_viewer(*, viewer, slug: str, pk: int) -> tuple[GroupContext, Topic, Poll]:
    """The poll of a topic the viewer may see (404 when the topic is hidden from them or has no poll)."""
    ctx, topic = topic_get_for_viewer(viewer=viewer, slug=slug, pk=pk)
    if not _has_poll(topic):
        raise Http404
    return ctx, topic, topic.poll
