"""The notification list a newcomer reads: one row per thread, plain-text excerpts, bold only when unread."""

import pytest
from django.urls import reverse
from notifications.models import Notification

from community.notifications import notification_mark_read, notification_send
from community.selectors import notification_rows, notifications_for
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _replies(member, target, n, kind="forum_reply"):
    return [
        notification_send(recipient=member, kind=kind, verb=f"Réponse {i} dans « Bus numérique »", target=target, url="/groupes/")
        for i in range(n)
    ]


def test_five_replies_on_one_object_are_one_row_and_reading_it_reads_the_thread(member):
    topic, other = OrganisationFactory(), OrganisationFactory()  # any two objects to be "about"
    sent = _replies(member, topic, 5)
    _replies(member, other, 1)
    notification_send(recipient=member, kind="system", verb="Bienvenue")
    notification_send(recipient=member, kind="system", verb="Bienvenue encore")  # no object: never grouped

    rows = notification_rows(notifications_for(user=member))
    assert [row.count for row in rows] == [1, 1, 1, 5]
    assert rows[-1].latest == sent[-1] and rows[-1].unread

    assert notification_mark_read(actor=member, notification_id=sent[0].pk)
    assert not Notification.objects.filter(pk__in=[n.pk for n in sent], unread=True).exists()
    assert Notification.objects.filter(recipient=member, unread=True).count() == 3  # the other thread and the two singles


def test_reading_someone_elses_notification_does_nothing(member, other_member):
    n = notification_send(recipient=other_member, kind="system", verb="Privé")
    assert notification_mark_read(actor=member, notification_id=n.pk) is False
    n.refresh_from_db()
    assert n.unread


def test_the_list_shows_a_plain_excerpt_a_thread_count_and_a_french_relative_time(client_for, member):
    topic = OrganisationFactory()
    _replies(member, topic, 3)
    notification_send(recipient=member, kind="system", verb="Inscriptions", description="Il reste **6 personnes** sur la liste.")
    page = client_for(member).get(reverse("community:notifications")).content.decode()
    assert "Il reste 6 personnes sur la liste." in page and "**" not in page
    assert "3 notifications" in page
    assert "il y a 0" not in page and "<time" in page
    assert page.count('class="notification-row is-unread"') == 2


def test_preferences_are_one_grid_of_radios_kind_by_channel(client_for, member):
    c = client_for(member)
    page = c.get(reverse("community:notification_preferences")).content.decode()
    assert "<select" not in page and page.count("<tbody>") == 1
    assert page.count('type="radio" name="system"') == 5  # one radio per channel on each kind's row
    assert 'scope="col">Résumé quotidien</th>' in page
    response = c.post(reverse("community:notification_preferences"), {"system": "weekly"})
    assert response.status_code == 302
    assert dict(member.notification_preferences.values_list("kind", "delivery")) == {"system": "weekly"}
    bad = c.post(reverse("community:notification_preferences"), {"system": "pigeon"})
    assert bad.status_code == 200 and "pigeon" in bad.content.decode()  # refused, said, nothing saved
    assert dict(member.notification_preferences.values_list("kind", "delivery")) == {"system": "weekly"}
