"""Issue 15 item 6: a consortium looking for partners is announced to the members whose watch or
skills match, honouring their notification preferences, and only once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from notifications.models import Notification

from community.models import Department, NotificationPreference
from funding import services
from funding.filters import CallFilters
from funding.models import ConsortiumAnnouncement
from tests.factories import OrganisationFactory, member_with

from .factories import make_call

pytestmark = pytest.mark.django_db


def _member(dep="39", skills=()):
    return member_with(organisation=OrganisationFactory(commune=None), department=Department.objects.get(code=dep), skills=list(skills))


def _told(user):
    return Notification.objects.filter(recipient=user, data__kind="funding.partner")


@pytest.fixture
def world():
    call = make_call(themes=("acces_aux_droits",), beneficiaries=("association",))
    lead = _member("21", skills=["Animation d'ateliers collectifs"])
    watcher = _member("25")
    services.watch_create(actor=watcher, name="Droits", filters=CallFilters(themes=("acces_aux_droits",)), frequency="instant")
    skilled = _member("39", skills=["Accès aux droits"])
    unrelated = _member("70", skills=["Bureautique"])
    consortium = services.consortium_create(call=call, actor=lead, name="Droits BFC")
    return consortium, lead, watcher, skilled, unrelated


def test_watchers_and_skilled_members_are_told_why(world):
    consortium, lead, watcher, skilled, unrelated = world
    assert services.consortia_partners_announce() == 1
    reasons = dict(ConsortiumAnnouncement.objects.filter(consortium=consortium).values_list("user_id", "reason"))
    assert reasons == {watcher.pk: "l'appel correspond à votre alerte de veille", skilled.pk: "compétence : Accès aux droits"}
    note = _told(skilled).get()
    assert "Droits BFC" in note.verb and note.description == "Pourquoi vous : compétence : Accès aux droits."
    assert note.data["url"] == consortium.get_absolute_url()
    assert not _told(unrelated).exists() and not _told(lead).exists()


def test_announced_once_whatever_the_retries(world):
    consortium, lead, watcher, skilled, unrelated = world
    assert services.consortia_partners_announce() == 1
    assert services.consortia_partners_announce() == 0
    consortium.refresh_from_db()
    assert services.consortium_partners_announce(consortium=consortium) == 0
    # closing the search and opening it again does not announce it a second time
    services.consortium_update(consortium=consortium, actor=lead, looking_for_partners=False, visibility="members", partners_wanted="")
    services.consortium_update(consortium=consortium, actor=lead, looking_for_partners=True, visibility="members", partners_wanted="")
    services.consortia_partners_announce()
    assert _told(skilled).count() == 1 and _told(watcher).count() == 1


def test_preferences_are_honoured(world):
    consortium, lead, watcher, skilled, unrelated = world
    NotificationPreference.objects.create(user=skilled, kind="funding.partner", delivery="off")
    services.consortia_partners_announce()
    assert not _told(skilled).exists() and _told(watcher).exists()


def test_private_consortia_wait_until_visible_and_members_are_not_told(world):
    consortium, lead, watcher, skilled, unrelated = world
    services.consortium_update(consortium=consortium, actor=lead, looking_for_partners=True, visibility="private", partners_wanted="")
    assert services.consortia_partners_announce() == 0 and not ConsortiumAnnouncement.objects.exists()
    services.consortium_invite(consortium=consortium, actor=lead, user=skilled)
    services.consortium_update(
        consortium=consortium, actor=lead, looking_for_partners=True, visibility="members", partners_wanted="Bureautique et tableurs"
    )
    assert services.consortia_partners_announce() == 1
    told = set(ConsortiumAnnouncement.objects.values_list("user_id", flat=True))
    # invited already: not told; "Bureautique" named in the wanted partners: told
    assert told == {watcher.pk, unrelated.pk}


def test_the_call_perimeter_limits_skill_matches(world):
    consortium, lead, watcher, skilled, unrelated = world
    call = consortium.call
    call.scope, call.department = "department", Department.objects.get(code="25")
    call.save()
    assert skilled.pk not in services.partner_announcement_recipients(consortium=consortium)


def test_recipients_cost_a_fixed_number_of_queries(world):
    consortium = world[0]
    with CaptureQueriesContext(connection) as small:
        services.partner_announcement_recipients(consortium=consortium)
    for i in range(20):
        user = _member("39" if i % 2 else "25", skills=["Accès aux droits"])
        services.watch_create(actor=user, name="Droits", filters=CallFilters(themes=("acces_aux_droits",)), frequency="instant")
    with CaptureQueriesContext(connection) as big:
        assert len(services.partner_announcement_recipients(consortium=consortium)) == 22
    assert len(big) == len(small)
