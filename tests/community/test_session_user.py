"""Issue 18 item 2: the logged-in user comes with their profile in one query, the header's two
counters come in one query, and neither is cached past the request (a new notification or message
shows on the next page at once)."""

import re
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import queries
from common.queries import CompiledQuery
from community.models import User
from community.notifications import notification_mark_all_read, notification_send
from hub.context_processors import header_counters
from messaging.models import Conversation
from messaging.services import conversation_mark_read
from tests.factories import UserFactory
from tests.messaging.factories import make_conversation

pytestmark = pytest.mark.django_db
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def _badges(html: str) -> tuple[str, str]:
    """The numbers in the header's notification and message badges."""
    found = re.findall(r'<span class="badge" data-count[^>]*>(\d+)</span>', html)
    assert len(found) == 2, found
    return found[0], found[1]


def test_user_and_profile_load_in_one_query(member_client, member):
    with CaptureQueriesContext(connection) as ctx:
        response = member_client.get(reverse("community:dashboard"))
    assert response.status_code == 200 and member.profile.display_name in response.content.decode()
    loaders = [q["sql"] for q in ctx.captured_queries if 'FROM "community_user"' in q["sql"] and '"community_user"."password"' in q["sql"]]
    assert len(loaders) == 1 and 'JOIN "community_profile"' in loaders[0], loaders
    alone = [q["sql"] for q in ctx.captured_queries if 'FROM "community_profile" WHERE "community_profile"."user_id" =' in q["sql"]]
    assert alone == [], "the viewer's profile was loaded again on its own"


@pytest.mark.parametrize("backend", ["community.backends.ModelBackend", "community.backends.AuthenticationBackend"])
def test_the_session_user_loader_finds_members_only(member, backend):
    from django.utils.module_loading import import_string

    loader = import_string(backend)()
    with CaptureQueriesContext(connection) as ctx:
        user = loader.get_user(str(member.pk))
        assert user == member and user.profile.display_name == member.profile.display_name
    assert len(ctx.captured_queries) == 1  # the profile with the user
    user.first_name = "Renommée"
    user.save(update_fields=["first_name"])  # a user loaded this way saves as any other
    member.refresh_from_db()
    assert member.first_name == "Renommée"
    assert loader.get_user("pas-un-nombre") is None and loader.get_user(None) is None and loader.get_user(2**70) is None
    assert loader.get_user(member.pk + 10_000) is None
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert loader.get_user(member.pk) is None


def test_session_opened_under_a_stock_backend_stays_logged_in_and_is_carried_over(member):
    session = SessionStore()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get(reverse("community:dashboard"))
    assert response.status_code == 200 and member.profile.display_name in response.content.decode()
    assert SessionStore(session.session_key).load()[BACKEND_SESSION_KEY] == "community.backends.AuthenticationBackend"


def test_a_changed_password_still_ends_other_sessions(member):
    client = Client()
    client.force_login(member, backend="community.backends.ModelBackend")
    member.set_password("un-autre-mot-de-passe-long")
    member.save()
    response = client.get(reverse("community:dashboard"))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_pending_member_is_still_sent_to_the_waiting_page(pending_user, client_for):
    response = client_for(pending_user).get(reverse("groups:group_list"))
    assert response.status_code == 302 and response["Location"] == reverse("community:pending")


def test_header_counters_show_a_new_notification_and_message_at_once(member, other_member, client_for):
    client = client_for(member)
    url = reverse("groups:group_list")
    assert _badges(client.get(url).content.decode()) == ("0", "0")
    notification_send(recipient=member, kind="mention", verb="vous a mentionné", actor=other_member)
    assert _badges(client.get(url).content.decode()) == ("1", "0")
    conversation = make_conversation(other_member, member, body="Bonjour")
    assert _badges(client.get(url).content.decode()) == ("1", "1")
    notification_mark_all_read(actor=member)
    conversation_mark_read(actor=member, conversation=Conversation.objects.get(pk=conversation.pk))
    assert _badges(client.get(url).content.decode()) == ("0", "0")


def test_header_counters_are_one_query(member, other_member, client_for):
    make_conversation(other_member, member, body="Bonjour")
    client = client_for(member)
    client.get(reverse("groups:group_list"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("groups:group_list"))
    counters = [q["sql"] for q in ctx.captured_queries if "notifications_notification" in q["sql"] or "messaging_participant" in q["sql"]]
    assert len(counters) == 1 and "notifications_notification" in counters[0] and "messaging_participant" in counters[0], counters
    assert header_counters(member.pk) == (0, 1) and header_counters(other_member.pk) == (0, 0)


def test_compiled_query_runs_with_each_value_and_refuses_a_missing_stand_in():
    users = [UserFactory(), UserFactory()]
    query = CompiledQuery(lambda pk, email: User.objects.filter(pk=pk, email=email).values_list("pk"), pk=queries.INT, email=queries.TEXT)
    assert [query.first_row(pk=u.pk, email=u.email) for u in users] == [(u.pk,) for u in users]
    assert query.first_row(pk=users[0].pk, email=users[1].email) is None
    rows = CompiledQuery(lambda pk: User.objects.filter(pk=pk).select_related(None), pk=queries.INT)
    assert [(u.pk, u.email, u.date_joined) for u in rows.raw(User, pk=users[1].pk)] == [(users[1].pk, users[1].email, users[1].date_joined)]
    # an integer no 64-bit column holds finds nothing, as with the ORM, instead of a database error
    assert query.first_row(pk=2**63, email=users[0].email) is None and rows.raw(User, pk=-(2**70)) == []
    assert rows.instances(pk=10**30) == [] and [u.pk for u in rows.instances(pk=users[0].pk)] == [users[0].pk]
    with pytest.raises(ValueError):  # the stand-in never reaches the parameters
        CompiledQuery(lambda pk: User.objects.filter(pk=1).values_list("pk"), pk=queries.INT).first_row(pk=1)
