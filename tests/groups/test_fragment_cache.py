"""The topic page builds its posts from cached fragments: every change a reader could see must
show at once, and one viewer's part (their reactions, their own posts, moderator controls, CSRF
token) must never reach another viewer."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groups import services
from groups.models import Post
from groups.rendering import csrf_placeholder
from tests.factories import UserFactory
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(member):
    author, reader, moderator = UserFactory(), UserFactory(), UserFactory()
    group = make_group(owner=member, members=[author, reader], moderators=[moderator])
    topic = services.topic_create(group=group, actor=author, title="Sujet mis en cache", body="Premier message")
    return {"group": group, "topic": topic, "author": author, "reader": reader, "moderator": moderator, "post": topic.posts.get()}


def _page(client_for, user, topic):
    response = client_for(user).get(topic.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _post_html(page, post):
    match = re.search(rf'<article [^>]*id="post-{post.pk}".*?</article>', page, re.S)
    assert match, f"post {post.pk} not on the page"
    return match.group(0)


def test_an_edit_shows_at_once(client_for, forum):
    before = _page(client_for, forum["reader"], forum["topic"])  # fills the cache
    assert "Premier message" in before
    services.post_edit(post=forum["post"], actor=forum["author"], body="Texte **corrigé**")
    after = _post_html(_page(client_for, forum["reader"], forum["topic"]), forum["post"])
    assert "<strong>corrigé</strong>" in after and "Premier message" not in after and "modifié" in after


def test_deleted_and_hidden_posts_change_at_once(client_for, forum):
    _page(client_for, forum["reader"], forum["topic"])
    services.post_hide(post=forum["post"], actor=forum["moderator"])
    assert "Message masqué par la modération." in _post_html(_page(client_for, forum["reader"], forum["topic"]), forum["post"])
    assert "Premier message" in _post_html(_page(client_for, forum["moderator"], forum["topic"]), forum["post"])  # moderators still read it
    services.post_hide(post=forum["post"], actor=forum["moderator"], hidden=False)
    services.post_delete(post=Post.objects.get(pk=forum["post"].pk), actor=forum["author"])
    assert "Message supprimé." in _post_html(_page(client_for, forum["reader"], forum["topic"]), forum["post"])


def test_reactions_are_counted_for_all_and_pressed_only_for_their_author(client_for, forum):
    _page(client_for, forum["reader"], forum["topic"])
    _page(client_for, forum["author"], forum["topic"])
    services.reaction_toggle(post=forum["post"], actor=forum["reader"], kind="thanks")
    mine = _post_html(_page(client_for, forum["reader"], forum["topic"]), forum["post"])
    theirs = _post_html(_page(client_for, forum["author"], forum["topic"]), forum["post"])
    pressed = re.compile(r'value="thanks" class="reaction is-mine" aria-pressed="true"')
    assert pressed.search(mine) and not pressed.search(theirs)
    for html in (mine, theirs):
        assert re.search(r'value="thanks"[^>]*>.*?<span class="reaction-count">1</span>', html, re.S)


def test_own_and_moderator_controls_stay_with_their_viewer(client_for, forum):
    post = forum["post"]
    edit_url = f"/groupes/{forum['group'].slug}/messages/{post.pk}/modifier/"
    hide_url = f"/groupes/{forum['group'].slug}/messages/{post.pk}/masquer/"
    for _ in range(2):  # the second round comes from the cache
        author = _post_html(_page(client_for, forum["author"], forum["topic"]), post)
        reader = _post_html(_page(client_for, forum["reader"], forum["topic"]), post)
        moderator = _post_html(_page(client_for, forum["moderator"], forum["topic"]), post)
        assert edit_url in author and hide_url not in author
        assert edit_url not in reader and hide_url not in reader
        assert hide_url in moderator


def test_a_renamed_author_is_shown_under_the_new_name(client_for, forum):
    _page(client_for, forum["reader"], forum["topic"])
    profile = forum["author"].profile
    profile.display_name = "Nouveau Nom"
    profile.save()
    assert "Nouveau Nom" in _post_html(_page(client_for, forum["reader"], forum["topic"]), forum["post"])


def test_quoting_post_follows_the_quoted_post(client_for, forum):
    reply = services.post_create(topic=forum["topic"], actor=forum["reader"], body="Je réponds", quoted=forum["post"])
    assert "Premier message" in _post_html(_page(client_for, forum["reader"], forum["topic"]), reply)
    services.post_delete(post=Post.objects.get(pk=forum["post"].pk), actor=forum["author"])
    html = _post_html(_page(client_for, forum["reader"], forum["topic"]), reply)
    assert "Message indisponible." in html and "Premier message" not in html


def test_each_viewer_gets_their_own_csrf_token_and_it_works(forum):
    client = Client(enforce_csrf_checks=True)
    client.force_login(forum["reader"])
    page = client.get(forum["topic"].get_absolute_url()).content.decode()
    assert csrf_placeholder() not in page
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', _post_html(page, forum["post"])))
    assert len(tokens) == 1 and "" not in tokens
    react = f"/groupes/{forum['group'].slug}/messages/{forum['post'].pk}/reagir/"
    assert client.post(react, {"kind": "like"}).status_code == 403  # no token: refused
    assert client.post(react, {"kind": "like", "csrfmiddlewaretoken": tokens.pop()}).status_code == 302
    assert forum["post"].reactions.filter(user=forum["reader"], kind="like").exists()


def test_a_cached_page_costs_no_more_queries(client_for, forum, member):
    for i in range(20):
        services.post_create(topic=forum["topic"], actor=forum["author"], body=f"Message {i}")
    client = client_for(forum["reader"])
    with CaptureQueriesContext(connection) as cold:
        client.get(forum["topic"].get_absolute_url())
    with CaptureQueriesContext(connection) as warm:
        client.get(forum["topic"].get_absolute_url())
    assert len(warm) < len(cold)  # the attachments query is skipped when every fragment is cached
    assert not any("groups_attachment" in q["sql"] for q in warm.captured_queries)


def test_moving_a_topic_changes_its_links(client_for, forum, member):
    target = make_group(owner=member, name="Autre groupe", members=[forum["reader"]])
    _page(client_for, forum["reader"], forum["topic"])
    services.topic_move(topic=forum["topic"], actor=member, target=target)
    forum["topic"].refresh_from_db()
    html = _post_html(_page(client_for, forum["reader"], forum["topic"]), forum["post"])
    assert f"/groupes/{target.slug}/messages/{forum['post'].pk}/" in html


def _row_html(page, topic):
    match = re.search(rf'<li class="topic-row[^"]*" id="topic-{topic.pk}".*?</li>\n', page, re.S)
    assert match, f"topic {topic.pk} not on the group page"
    return match.group(0)


def test_group_page_rows_follow_replies_and_each_viewers_unread_flag(client_for, forum):
    group, topic = forum["group"], forum["topic"]
    _page(client_for, forum["reader"], topic)  # the reader has read everything
    reader_row = _row_html(client_for(forum["reader"]).get(group.get_absolute_url()).content.decode(), topic)
    assert "1 message" in reader_row and "Nouveaux messages" not in reader_row
    services.post_create(topic=topic, actor=forum["author"], body="Une réponse")
    reader_row = _row_html(client_for(forum["reader"]).get(group.get_absolute_url()).content.decode(), topic)
    author_row = _row_html(client_for(forum["author"]).get(group.get_absolute_url()).content.decode(), topic)
    assert "2 messages" in reader_row and "Nouveaux messages" in reader_row
    assert "2 messages" in author_row and "Nouveaux messages" not in author_row  # the reader's flag stays theirs
    services.topic_moderate(topic=topic, actor=forum["moderator"], action="lock")
    assert "Verrouillé" in _row_html(client_for(forum["reader"]).get(group.get_absolute_url()).content.decode(), topic)
