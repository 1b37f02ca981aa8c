"""Watches: double opt-in, digests with exactly the new calls, crash safety, unsubscribe, in-app."""

from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from notifications.models import Notification

from community.models import OutboundEmail
from funding import services
from funding.filters import CallFilters
from funding.models import AlertDelivery, Watch
from funding.services import alerts as alerts_module
from tests.factories import UserFactory

from .factories import make_call

pytestmark = pytest.mark.django_db


def _mails():
    """E-mails leave the outbox after commit; tests run in a transaction, so deliver them here."""
    from community.outbox import outbox_sweep

    outbox_sweep()
    return mail.outbox


def _confirm(watch):
    message = [m for m in _mails() if "Confirmez" in m.subject][-1]
    token = message.body.split("/alertes/confirmer/")[1].split("/")[0]
    return services.watch_confirm_email(token=token)


def _watch(user, frequency="daily", **criteria):
    return services.watch_create(actor=user, name="Médiation", filters=CallFilters.from_criteria(criteria), frequency=frequency)


def _digest_titles(message):
    return {line[2:].split(" (")[0] for line in message.body.splitlines() if line.startswith("- ")}


def test_email_watch_needs_confirmation(member, client):
    watch = _watch(member, themes=["inclusion_numerique"])
    assert [m.to for m in _mails() if "Confirmez" in m.subject] == [[member.email]]
    make_call(title="Appel avant confirmation")
    assert services.alerts_run(frequencies=["daily"]).emails == 0
    watch = _confirm(watch)
    assert watch.email_confirmed_at is not None


def test_confirmation_page_without_login(member, client):
    watch = _watch(member)
    token = services.watch_token(watch, services.CONFIRM_SALT)
    response = client.get(f"/financements/alertes/confirmer/{token}/")
    assert response.status_code == 200
    watch.refresh_from_db()
    assert watch.email_confirmed_at is None  # a mail scanner's GET confirms nothing
    client.post(f"/financements/alertes/confirmer/{token}/")
    watch.refresh_from_db()
    assert watch.email_confirmed_at is not None
    assert client.get("/financements/alertes/confirmer/faux-jeton/").status_code == 404


def test_digest_lists_exactly_the_new_calls_never_twice(member):
    make_call(title="Publié avant l'alerte")
    watch = _confirm(_watch(member, themes=["inclusion_numerique"]))
    make_call(title="Premier nouveau")
    make_call(title="Deuxième nouveau")
    make_call(title="Hors sujet", themes=("equipement",))
    make_call(title="Brouillon", publish=False)
    mail.outbox.clear()
    assert services.alerts_run(frequencies=["daily"]).emails == 1
    assert [_digest_titles(m) for m in _mails()] == [{"Premier nouveau", "Deuxième nouveau"}]
    mail.outbox.clear()
    assert services.alerts_run(frequencies=["daily"]).emails == 0 and not _mails()
    draft = Watch.objects.get(pk=watch.pk)
    from funding.models import FundingCall

    services.call_publish(call=FundingCall.objects.get(title="Brouillon"), actor=UserFactory(is_staff=True))
    make_call(title="Troisième nouveau")
    services.alerts_run(frequencies=["daily"])
    assert [_digest_titles(m) for m in _mails()] == [{"Brouillon", "Troisième nouveau"}]
    assert AlertDelivery.objects.filter(watch=draft).count() == 2


def test_digest_has_one_click_unsubscribe(member, client):
    _confirm(_watch(member))
    make_call(title="Nouveau")
    mail.outbox.clear()
    services.alerts_run(frequencies=["daily"])
    message = _mails()[0]
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body
    path = url.split("testserver")[-1] if "testserver" in url else "/" + url.split("/", 3)[3]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200  # no login, no CSRF token: RFC 8058 one-click
    watch = Watch.objects.get()
    assert watch.unsubscribed_at is not None and not watch.email_active
    make_call(title="Après désabonnement")
    mail.outbox.clear()
    services.alerts_run(frequencies=["daily"])
    assert not _mails()
    assert client.post(path.replace(path.split("/")[-2], "jeton-invalide")).status_code == 404


def test_crash_mid_batch_loses_and_duplicates_nothing(member, other_member):
    first = _confirm(_watch(member))
    second = _confirm(_watch(other_member))
    make_call(title="Appel A")
    make_call(title="Appel B")
    real = alerts_module._alert_email
    calls = {"n": 0}

    def flaky(watch, *args):
        calls["n"] += 1
        if watch.pk == second.pk:
            raise RuntimeError("le worker s'arrête")
        return real(watch, *args)

    with mock.patch.object(alerts_module, "_alert_email", flaky), pytest.raises(RuntimeError):
        services.alerts_run(frequencies=["daily"])
    assert OutboundEmail.objects.filter(kind="funding.alert", recipient=member).count() == 1
    assert OutboundEmail.objects.filter(kind="funding.alert", recipient=other_member).count() == 0
    assert Watch.objects.get(pk=second.pk).cursor == second.cursor  # rolled back with the e-mail
    make_call(title="Appel C")
    mail.outbox.clear()
    services.alerts_run(frequencies=["daily"])
    by_recipient = {m.to[0]: _digest_titles(m) for m in _mails()}
    assert by_recipient == {member.email: {"Appel C"}, other_member.email: {"Appel A", "Appel B", "Appel C"}}
    assert Watch.objects.get(pk=first.pk).deliveries.count() == 2


def test_concurrent_run_cannot_send_a_window_twice(member):
    watch = _confirm(_watch(member))
    make_call(title="Appel A")
    stale = list(services.watches_due(frequencies=["daily"], upper=timezone.now()))
    services.alerts_run(frequencies=["daily"])
    # A second runner that loaded the watch before the first committed: its conditional update loses.
    with mock.patch.object(alerts_module, "watches_due", return_value=stale):
        assert services.alerts_run(frequencies=["daily"]).emails == 0
    assert OutboundEmail.objects.filter(kind="funding.alert").count() == 1
    assert watch.deliveries.count() == 1


def test_instant_watch_notifies_in_app(member):
    watch = _watch(member, frequency="instant", q="tiers-lieux")
    assert not [m for m in _mails() if "Confirmez" in m.subject]
    make_call(title="Tiers-lieux ruraux")
    make_call(title="Autre chose")
    assert services.alerts_run(frequencies=["instant"]).alerts == 1
    note = Notification.objects.get(recipient=member)
    assert "1 nouvel" in note.verb and note.data["url"] == f"/financements/alertes/{watch.pk}/"


def test_matching_costs_fixed_queries(member):
    def run(n):
        for _ in range(n):
            user = UserFactory()
            Watch.objects.create(
                user=user,
                name="w",
                criteria={"my_territory": True, "themes": ["inclusion_numerique"]},
                frequency="daily",
                email_confirmed_at=timezone.now(),
            )
        for _ in range(3):
            make_call()
        watches = list(services.watches_due(frequencies=["daily"], upper=timezone.now()))
        with CaptureQueriesContext(connection) as ctx:
            services.watches_match(watches=watches, upper=timezone.now())
        return len(ctx.captured_queries), len(watches)

    small, n_small = run(2)
    big, n_big = run(20)
    assert n_big > n_small and small == big == 1


def test_member_watch_pages(member_client, member, other_member, client_for):
    watch = _watch(member, frequency="weekly", q="fablab")
    response = member_client.get(f"/financements/alertes/{watch.pk}/")
    assert response.status_code == 200 and "en attente de confirmation" in response.content.decode()
    assert client_for(other_member).get(f"/financements/alertes/{watch.pk}/").status_code == 404
    assert client_for(other_member).post(f"/financements/alertes/{watch.pk}/supprimer/").status_code == 404
    member_client.post(f"/financements/alertes/{watch.pk}/", {"name": "Fablabs", "frequency": "instant"})
    watch.refresh_from_db()
    assert watch.name == "Fablabs" and watch.frequency == "instant"
    member_client.post(f"/financements/alertes/{watch.pk}/supprimer/")
    assert not Watch.objects.filter(pk=watch.pk).exists()


def test_save_search_from_list_page(member_client, member):
    response = member_client.post(
        "/financements/alertes/nouvelle/?q=tiers&themes=tiers_lieux&my_territory=on", {"name": "Tiers", "frequency": "daily"}
    )
    watch = Watch.objects.get(user=member)
    assert response.status_code == 302 and watch.criteria == {
        "q": "tiers",
        "themes": ["tiers_lieux"],
        "my_territory": True,
        "sort": "deadline",
    }
    assert [m for m in _mails() if "Confirmez" in m.subject]


def test_periodic_jobs_and_cron_command(member, capsys):
    from django.core.management import call_command

    from ops.scheduler import JOBS

    assert {"funding.poll_sources", "funding.alerts_instant", "funding.alerts_daily", "funding.alerts_weekly", "funding.deadlines"} <= set(
        JOBS
    )
    _confirm(_watch(member, frequency="weekly"))
    make_call(title="Hebdomadaire")
    call_command("funding_alerts", "daily")
    assert "0 envoi" in capsys.readouterr().out
    call_command("funding_alerts", "weekly")
    assert "1 envoi(s), dont 1 e-mail(s)" in capsys.readouterr().out
    assert [_digest_titles(m) for m in _mails() if "Hebdomadaire" in m.body] == [{"Hebdomadaire"}]


def test_erased_or_inactive_member_gets_no_alert(member):
    _confirm(_watch(member))
    member.is_active = False
    member.save()
    make_call(title="Pour personne")
    assert services.alerts_run(frequencies=["daily"]).watches == 0
