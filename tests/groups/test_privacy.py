"""Privacy matrix: every role × every group URL × open / on-request / secret, plus search,
lists and the websocket. A secret group never exists for an outsider (404, absent everywhere)."""

import pytest
from django.urls import reverse

from groups import services
from groups.models import AccessMode, Membership, Role
from tests.factories import StaffFactory, UserFactory
from tests.groups.factories import make_group, png_upload

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "moderator", "admin", "staff"]
ACCESS = [AccessMode.OPEN, AccessMode.REQUEST, AccessMode.SECRET]
SECRET_WORD = "zygomorphe"


@pytest.fixture
def world(request, client_for):
    access = request.param if hasattr(request, "param") else AccessMode.OPEN
    owner = UserFactory()
    people = {
        "outsider": UserFactory(),
        "member": UserFactory(),
        "moderator": UserFactory(),
        "admin": UserFactory(),
        "staff": StaffFactory(),
    }
    group = make_group(owner=owner, access=access, name=f"Cercle {SECRET_WORD} {access}")
    Membership.objects.create(group=group, user=people["member"], role=Role.MEMBER)
    Membership.objects.create(group=group, user=people["moderator"], role=Role.MODERATOR)
    Membership.objects.create(group=group, user=people["admin"], role=Role.ADMIN)
    topic = services.topic_create(
        group=group, actor=owner, title=f"Sujet {SECRET_WORD}", body=f"Le mot {SECRET_WORD}.", attachments=[png_upload()]
    )
    post = topic.posts.get()
    att = post.attachments.get()
    s = group.slug
    urls = {
        "detail": reverse("groups:group_detail", args=[s]),
        "topic": reverse("groups:topic_detail", args=[s, topic.pk]),
        "permalink": reverse("groups:post_permalink", args=[s, post.pk]),
        "attachment": reverse("groups:attachment_download", args=[s, att.pk]),
        "members": reverse("groups:members", args=[s]),
        "requests": reverse("groups:requests", args=[s]),
        "moderation": reverse("groups:moderation", args=[s]),
        "first_unread": reverse("groups:topic_first_unread", args=[s, topic.pk]),
        "report": reverse("groups:post_report", args=[s, post.pk]),
        "history": reverse("groups:post_history", args=[s, post.pk]),
        "new_topic": reverse("groups:topic_create", args=[s]),
    }

    def client(role):
        from django.test import Client

        return Client() if role == "anonymous" else client_for(people[role])

    return {"group": group, "topic": topic, "post": post, "urls": urls, "client": client, "people": people, "access": access}


def expected(role, access, name):
    """Expected status of a GET: 302 login for anonymous (404 for the pages a visitor may read in a
    public group, when the group is secret: it does not exist for them), 404 for anyone who may not
    know the group."""
    if role == "anonymous":
        return 404 if access == AccessMode.SECRET and name in ("detail", "topic", "permalink") else 302
    hidden = access == AccessMode.SECRET and role in ("outsider", "staff")
    if hidden:
        return 404
    moderator = role in ("moderator", "admin") or (role == "staff")
    admin = role == "admin" or role == "staff"
    return {
        "detail": 200,
        "topic": 200,
        "permalink": 302,
        "first_unread": 302,
        "attachment": 200,
        "members": 200,
        "report": 200,
        "requests": 200 if admin else 403,
        "moderation": 200 if moderator else 403,
        "history": 200 if moderator else 403,
        "new_topic": 200 if role != "outsider" and role != "staff" else 403,
    }[name]


@pytest.mark.parametrize("world", ACCESS, indirect=True, ids=[a.value for a in ACCESS])
@pytest.mark.parametrize("role", ROLES)
def test_matrix_every_group_url(world, role):
    client = world["client"](role)
    for name, url in world["urls"].items():
        response = client.get(url)
        want = expected(role, world["access"], name)
        assert response.status_code == want, f"{role} {world['access']} {name}: {response.status_code} != {want}"
        if want == 302 and role == "anonymous":
            assert "/compte/login/" in response["Location"]
        if want in (403, 404, 302):
            assert SECRET_WORD not in response.content.decode()


@pytest.mark.parametrize("world", ACCESS, indirect=True, ids=[a.value for a in ACCESS])
@pytest.mark.parametrize("role", ROLES[1:])
def test_matrix_lists_and_search(world, role):
    client = world["client"](role)
    visible = not (world["access"] == AccessMode.SECRET and role in ("outsider", "staff"))
    listing = client.get(reverse("groups:group_list")).content.decode()
    found = client.get(reverse("groups:search"), {"q": SECRET_WORD}).content.decode()
    assert (SECRET_WORD in listing) is visible
    # The query is echoed in the search box: look for the topic's title in the results.
    assert (f"Sujet {SECRET_WORD}" in found) is visible
    # Filtering the search by the group's slug must not reveal it either.
    by_slug = client.get(reverse("groups:search"), {"q": "mot", "groupe": world["group"].slug}).content.decode()
    assert (f"Sujet {SECRET_WORD}" in by_slug) is visible


@pytest.mark.parametrize("world", [AccessMode.SECRET], indirect=True, ids=["secret"])
def test_secret_group_posts_refuse_outsider_writes_with_404(world):
    urls = world["urls"]
    outsider = world["client"]("outsider")
    s, topic, post = world["group"].slug, world["topic"], world["post"]
    for url, data in [
        (reverse("groups:join", args=[s]), {}),
        (reverse("groups:post_create", args=[s, topic.pk]), {"body": "intrus"}),
        (reverse("groups:post_react", args=[s, post.pk]), {"kind": "like"}),
        (urls["report"], {"reason": "intrus"}),
        (reverse("groups:topic_moderate", args=[s, topic.pk]), {"action": "lock"}),
        (reverse("groups:invite", args=[s]), {"who": "x@exemple.fr"}),
    ]:
        assert outsider.post(url, data).status_code == 404, url
    assert topic.posts.count() == 1


@pytest.mark.parametrize("world", [AccessMode.SECRET], indirect=True, ids=["secret"])
def test_secret_activity_absent_from_profile_and_dashboard(world, client_for):
    author = world["topic"].author
    outsider = world["client"]("outsider")
    profile = outsider.get(reverse("community:profile_detail", args=[author.profile.pk])).content.decode()
    assert SECRET_WORD not in profile
    member_view = world["client"]("member").get(reverse("community:profile_detail", args=[author.profile.pk])).content.decode()
    assert SECRET_WORD in member_view
    assert SECRET_WORD not in outsider.get(reverse("community:dashboard")).content.decode()


def test_pending_member_sees_no_group(open_group, pending_client):
    response = pending_client.get(reverse("groups:group_detail", args=[open_group.slug]))
    assert response.status_code in (302, 403, 404)
    assert "Groupe ouvert" not in response.content.decode()
