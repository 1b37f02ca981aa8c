"""The activity stream's core: items carry an audience; a viewer sees only the audiences the
registry gives them."""

import pytest

from common.registry import registry
from community.activity import activity_list_for_viewer, activity_record, activity_set_audience, activity_withdraw
from community.models import Activity, ActivityKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _titles(viewer, **filters):
    return [a.title for a in activity_list_for_viewer(viewer=viewer, **filters)]


def test_viewers_see_only_their_audiences(member, other_member, staff, pending_user, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    activity_record(verb="x.public", title="Public", url="/", audience="public", kind=ActivityKind.EVENTS)
    activity_record(verb="x.members", title="Membres", url="/", audience="members", actor=member, summary="**gras** _et_ [lien](/x)")
    activity_record(verb="x.mine", title="Pour moi", url="/", audience=f"user:{member.pk}")
    activity_record(verb="x.staff", title="Équipe", url="/", audience="staff")
    activity_record(verb="x.group", title="Groupe 7", url="/", audience="group:7", group_id=7)
    assert _titles(AnonymousUser()) == ["Public"]
    assert _titles(pending_user) == ["Public"]
    assert set(_titles(member)) == {"Public", "Membres", "Pour moi"}
    assert set(_titles(other_member)) == {"Public", "Membres"}
    assert set(_titles(staff)) == {"Public", "Membres", "Équipe"}
    assert Activity.objects.get(verb="x.members").summary == "gras et lien"  # a plain excerpt, no Markdown


def test_higher_apps_add_audiences_through_the_registry(member, other_member, monkeypatch):
    monkeypatch.setitem(registry.audience_providers, "test", lambda viewer: {"group:7"} if viewer == member else set())
    activity_record(verb="x.group", title="Groupe 7", url="/", audience="group:7", group_id=7)
    activity_record(verb="x.other", title="Groupe 8", url="/", audience="group:8", group_id=8)
    assert _titles(member) == ["Groupe 7"]
    assert _titles(other_member) == []
    assert _titles(member, group_ids=[8]) == []  # a forged filter only narrows what is visible


def test_filters_withdraw_and_rescope(member, other_member):
    author = UserFactory()
    activity_record(verb="e", title="Événement", url="/", audience="members", kind=ActivityKind.EVENTS, object_ref="events.event:1")
    activity_record(verb="f", title="Appel", url="/", audience="members", kind=ActivityKind.FUNDING, actor=author)
    activity_record(verb="g", title="Sujet", url="/", audience="members", kind=ActivityKind.GROUPS, group_id=3, object_ref="groups.topic:9")
    assert _titles(member, kind=ActivityKind.EVENTS) == ["Événement"]
    assert _titles(member, actor_ids=[author.pk]) == ["Appel"]
    assert set(_titles(member, group_ids=[3], actor_ids=[author.pk])) == {"Appel", "Sujet"}
    assert activity_set_audience(audience="group:3", group_id=3) == 1
    assert "Sujet" not in _titles(member)
    assert activity_withdraw(object_ref="events.event:1") == 1
    assert _titles(member) == ["Appel"]


def test_bad_items_are_refused():
    with pytest.raises(ValueError):
        activity_record(verb="x", title="t", url="/", audience="")
    with pytest.raises(ValueError):
        activity_record(verb="x", title="t", url="/", audience="public", kind="nope")
    assert not Activity.objects.exists()
