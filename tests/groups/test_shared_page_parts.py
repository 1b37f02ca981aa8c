"""Issue 18 item 2: what a group page shows the same to every member (recent activity, how many
topics the list holds) comes from the cache while the group has not changed, and any change shows
on the next page at once — while each member's own state (unread markers) stays theirs."""

import re

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from community.services import profile_update
from groups import selectors, services
from groups.models import Topic
from tests.factories import UserFactory
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs the block's after-commit work (the group's generation moves there) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _activity(html: str) -> str:
    return re.search(r'<ul class="activity" data-activity>(.*?)</ul>', html, re.S).group(1)


def _get(client, group, query=""):
    response = client.get(group.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def test_activity_and_topic_count_come_from_the_cache_until_the_group_changes(client_for, member):
    group = make_group(owner=member)
    services.topic_create(group=group, actor=member, title="Premier sujet", body="b")
    client = client_for(member)
    _get(client, group)
    with CaptureQueriesContext(connection) as ctx:
        _get(client, group)
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in sql if q.startswith("SELECT COUNT(*)") and "groups_topic" in q], "the topic count was queried again"
    assert not [q for q in sql if "groups_topic" in q and 'ORDER BY "groups_topic"."created_at" DESC' in q], "activity queried again"
    assert not [q for q in sql if q.startswith('SELECT "groups_membership"')], "new members queried again"


def test_a_new_topic_and_a_new_member_show_in_the_activity_at_once(client_for, member, committed):
    group = make_group(owner=member)
    client = client_for(member)
    assert "Sujet tout neuf" not in _activity(_get(client, group))
    with committed():
        services.topic_create(group=group, actor=member, title="Sujet tout neuf", body="b")
    assert "Sujet tout neuf" in _activity(_get(client, group))
    newcomer = UserFactory()
    with committed():
        services.group_join(group=group, actor=newcomer)
    assert f"{newcomer.public_name} a rejoint le groupe" in " ".join(_activity(_get(client, group)).split())
    with committed():
        services.group_leave(group=group, actor=newcomer)
    assert newcomer.public_name not in _activity(_get(client, group))


def test_a_renamed_member_shows_under_the_new_name_at_once(client_for, member, committed):
    author = UserFactory()
    group = make_group(owner=member, members=[author])
    services.topic_create(group=group, actor=author, title="Sujet", body="b")
    client = client_for(member)
    assert author.public_name in _activity(_get(client, group))
    with committed():
        profile_update(actor=author, profile=author.profile, data={"display_name": "Nouveau Nom"})
    assert "Nouveau Nom a ouvert" in " ".join(_activity(_get(client, group)).split())


def test_topic_count_follows_new_and_hidden_topics_and_differs_for_moderators(client_for, member, committed):
    reader = UserFactory()
    group = make_group(owner=member, members=[reader])
    topics = [services.topic_create(group=group, actor=member, title=f"Sujet {i}", body="b") for i in range(selectors.TOPICS_PER_PAGE)]
    moderator, client = client_for(member), client_for(reader)
    assert "?page=2" not in _get(client, group) and "?page=2" not in _get(moderator, group)
    with committed():
        services.topic_create(group=group, actor=member, title="Un de plus", body="b")
    assert "?page=2" in _get(client, group)
    with committed():
        services.topic_moderate(topic=Topic.objects.get(pk=topics[0].pk), actor=member, action="hide")
    assert "?page=2" not in _get(client, group)  # 30 visible topics again
    assert "?page=2" in _get(moderator, group)  # the moderator's list keeps the hidden topic


def test_unread_markers_stay_per_member(client_for, member, committed):
    reader, other = UserFactory(), UserFactory()
    group = make_group(owner=member, members=[reader, other])
    topic = services.topic_create(group=group, actor=member, title="Sujet", body="b")
    first, second = client_for(reader), client_for(other)
    first.get(topic.get_absolute_url())
    second.get(topic.get_absolute_url())
    _get(first, group), _get(second, group)  # both pages cached, nothing new for either
    with committed():
        services.post_create(topic=Topic.objects.get(pk=topic.pk), actor=member, body="nouveau")
    first.get(topic.get_absolute_url())  # only the first reads the new post
    assert "Nouveaux messages" not in _get(first, group)
    assert "Nouveaux messages" in _get(second, group)


def _topic_fields(topic):
    author = topic.author
    return (
        topic.pk,
        topic.title,
        topic.created_at,
        topic.tags,
        (author.pk, author.public_name, author.profile.pk, author.profile.updated_at),
        topic.category,
        getattr(topic, "poll", None) and topic.poll.question,
        getattr(topic, "viewer_last_read", "absent"),
        getattr(topic, "viewer_level", "absent"),
    )


def test_the_compiled_topic_query_builds_what_the_queryset_builds(member, other_member):
    """``topic_get_for_viewer`` runs a query compiled once per process: the topic, its author and
    profile, its category and poll (or none), and a member's read marker and level, exactly as the
    ORM's own queryset gives them — whoever asks and whatever the topic."""
    group = make_group(owner=member, members=[other_member])
    with_poll = services.topic_create(
        group=group,
        actor=member,
        title="Quelle date ?",
        body="b",
        tags=["réunion"],
        poll={
            "question": "Mardi ou jeudi ?",
            "options": ["Mardi", "Jeudi"],
            "kind": "single",
            "results": "after_vote",
            "anonymous": False,
            "closes_at": None,
        },
    )
    plain = services.topic_create(group=group, actor=other_member, title="Łucja Nguyễn présente", body="b")
    services.topic_mark_read(topic=plain, actor=member, post_id=plain.posts.get().pk)
    for viewer in (member, other_member):
        for topic in (with_poll, plain):
            _ctx, compiled = selectors.topic_get_for_viewer(viewer=viewer, slug=group.slug, pk=topic.pk)
            expected = selectors._topic_for_member(group.pk, topic.pk, viewer.pk).get()
            assert _topic_fields(compiled) == _topic_fields(expected)
            assert compiled.group == group and not compiled._state.adding
    _ctx, mine = selectors.topic_get_for_viewer(viewer=member, slug=group.slug, pk=plain.pk)
    assert mine.viewer_last_read == plain.posts.get().pk and mine.viewer_level is None
    with CaptureQueriesContext(connection) as ctx:
        mine.author.profile, mine.category  # noqa: B018 - loaded with the topic: no query
    assert ctx.captured_queries == []


@pytest.mark.parametrize("pk", [0, 2**63, 10**30])
def test_a_topic_id_out_of_range_is_a_404_not_an_error(member, pk):
    group = make_group(owner=member)
    with pytest.raises(Http404):
        selectors.topic_get_for_viewer(viewer=member, slug=group.slug, pk=pk)


def test_a_topic_deleted_between_the_two_reads_is_left_out_not_an_error(member):
    """The group page reads its rows as values, then loads whole only the rows missing from the
    fragment cache: a topic deleted in between (and its posts) drops out of the page quietly."""
    from groups.rendering import render_posts, render_topic_rows

    group = make_group(owner=member)
    kept = services.topic_create(group=group, actor=member, title="Sujet gardé", body="b")
    gone = services.topic_create(group=group, actor=member, title="Sujet supprimé", body="b")
    topics = selectors.topic_list_for_group(viewer=member, group=group)
    rows = selectors.topic_rows_page(topics, page=1, count=2).object_list
    posts = selectors.post_page(topic=gone, page=1, viewer=member).posts
    gone.delete()
    html = render_topic_rows(rows, group=group)
    assert "Sujet gardé" in html and "Sujet supprimé" not in html and f'id="topic-{kept.pk}"' in html
    assert render_posts(posts, topic=gone, viewer_id=member.pk, can_moderate=False, can_post=True, csrf_token="t", viewer=member) == ""


def test_a_page_of_posts_holds_its_topic_s_posts_and_reactions_only(member, other_member):
    """A page reads the posts and reactions between its first and last id: posts of another topic
    written in between (ids interleaved) and their reactions stay out of it."""
    from groups.models import ReactionKind
    from groups.selectors import reactions_for

    group = make_group(owner=member)
    services.group_join(group=group, actor=other_member)
    mine = services.topic_create(group=group, actor=member, title="Le mien", body="premier")
    other = services.topic_create(group=group, actor=member, title="L'autre", body="premier")
    for n in range(4):
        services.post_create(topic=mine, actor=member, body=f"mien {n}")
        services.post_create(topic=other, actor=other_member, body=f"autre {n}")
    for post in other.posts.all():
        services.reaction_toggle(post=post, actor=member, kind=ReactionKind.values[0])
    first_of_mine = mine.posts.order_by("id").first()
    services.reaction_toggle(post=first_of_mine, actor=other_member, kind=ReactionKind.values[1])
    services.reaction_toggle(post=first_of_mine, actor=member, kind=ReactionKind.values[1])
    mine.refresh_from_db()

    posts = selectors.post_page(topic=mine, page=1, viewer=member).posts
    expected = list(mine.posts.order_by("id"))
    assert [p.pk for p in posts] == [p.pk for p in expected] and len(posts) == 5
    assert [(p.updated_at, p.author_id, p.author.first_name) for p in posts] == [
        (p.updated_at, p.author_id, p.author.first_name) for p in expected
    ]
    assert posts[0].author.profile.visibility == expected[0].author.profile.visibility  # the JSON column, converted
    reactions_for(expected, member)
    assert [p.reaction_summary for p in posts] == [p.reaction_summary for p in expected]
    assert [count for _k, _e, _l, count, _m in posts[0].reaction_summary] == [0, 2] + [0] * (len(ReactionKind.values) - 2)
    assert all(count == 0 for p in posts[1:] for _k, _e, _l, count, _m in p.reaction_summary)
