"""Item 1 of issue 15: members report calls; staff publish, merge or decline; reporter credited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community.models import Activity
from funding import services
from funding.models import CallState, FundingCall
from funding.personal_data import export_funding
from tests.factories import UserFactory

from .factories import make_call

pytestmark = pytest.mark.django_db


def _data(**extra):
    data = {
        "title": "Appel « Numérique solidaire » 2027",
        "funders": "Fondation Orange",
        "official_url": "https://fondation.exemple.org/numerique-solidaire",
        "deadline": timezone.localdate() + timedelta(days=40),
        "scope": "national",
        "themes": ",inclusion_numerique,",
        "beneficiaries": ",association,",
        "amount_max": 20000,
        "description": "",
    }
    data.update(extra)
    return data


def _post_data(**extra):
    data = {
        "official_url": "https://fondation.exemple.org/numerique-solidaire",
        "title": "Appel « Numérique solidaire » 2027",
        "funders": "Fondation Orange",
        "deadline": (timezone.localdate() + timedelta(days=40)).isoformat(),
        "scope": "national",
        "amount_max": "20000",
        "themes_list": ["inclusion_numerique"],
        "beneficiaries_list": ["association"],
    }
    data.update(extra)
    return data


def test_member_reports_a_call_into_the_review_queue(member_client, member, staff_client):
    response = member_client.post("/financements/signaler/", _post_data())
    assert response.status_code == 302 and response["Location"] == "/financements/mes-signalements/"
    call = FundingCall.objects.get()
    assert call.state == CallState.DRAFT and call.reported_by == member and call.themes == ",inclusion_numerique,"
    assert call.amount_max == 20000
    # not visible to members until published, listed in the staff queue with its reporter
    assert member_client.get(call.get_absolute_url()).status_code == 404
    queue = staff_client.get("/financements/relecture/").content.decode()
    assert call.title.replace("«", "&laquo;") in queue or "Numérique solidaire" in queue
    assert f"Signalé par {member.public_name}" in queue
    assert "Numérique solidaire" in member_client.get("/financements/mes-signalements/").content.decode()


def test_a_deadline_in_the_past_is_a_french_error_and_nothing_is_saved(member_client, member):
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = member_client.post("/financements/signaler/", _post_data(deadline=past))
    assert response.status_code == 400
    assert "date limite est déjà passée" in response.content.decode()
    assert not FundingCall.objects.exists()
    with pytest.raises(ValidationError):
        services.call_report(actor=member, data=_data(deadline=timezone.localdate() - timedelta(days=3)))


def test_a_duplicate_of_a_published_call_is_refused_with_its_name(member_client, member):
    known = make_call(title="Appel « Numérique solidaire » 2027", funders="Fondation Orange", official_url="https://autre.exemple/x")
    response = member_client.post("/financements/signaler/", _post_data())
    page = response.content.decode()
    assert response.status_code == 400 and "déjà sur Maillage" in page and known.get_absolute_url() in page
    assert FundingCall.objects.count() == 1
    # same URL, different title: a duplicate too
    make_call(title="Tout autre titre", funders="ANCT", official_url="https://anct.exemple/appel-tiers-lieux")
    with pytest.raises(ValidationError, match="déjà sur Maillage"):
        services.call_report(
            actor=member, data=_data(title="Fabriques de territoire", official_url="https://anct.exemple/appel-tiers-lieux/")
        )


def test_a_duplicate_of_a_draft_is_flagged_and_staff_merge_it(member, other_member, staff):
    first = services.call_report(actor=member, data=_data())
    with pytest.raises(ValidationError, match="déjà signalé"):
        services.call_report(actor=member, data=_data())
    second = services.call_report(actor=other_member, data=_data(title="Appel Numérique solidaire 2027"))
    assert second.duplicate_of == first and first.duplicate_of is None
    services.call_merge(call=second, into=first, actor=staff)
    second.refresh_from_db()
    assert second.state == CallState.MERGED and second.duplicate_of == first
    note = other_member.notifications.get()
    assert "déjà connu" in note.verb and first.get_absolute_url() in note.data["url"]
    with pytest.raises(PermissionDenied):
        services.call_merge(call=first, into=second, actor=member)
    with pytest.raises(ValidationError):
        services.call_merge(call=second, into=first, actor=staff)  # already merged


def test_staff_publish_credits_and_notifies_the_reporter(member, staff, member_client):
    call = services.call_report(actor=member, data=_data())
    services.call_publish(call=call, actor=staff)
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED
    note = member.notifications.get()
    assert "publié" in note.verb
    item = Activity.objects.get(object_ref=f"funding.call:{call.pk}")
    assert item.actor == member and item.audience == "members"
    page = member_client.get(call.get_absolute_url()).content.decode()
    assert f"Appel signalé par {member.public_name}" in page


def test_decline_needs_a_reason_that_reaches_the_reporter(member, staff, staff_client, member_client):
    call = services.call_report(actor=member, data=_data())
    with pytest.raises(ValidationError, match="motif"):
        services.call_reject(call=call, actor=staff)
    response = staff_client.post(f"/financements/appel/{call.slug}/ecarter/etat/", {"next": "review"})
    call.refresh_from_db()
    assert response.status_code == 302 and call.state == CallState.DRAFT
    staff_client.post(f"/financements/appel/{call.slug}/ecarter/etat/", {"next": "review", "reason": "Réservé aux communes."})
    call.refresh_from_db()
    assert call.state == CallState.REJECTED and call.decline_reason == "Réservé aux communes."
    note = member.notifications.get()
    assert "pas retenu" in note.verb and note.description == "Réservé aux communes."
    assert "Réservé aux communes." in member_client.get("/financements/mes-signalements/").content.decode()


def test_merge_view_from_the_review_queue(member, other_member, staff_client, member_client):
    first = services.call_report(actor=member, data=_data())
    second = services.call_report(actor=other_member, data=_data(title="Appel Numérique solidaire 2027"))
    page = staff_client.get("/financements/relecture/").content.decode()
    assert "Doublon probable" in page and f"/financements/appel/{second.slug}/fusionner/" in page
    assert member_client.post(f"/financements/appel/{second.slug}/fusionner/").status_code == 403
    assert staff_client.post(f"/financements/appel/{first.slug}/fusionner/").status_code == 404  # nothing to merge into
    assert staff_client.post(f"/financements/appel/{second.slug}/fusionner/").status_code == 302
    assert FundingCall.objects.get(pk=second.pk).state == CallState.MERGED


def test_pending_members_and_visitors_cannot_report(client, pending_client):
    assert client.get("/financements/signaler/").status_code == 302
    assert pending_client.post("/financements/signaler/", _post_data()).status_code in (302, 403)
    assert not FundingCall.objects.exists()
    with pytest.raises(PermissionDenied):
        services.call_report(actor=UserFactory(profile_data={"status": "pending"}), data=_data())


def test_reports_are_in_the_rgpd_export(member):
    services.call_report(actor=member, data=_data())
    assert export_funding(member)["appels_signales"][0]["lien"] == "https://fondation.exemple.org/numerique-solidaire"


def test_review_queue_query_count_does_not_grow(staff_client, django_assert_max_num_queries):
    def fill(n):
        for i in range(n):
            reporter = UserFactory()
            services.call_report(actor=reporter, data=_data(title=f"Appel signalé {i} {i * 7}", official_url=f"https://e.exemple/{i}"))

    fill(5)
    with django_assert_max_num_queries(12) as ctx:
        staff_client.get("/financements/relecture/")
    small = len(ctx.captured_queries)
    fill(45)
    with django_assert_max_num_queries(small):
        staff_client.get("/financements/relecture/")
