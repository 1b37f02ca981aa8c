"""The dashboard's "Mes groupes" panel: the member's groups and the latest topics of those groups only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups import selectors, services
from groups.models import AccessMode, Topic
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db


def _panel(client) -> str:
    html = client.get(reverse("community:dashboard")).content.decode()
    start = html.index('aria-labelledby="panel-groups"')
    return html[start : html.index("</section>", start)]


def test_the_panel_shows_the_member_s_groups_and_their_topics_never_a_secret_group_s(member, owner, member_client):
    mine = make_group(owner=owner, access=AccessMode.REQUEST, name="Le mien", members=[member])
    secret = make_group(owner=owner, access=AccessMode.SECRET, name="Très secret")
    services.topic_create(group=mine, actor=owner, title="Sujet à lire", body="Bonjour")
    services.topic_create(group=secret, actor=owner, title="Sujet caché", body="Chut")
    hidden = services.topic_create(group=mine, actor=owner, title="Sujet masqué", body="Masqué")
    Topic.objects.filter(pk=hidden.pk).update(is_hidden=True)
    panel = _panel(member_client)
    assert "Le mien" in panel and "Sujet à lire" in panel and "(nouveau)" in panel
    assert f'href="{mine.get_absolute_url()}"' in panel
    assert "Très secret" not in panel and "Sujet caché" not in panel and "Sujet masqué" not in panel
    outsider_topics = selectors.latest_topics_for(user=owner)  # the owner is in both groups: their own view
    assert {t.title for t in outsider_topics} >= {"Sujet à lire", "Sujet caché"}
    assert [t.title for t in selectors.latest_topics_for(user=member)] == ["Sujet à lire"]


def test_the_panel_costs_the_same_queries_for_two_and_eight_groups(member, owner, member_client):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            _panel(member_client)
        return len(ctx)

    for n in range(2):
        group = make_group(owner=owner, name=f"Groupe {n}", members=[member])
        services.topic_create(group=group, actor=owner, title=f"Sujet {n}", body="Texte")
    small = queries()
    for n in range(2, 8):
        group = make_group(owner=owner, name=f"Groupe {n}", members=[member])
        services.topic_create(group=group, actor=owner, title=f"Sujet {n}", body="Texte")
    assert queries() == small
    groups = selectors.my_groups(user=member)
    assert len(groups) == 8 and all(g.last_activity for g in groups)
    assert len(selectors.latest_topics_for(user=member)) == 6
