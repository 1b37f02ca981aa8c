"""The stream's audiences, app by app (``registry.audiences_for``): each provider gives a viewer
exactly what its app's pages let them see. The providers read ids through queries compiled once;
these tests hold them to the rules the pages use."""

import pytest
from django.contrib.auth.models import AnonymousUser

from common.registry import registry
from community.models import Commune, MemberStatus
from funding import services as funding_services
from groups.models import AccessMode, Membership, MembershipStatus
from tests.factories import OrganisationFactory, UserFactory, member_with
from tests.funding.factories import make_call
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db


def _provided(key, viewer) -> set[str]:
    return set(registry.audience_providers[key](viewer))


def test_groups_give_every_open_group_and_only_the_secret_ones_a_member_belongs_to():
    member, outsider = UserFactory(), UserFactory()
    open_group, on_request = make_group(), make_group(access=AccessMode.REQUEST)
    secret, other_secret = make_group(access=AccessMode.SECRET, members=[member]), make_group(access=AccessMode.SECRET)
    invited_to = make_group(access=AccessMode.SECRET)
    Membership.objects.create(group=invited_to, user=member, status=MembershipStatus.INVITED)
    banned_from = make_group(access=AccessMode.SECRET)
    Membership.objects.create(group=banned_from, user=outsider, status=MembershipStatus.BANNED)
    public = {f"group:{g.pk}" for g in (open_group, on_request)}
    assert _provided("groups", member) >= public | {f"group:{secret.pk}", f"group:{invited_to.pk}"}
    assert f"group:{other_secret.pk}" not in _provided("groups", member)
    assert not _provided("groups", outsider) & {f"group:{g.pk}" for g in (secret, other_secret, invited_to, banned_from)}
    assert _provided("groups", outsider) >= public
    pending = UserFactory()
    pending.profile.status = MemberStatus.PENDING
    pending.profile.save()
    assert _provided("groups", pending) == set() and _provided("groups", AnonymousUser()) == set()


def test_events_give_the_groups_a_member_actively_belongs_to():
    member = UserFactory()
    mine, open_group = make_group(members=[member]), make_group()
    requested = make_group(access=AccessMode.REQUEST)
    Membership.objects.create(group=requested, user=member, status=MembershipStatus.REQUESTED)
    assert _provided("events.group_members", member) == {f"group-members:{mine.pk}"}
    assert f"group-members:{open_group.pk}" not in _provided("events.group_members", UserFactory())
    assert _provided("events.group_members", AnonymousUser()) == set()


def test_consortia_give_their_active_members_only():
    lead = member_with(organisation=OrganisationFactory(commune=Commune.objects.get(insee="21231")))
    consortium = funding_services.consortium_create(call=make_call(), actor=lead, name="Numérique en Bourgogne")
    partner = member_with(organisation=OrganisationFactory(commune=Commune.objects.get(insee="25056")))
    funding_services.consortium_request_join(consortium=consortium, actor=partner, role="Ateliers")
    assert _provided("funding.consortia", lead) == {f"consortium:{consortium.pk}"}
    assert _provided("funding.consortia", partner) == set()  # asked, not yet accepted
    assert _provided("funding.consortia", AnonymousUser()) == set()
