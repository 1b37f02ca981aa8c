"""Every websocket route for every role, a foreign Origin, CSRF on forms, and login brute force.

Websockets go through ``hub.asgi.application`` itself (origin validator + auth middleware), so
the test sees what a browser would get. Consumers answer 4401 to anonymous sockets and 4404 to
what the viewer may not see (like a page that does not exist).
"""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from hub.asgi import application
from hub.routing import websocket_urlpatterns
from tests.factories import PASSWORD, UserFactory
from tests.factories import ws_headers as _headers


def _connect(path, headers):
    async def scenario():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await communicator.connect(timeout=5)
        if connected:
            await communicator.disconnect()
        return connected, code

    return async_to_sync(scenario)()


def _ws_world():
    from events.models import Audience, EventType
    from events.services import registration_add
    from groups.models import AccessMode
    from groups.services import topic_create
    from tests.events.factories import make_event
    from tests.factories import StaffFactory
    from tests.groups.factories import make_group

    users = {
        "anonymous": None,
        "pending": UserFactory(profile_data={"status": "pending"}),
        "member": UserFactory(),
        "outsider": UserFactory(),
        "moderator": UserFactory(),
        "group_admin": UserFactory(),
        "staff": StaffFactory(),
    }
    cast = {"members": [users["member"]], "moderators": [users["moderator"]], "admins": [users["group_admin"]]}
    secret = make_group(access=AccessMode.SECRET, name="Secret ws", **cast)
    opened = make_group(access=AccessMode.OPEN, name="Ouvert ws", **cast)
    secret_topic = topic_create(group=secret, actor=users["member"], title="t", body="b")
    open_topic = topic_create(group=opened, actor=users["member"], title="t", body="b")
    session = make_event(by=users["staff"], audience=Audience.MEMBERS, type=EventType.INTELLIGENCE)
    registration_add(actor=users["staff"], event=session, member=users["member"], answers={})
    from messaging.services import conversation_start

    conversation = conversation_start(actor=users["member"], recipients=[users["moderator"]], body="privé")
    from datetime import timedelta

    from django.utils import timezone

    from events.datepolls.services import datepoll_create

    soon = timezone.now() + timedelta(days=3)
    poll = datepoll_create(
        actor=users["group_admin"],
        title="Quand ?",
        slots=[(soon, soon + timedelta(hours=1)), (soon + timedelta(days=1), soon + timedelta(days=1, hours=1))],
        invitees_kind="group",
        group=secret,
    )
    paths = {
        "ws/notifications/": "/ws/notifications/",
        "ws/reseau/": "/ws/reseau/",
        "ws/messages/": "/ws/messages/",
        "ws/messages/<int:pk>/": f"/ws/messages/{conversation.pk}/",
        "ws/groupes/<slug:slug>/": f"/ws/groupes/{secret.slug}/",
        "ws/groupes/<slug:slug>/@open": f"/ws/groupes/{opened.slug}/",
        "ws/groupes/<slug:slug>/sujets/<int:topic_id>/": f"/ws/groupes/{secret.slug}/sujets/{secret_topic.pk}/",
        "ws/groupes/<slug:slug>/sujets/<int:topic_id>/@open": f"/ws/groupes/{opened.slug}/sujets/{open_topic.pk}/",
        "ws/agenda/<slug:slug>/seance/": f"/ws/agenda/{session.slug}/seance/",
        "ws/agenda/sondages/<str:token>/": f"/ws/agenda/sondages/{poll.token}/",
    }
    return users, paths


WS_ROLES = ["anonymous", "pending", "member", "outsider", "moderator", "group_admin", "staff"]
# "ok" = accepted; a number = closed with that code before accepting.
WS_MATRIX = {
    # every logged-in account has its own counter (a pending account only sees its own notifications)
    "ws/notifications/": "4401 ok ok ok ok ok ok",
    # the activity stream: approved members (each joins only the audiences they have)
    "ws/reseau/": "4401 4401 ok ok ok ok ok",
    "ws/messages/": "4401 ok ok ok ok ok ok",
    # a conversation between "member" and "moderator": nobody else, staff included
    "ws/messages/<int:pk>/": "4401 4404 ok 4404 ok 4404 4404",
    # secret group: does not exist for outsiders, pending accounts and staff who are not members
    "ws/groupes/<slug:slug>/": "4401 4404 ok 4404 ok ok 4404",
    "ws/groupes/<slug:slug>/@open": "4401 4404 ok ok ok ok ok",
    "ws/groupes/<slug:slug>/sujets/<int:topic_id>/": "4401 4404 ok 4404 ok ok 4404",
    "ws/groupes/<slug:slug>/sujets/<int:topic_id>/@open": "4401 4404 ok ok ok ok ok",
    # a session: registered (confirmed) people and organisers only
    "ws/agenda/<slug:slug>/seance/": "4401 4404 ok 4404 4404 4404 ok",
    # a secret group's date poll: its members and its organiser (the group admin) only
    "ws/agenda/sondages/<str:token>/": "4401 4404 ok 4404 ok ok 4404",
}


def test_every_websocket_route_is_in_the_matrix():
    routes = {str(p.pattern) for p in websocket_urlpatterns}
    assert routes == {key.split("@")[0] for key in WS_MATRIX}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_websocket_matrix_and_foreign_origin():
    users, paths = _ws_world()
    wrong = []
    for key, row in WS_MATRIX.items():
        for role, expected in zip(WS_ROLES, row.split(), strict=True):
            connected, code = _connect(paths[key], _headers(users[role]))
            got = "ok" if connected else str(code)
            if got != expected:
                wrong.append(f"{key} {role}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
    # A foreign Origin (cross-site websocket hijacking) is refused before any consumer runs,
    # even for a member whose cookie the browser would send along.
    for key in paths:
        for origin in (b"https://evil.example", b"http://testserver.evil.example", b"null"):
            connected, code = _connect(paths[key], _headers(users["member"], origin=origin))
            assert not connected, f"{key} accepted Origin {origin!r}"
    # the same member from our own origin is accepted (the refusal above is the Origin's doing)
    assert _connect(paths["ws/notifications/"], _headers(users["member"]))[0] is True


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="community.backends.ModelBackend")
    for url, data in [
        (reverse("community:profile_edit"), {"display_name": "Pirate"}),
        (reverse("groups:group_create"), {"name": "Groupe CSRF", "access": "open", "kind": "working"}),
        (reverse("community:my_data_erase"), {"confirm": "on"}),
        (reverse("community:notification_read_all"), {}),
        (reverse("funding:deadlines_reset"), {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403, url
    member.profile.refresh_from_db()
    assert member.profile.display_name != "Pirate"
    from groups.models import Group

    assert not Group.objects.filter(name="Groupe CSRF").exists()
    # and the login form itself
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("account_login"), {"login": member.email, "password": PASSWORD}).status_code == 403


@pytest.mark.django_db
def test_login_brute_force_is_throttled(settings):
    """With the production limits (base settings), the sixth wrong password locks the account for
    a while: even the right password is then refused, and the form says why."""
    from hub.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    user = UserFactory()
    client = Client()
    for i in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": f"mauvais-{i}"})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session, "the right password got through after 5 failures"
    assert response.status_code == 429 or "Trop de tentatives" in response.content.decode() or "Too many" in response.content.decode()
    # from another address (another client IP) the key limit still holds for this account
    other = Client(REMOTE_ADDR="10.9.8.7")
    other.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in other.session
    # the lock is what refused it: a fresh account from a fresh address logs in at once
    fresh = UserFactory()
    assert Client(REMOTE_ADDR="10.1.2.3").post(reverse("account_login"), {"login": fresh.email, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_production_rate_limits_cover_login(settings):
    """The production value (base settings) limits failed logins; test settings switch it off."""
    from hub.settings import base

    limits = getattr(base, "ACCOUNT_RATE_LIMITS", None)
    from allauth.account import app_settings

    effective = limits if limits is not None else app_settings.RATE_LIMITS
    assert effective and effective.get("login_failed"), effective


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "/\\/evil.example", "/\t/evil.example", "https://evil.example/"])
def test_no_open_redirect_after_reading_a_notification(member, member_client, target):
    from community.notifications import notification_send

    notification_send(recipient=member, kind="community.test", verb="Une notification", url="/tableau-de-bord/")
    pk = member.notifications.order_by("-pk").first().pk
    response = member_client.post(reverse("community:notification_read", args=[pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("community:notifications"), response["Location"]


@pytest.mark.django_db
def test_login_next_is_not_an_open_redirect():
    user = UserFactory()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = Client().post(reverse("account_login") + f"?next={target}", {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302 and "evil.example" not in response["Location"], response["Location"]


@pytest.mark.django_db
def test_pages_carry_the_browser_side_defences(member_client):
    """What makes an escaping slip harmless in the browser: CSP without inline script, no framing,
    no MIME sniffing."""
    for url in ("/", "/tableau-de-bord/", "/agenda/", "/lieux/", "/compte/login/"):
        response = member_client.get(url, follow=True)
        csp = response.headers.get("Content-Security-Policy", "")
        script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
        assert script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, (url, csp)
        assert "frame-ancestors 'none'" in csp, (url, csp)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
