"""The forum in the activity stream (with its group's audience) and the rate limits on posting
and reporting."""

import pytest
from django.urls import reverse

from community.activity import activity_list_for_viewer
from community.models import Activity
from groups import services
from groups.models import AccessMode, Post, Topic
from tests.factories import StaffFactory, UserFactory
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db


def _titles(viewer):
    return {a.title for a in activity_list_for_viewer(viewer=viewer)}


def test_new_topics_and_replies_reach_the_stream_of_those_who_may_read_them():
    owner, insider, outsider, staff = UserFactory(), UserFactory(), UserFactory(), StaffFactory()
    opened = make_group(owner=owner, members=[insider])
    secret = make_group(owner=owner, access=AccessMode.SECRET, members=[insider])
    open_topic = services.topic_create(group=opened, actor=owner, title="Sujet ouvert", body="Bonjour à tous")
    services.topic_create(group=secret, actor=owner, title="Sujet secret", body="Entre nous")
    services.post_create(topic=open_topic, actor=insider, body="Une réponse")
    items = Activity.objects.filter(object_ref__startswith="groups.")
    assert {(a.verb, a.title) for a in items} == {
        ("a ouvert un sujet", "Sujet ouvert"),
        ("a ouvert un sujet", "Sujet secret"),
        ("a répondu", "Sujet ouvert"),
    }
    assert _titles(insider) == {"Sujet ouvert", "Sujet secret"}
    assert "Sujet secret" not in _titles(outsider) and "Sujet ouvert" in _titles(outsider)
    assert "Sujet secret" not in _titles(staff)  # hub staff do not see secret groups they are not in
    reply = items.get(verb="a répondu")
    assert reply.actor == insider and reply.group_id == opened.pk and reply.summary == "Une réponse"


def test_hidden_deleted_moved_and_secret_turned_items_follow_their_object():
    owner, outsider = UserFactory(), UserFactory()
    opened = make_group(owner=owner)
    secret = make_group(owner=owner, access=AccessMode.SECRET)
    topic = services.topic_create(group=opened, actor=owner, title="À déplacer", body="b")
    reply = services.post_create(topic=topic, actor=owner, body="r")
    services.post_delete(post=reply, actor=owner)
    assert not Activity.objects.filter(object_ref=f"groups.post:{reply.pk}").exists()
    services.topic_move(topic=topic, actor=owner, target=secret)
    assert "À déplacer" not in _titles(outsider) and "À déplacer" in _titles(owner)
    other = services.topic_create(group=opened, actor=owner, title="Devenu secret", body="b")
    services.group_update(group=opened, actor=owner, name=opened.name, description="", kind=opened.kind, access=AccessMode.SECRET)
    assert "Devenu secret" not in _titles(outsider)
    services.topic_moderate(topic=other, actor=owner, action="hide")
    assert not Activity.objects.filter(object_ref=f"groups.topic:{other.pk}").exists()


def test_posting_is_rate_limited_with_a_french_429(client_for, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": "2/m"}
    owner = UserFactory()
    group = make_group(owner=owner)
    c = client_for(owner)
    create = reverse("groups:topic_create", args=[group.slug])
    assert c.post(create, {"title": "Un", "body": "premier"}).status_code == 302
    topic = Topic.objects.get(title="Un")
    assert c.post(reverse("groups:post_create", args=[group.slug, topic.pk]), {"body": "deux"}).status_code == 302
    response = c.post(reverse("groups:post_create", args=[group.slug, topic.pk]), {"body": "trois"})
    assert response.status_code == 429 and "Trop de demandes" in response.text
    assert c.post(create, {"title": "Trois", "body": "x"}).status_code == 429
    assert c.get(create).status_code == 200  # reading the form is not limited
    assert Post.objects.filter(topic__group=group).count() == 2


def test_reporting_is_rate_limited_with_a_french_429(client_for, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "1/h"}
    owner, reader = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[reader])
    topic = services.topic_create(group=group, actor=owner, title="t", body="b")
    post = topic.posts.get()
    c = client_for(reader)
    url = reverse("groups:post_report", args=[group.slug, post.pk])
    assert c.post(url, {"reason": "Hors sujet"}).status_code == 302
    response = c.post(url, {"reason": "Encore hors sujet"})
    assert response.status_code == 429 and "Trop de demandes" in response.text
