"""Public groups: visitors (not logged in) read an open group that its admins opened to them,
from a shared cache invalidated by every write; posting still needs membership."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from groups import services
from groups.forms import GroupForm
from groups.models import AccessMode, Group, Reaction
from tests.caches import clear_cache
from tests.factories import UserFactory
from tests.groups.factories import make_group


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def public_group(owner, member):
    group = make_group(owner=owner, access=AccessMode.OPEN, name="Groupe public", members=[member])
    Group.objects.filter(pk=group.pk).update(is_public=True)
    group.refresh_from_db()
    return group


@pytest.fixture
def public_topic(public_group, member):
    return services.topic_create(group=public_group, actor=member, title="Sujet public", body="Premier message lisible")


def _get(url, client=None):
    return (client or Client()).get(url)


# --- The flag ---------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("access", [AccessMode.REQUEST, AccessMode.SECRET])
def test_only_an_open_group_can_be_public_in_the_database(access, owner):
    group = make_group(owner=owner, access=access)
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.filter(pk=group.pk).update(is_public=True)


@pytest.mark.django_db
def test_public_is_off_by_default(owner):
    assert make_group(owner=owner).is_public is False


@pytest.mark.django_db
@pytest.mark.parametrize("access", [AccessMode.REQUEST, AccessMode.SECRET])
def test_form_and_service_refuse_a_public_group_that_is_not_open(access, owner):
    form = GroupForm({"name": "G", "kind": "working", "access": access, "is_public": "on"})
    assert not form.is_valid() and "is_public" in form.errors
    with pytest.raises(ValidationError):
        services.group_create(actor=owner, name="G", access=access, is_public=True)


@pytest.mark.django_db
def test_admin_opens_the_group_to_visitors_and_closing_access_turns_it_off(client_for, owner, open_group):
    client = client_for(owner)
    url = reverse("groups:group_edit", args=[open_group.slug])
    data = {"name": open_group.name, "description": "", "kind": "working", "access": "open", "is_public": "on", "categories": "Général"}
    assert client.post(url, data).status_code == 302
    open_group.refresh_from_db()
    assert open_group.is_public
    response = client.post(url, {**data, "access": "request"})
    assert response.status_code == 200 and "Seul un groupe ouvert" in response.content.decode()
    services.group_update(group=open_group, actor=owner, name=open_group.name, description="", kind="working", access="request")
    open_group.refresh_from_db()
    assert open_group.is_public is False and open_group.access == "request"


# --- What visitors see ------------------------------------------------------------------------
@pytest.mark.django_db
def test_visitor_reads_a_public_group_and_its_topic(public_group, public_topic):
    group_page = _get(public_group.get_absolute_url())
    assert group_page.status_code == 200
    html = group_page.content.decode()
    assert "Sujet public" in html and 'content="index, follow"' in html and "noindex" not in html
    assert "Se connecter pour participer" in html
    assert "csrfmiddlewaretoken" not in html and "data-ws-url" not in html.replace('data-ws-url="/ws/notif', "")
    topic_page = _get(public_topic.get_absolute_url())
    assert topic_page.status_code == 200
    html = topic_page.content.decode()
    assert "Premier message lisible" in html and "Se connecter pour répondre" in html
    assert 'csrfmiddlewaretoken" value=""' in html or "csrfmiddlewaretoken" not in html
    assert "Signaler" not in html and "Publier la réponse" not in html and "data-topic " not in html
    assert "js/forum.js" not in html  # no live socket for visitors: they see new posts on reload


@pytest.mark.django_db
def test_visitor_groups_list_shows_public_groups_only(public_group, open_group, secret_group):
    html = _get(reverse("groups:group_list")).content.decode()
    assert public_group.name in html and open_group.name not in html and secret_group.name not in html
    assert "Créer un groupe" not in html


@pytest.mark.django_db
def test_visitor_cannot_post_react_or_vote(public_group, public_topic, member):
    client = Client()
    post = public_topic.posts.first()
    for url, data in [
        (reverse("groups:post_create", args=[public_group.slug, public_topic.pk]), {"body": "intrus"}),
        (reverse("groups:post_react", args=[public_group.slug, post.pk]), {"kind": "like"}),
        (reverse("groups:topic_create", args=[public_group.slug]), {"title": "t", "body": "b"}),
        (reverse("groups:poll_vote", args=[public_group.slug, public_topic.pk]), {"options": "1"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url
    assert public_topic.posts.count() == 1 and not Reaction.objects.exists()


@pytest.mark.django_db
def test_logged_in_non_member_sees_the_join_button_not_the_visitor_page(client_for, public_group, public_topic):
    outsider = UserFactory()
    html = client_for(outsider).get(public_topic.get_absolute_url()).content.decode()
    assert "Rejoignez le groupe pour répondre." in html and "Se connecter pour répondre" not in html


@pytest.mark.django_db
def test_visitor_on_non_public_groups(open_group, owner, secret_group):
    request_group = make_group(owner=owner, access=AccessMode.REQUEST)
    topic = services.topic_create(group=open_group, actor=owner, title="t", body="b")
    for url in (open_group.get_absolute_url(), request_group.get_absolute_url(), topic.get_absolute_url()):
        response = _get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url
    secret_topic = services.topic_create(group=secret_group, actor=owner, title="t", body="b")
    for url in (secret_group.get_absolute_url(), secret_topic.get_absolute_url(), "/groupes/nexiste-pas/"):
        assert _get(url).status_code == 404, url


@pytest.mark.django_db
def test_hidden_topic_is_404_to_visitors(public_group, public_topic, owner):
    services.topic_moderate(topic=public_topic, actor=owner, action="hide")
    assert _get(public_topic.get_absolute_url()).status_code == 404
    assert "Sujet public" not in _get(public_group.get_absolute_url()).content.decode()


# --- The shared cache and its invalidation ----------------------------------------------------
@pytest.mark.django_db
def test_visitor_pages_come_from_the_cache(public_group, public_topic, django_assert_max_num_queries):
    first = _get(public_topic.get_absolute_url())
    assert first["X-Visitor-Cache"] == "miss"
    with django_assert_max_num_queries(3):  # session-free: the group, the topic; the page from the cache
        again = _get(public_topic.get_absolute_url())
    assert again["X-Visitor-Cache"] == "hit" and again.content == first.content


@pytest.mark.django_db
def test_odd_query_strings_are_not_cached(public_group):
    for query in ("?utm=1", "?page=abc", "?page=1&page=2", "?etiquette=" + "x" * 60):
        response = _get(public_group.get_absolute_url() + query)
        assert response.status_code == 200 and "X-Visitor-Cache" not in response, query


def _warm(*urls):
    for url in urls:
        _get(url)
        assert _get(url)["X-Visitor-Cache"] == "hit"


@pytest.mark.django_db
def test_every_write_invalidates_the_visitor_pages(public_group, public_topic, member, owner, django_capture_on_commit_callbacks):
    group_url, topic_url = public_group.get_absolute_url(), public_topic.get_absolute_url()

    def act(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    def fresh(url, text=None, present=True):
        response = _get(url)
        assert response["X-Visitor-Cache"] == "miss", url
        if text is not None:
            assert (text in response.content.decode()) is present, (text, url)
        _warm(url)

    _warm(group_url, topic_url)
    post = act(services.post_create, topic=public_topic, actor=member, body="Une réponse toute neuve")
    fresh(topic_url, "Une réponse toute neuve")
    fresh(group_url, "2 messages")
    act(services.post_edit, post=post, actor=member, body="Réponse corrigée")
    fresh(topic_url, "Réponse corrigée")
    act(services.reaction_toggle, post=post, actor=owner, kind="like")
    fresh(topic_url)
    act(services.post_hide, post=post, actor=owner)
    fresh(topic_url, "Réponse corrigée", present=False)
    act(services.post_hide, post=post, actor=owner, hidden=False)
    fresh(topic_url, "Réponse corrigée")
    act(services.post_delete, post=post, actor=member)
    fresh(topic_url, "Réponse corrigée", present=False)
    act(services.topic_create, group=public_group, actor=member, title="Nouveau sujet visible", body="b")
    fresh(group_url, "Nouveau sujet visible")
    act(services.topic_moderate, topic=public_topic, actor=owner, action="lock")
    fresh(topic_url, "Verrouillé")
    edit = {"group": public_group, "actor": owner, "name": "Nom changé", "description": "d", "kind": "working", "access": "open"}
    act(services.group_update, **edit, is_public=True)
    fresh(group_url, "Nom changé")
    fresh(topic_url, "Nom changé")
    act(services.group_join, group=public_group, actor=UserFactory())
    fresh(group_url)
    # closing the group to visitors: they are sent to log in at once, never served the cached page
    act(services.group_update, **edit, is_public=False)
    assert _get(group_url).status_code == 302 and _get(topic_url).status_code == 302


@pytest.mark.django_db
def test_moving_a_topic_out_invalidates_the_source_group(public_group, public_topic, owner, open_group, django_capture_on_commit_callbacks):
    _warm(public_group.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_move(topic=public_topic, actor=owner, target=open_group)
    response = _get(public_group.get_absolute_url())
    assert response["X-Visitor-Cache"] == "miss" and "Sujet public" not in response.content.decode()


@pytest.mark.django_db
def test_logged_in_pages_are_never_the_cached_visitor_page(client_for, public_group, public_topic, member):
    _warm(public_topic.get_absolute_url())
    response = client_for(member).get(public_topic.get_absolute_url())
    html = response.content.decode()
    assert "X-Visitor-Cache" not in response and "Publier la réponse" in html and "Signaler" in html


# --- Websocket --------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_visitor_websocket_is_refused_cleanly(public_group, public_topic):
    from tests.factories import ws_headers
    from tests.websockets import connect_result

    for path in (f"/ws/groupes/{public_group.slug}/sujets/{public_topic.pk}/", f"/ws/groupes/{public_group.slug}/"):
        connected, code = connect_result(path, ws_headers())
        assert not connected and code == 4401, path
