"""Pages from the outside: permissions, query counts, working together, deadlines feed, panels, RGPD."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar
from notifications.models import Notification

from community.models import Commune, Organisation
from funding import services
from funding.models import CallInterest, DeadlineReminder, PartnerSearch, Source, Watch
from tests.factories import StaffFactory, UserFactory

from .factories import make_call

pytestmark = pytest.mark.django_db


def test_list_and_detail_permissions(client, member_client, pending_client, staff_client):
    call = make_call(title="Appel public")
    draft = make_call(title="Appel brouillon", publish=False)
    assert client.get("/financements/").status_code == 302
    assert client.get(call.get_absolute_url()).status_code == 302
    assert pending_client.get("/financements/").status_code in (302, 403)
    response = member_client.get("/financements/")
    assert (
        response.status_code == 200 and "Appel public" in response.content.decode() and "Appel brouillon" not in response.content.decode()
    )
    assert member_client.get(call.get_absolute_url()).status_code == 200
    assert member_client.get(draft.get_absolute_url()).status_code == 404
    assert staff_client.get(draft.get_absolute_url()).status_code == 200


def test_staff_pages_forbidden_to_members(member_client, client):
    call = make_call()
    for url in ["/financements/nouveau/", "/financements/relecture/", "/financements/sources/", "/financements/sources/nouvelle/"]:
        assert member_client.get(url).status_code == 403
        assert client.get(url).status_code == 302
    assert member_client.post(f"/financements/appel/{call.slug}/publier/etat/").status_code == 403
    assert member_client.get(f"/financements/appel/{call.slug}/modifier/").status_code == 403


def test_staff_creates_and_publishes_from_review_queue(staff_client):
    response = staff_client.post(
        "/financements/nouveau/",
        {
            "title": "Nouvel appel de l'équipe",
            "funders": "ANCT",
            "kind": "subvention",
            "scope": "department",
            "department": "",
            "themes_list": ["formation"],
        },
    )
    assert response.status_code == 200 and "Choisissez le territoire" in response.content.decode()
    from community.models import Department

    response = staff_client.post(
        "/financements/nouveau/",
        {
            "title": "Nouvel appel de l'équipe",
            "funders": "ANCT",
            "kind": "subvention",
            "scope": "department",
            "department": Department.objects.get(code="21").pk,
            "themes_list": ["formation"],
            "deadline": "2027-01-31",
        },
    )
    assert response.status_code == 302
    queue = staff_client.get("/financements/relecture/").content.decode()
    assert "Nouvel appel de l" in queue
    from funding.models import FundingCall

    call = FundingCall.objects.get(title="Nouvel appel de l'équipe")
    assert call.state == "draft" and call.themes == ",formation,"
    staff_client.post(f"/financements/appel/{call.slug}/publier/etat/", {"next": "review"})
    call.refresh_from_db()
    assert call.state == "published" and call.published_at


def test_list_page_query_count_is_fixed(member_client):
    def count(n):
        for _ in range(n):
            call = make_call()
            CallInterest.objects.create(call=call, user=UserFactory(), kind="applying")
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get("/financements/?sort=newest").status_code == 200
        return len(ctx.captured_queries)

    assert count(10) == count(90)


def test_review_queue_and_sources_query_counts(staff_client):
    source = Source.objects.create(name="S", url="https://exemple.fr/flux")

    def count(n):
        for _ in range(n):
            make_call(publish=False)
            Source.objects.create(name="S", url="https://exemple.fr/flux")
        with CaptureQueriesContext(connection) as ctx:
            staff_client.get("/financements/relecture/")
            staff_client.get("/financements/sources/")
        return len(ctx.captured_queries)

    assert source and count(10) == count(40)


def test_detail_shows_days_left(member_client):
    call = make_call(deadline=timezone.localdate() + timedelta(days=12))
    assert "plus que 12 jours" in member_client.get(call.get_absolute_url()).content.decode()
    permanent = make_call(is_permanent=True)
    assert "Permanent" in member_client.get(permanent.get_absolute_url()).content.decode()


def test_interest_and_applying_visible_with_organisation(member, member_client, client_for):
    org = Organisation.objects.create(name="Centre social Les Tilleuls", type="centre_social")
    member.profile.organisation = org
    member.profile.save()
    call = make_call()
    member_client.post(f"/financements/appel/{call.slug}/interet/", {"kind": "applying"})
    html = client_for(UserFactory()).get(call.get_absolute_url()).content.decode()
    assert "Centre social Les Tilleuls" in html and member.public_name in html
    member_client.post(f"/financements/appel/{call.slug}/interet/", {"kind": "applying"})
    assert not CallInterest.objects.exists()


def test_partner_search_notifies_followers(member, member_client, other_member):
    call = make_call()
    services.interest_toggle(call=call, actor=other_member, kind="interested")
    response = member_client.post(f"/financements/appel/{call.slug}/partenaires/", {"message": "court"})
    assert response.status_code == 400
    member_client.post(
        f"/financements/appel/{call.slug}/partenaires/", {"message": "Nous cherchons une médiathèque partenaire en Côte-d'Or."}
    )
    assert PartnerSearch.objects.filter(author=member).exists()
    note = Notification.objects.get(recipient=other_member)
    assert "cherche des partenaires" in note.verb
    assert not Notification.objects.filter(recipient=member).exists()


def test_share_to_group_lists_only_groups_where_member_may_post(member, member_client, other_member):
    from groups import services as group_services
    from groups.models import Topic

    call = make_call(title="Appel à partager")
    mine = group_services.group_create(actor=member, name="Groupe où je publie")
    theirs = group_services.group_create(actor=other_member, name="Groupe ouvert sans moi")
    secret = group_services.group_create(actor=other_member, name="Groupe secret", access="secret")
    html = member_client.get(call.get_absolute_url()).content.decode()
    assert "Groupe où je publie" in html and "Groupe ouvert sans moi" not in html and "Groupe secret" not in html
    for group in (theirs, secret):
        response = member_client.post(f"/financements/appel/{call.slug}/partager/", {"group": group.pk})
        assert response.status_code == 400
    assert not Topic.objects.filter(title__contains="Appel à partager").exists()
    response = member_client.post(f"/financements/appel/{call.slug}/partager/", {"group": mine.pk, "message": "À regarder !"})
    topic = Topic.objects.get(group=mine)
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert topic.title == "Appel à financement : Appel à partager" and topic.author == member
    with pytest.raises(PermissionDenied):
        services.call_share_to_group(call=call, group=theirs, actor=member)


def test_calendar_feed(member, member_client, client):
    followed = make_call(title="Suivi", deadline=timezone.localdate() + timedelta(days=20))
    matched = make_call(title="Tiers-lieux qui matche", themes=("tiers_lieux",), deadline=timezone.localdate() + timedelta(days=40))
    make_call(title="Sans rapport", themes=("equipement",))
    services.interest_toggle(call=followed, actor=member, kind="interested")
    Watch.objects.create(user=member, name="tiers", criteria={"themes": ["tiers_lieux"]}, frequency="none")
    page = member_client.get("/financements/echeances/")
    url = page.context["feed_url"].removeprefix(settings.SITE_URL.rstrip("/"))
    assert url.startswith("/financements/echeances/")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    summaries = {str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert summaries == {"Date limite : Suivi", "Date limite : Tiers-lieux qui matche"}
    assert matched
    member_client.post("/financements/echeances/nouveau-lien/")
    assert client.get(url).status_code == 404


def test_deadline_reminders_once(member):
    call = make_call(deadline=timezone.localdate() + timedelta(days=7))
    services.interest_toggle(call=call, actor=member, kind="applying")
    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    assert DeadlineReminder.objects.count() == 1
    assert "Plus que 7 jour" in Notification.objects.get(recipient=member).verb


def test_dashboard_panels(member, member_client):
    dijon = Commune.objects.get(insee="21231")
    member.profile.commune = dijon
    member.profile.save()
    make_call(title="Appel pour la Côte-d'Or", scope="department", department=dijon.department)
    make_call(title="Appel pour le Doubs", scope="department", department=dijon.department.region.departments.get(code="25"))
    Watch.objects.create(user=member, name="Mon alerte à moi", criteria={}, frequency="none")
    page = member_client.get("/tableau-de-bord/").content.decode()
    html = page[page.index("Financements suggérés pour vous") :]  # the funding panel (the stream above may list any call)
    assert "Financements suggérés pour vous" in html and "Appel pour la Côte-d&#x27;Or" in html and "Appel pour le Doubs" not in html
    assert "Mon alerte à moi" in html


def test_rgpd_export_and_erase(member, other_member):
    from common.registry import registry

    call = make_call()
    services.interest_toggle(call=call, actor=member, kind="interested")
    services.partner_search_create(call=call, actor=member, message="Nous cherchons un partenaire associatif.")
    Watch.objects.create(user=member, name="A", criteria={}, frequency="none")
    data = registry.data_exporters["funding"](member)
    assert data["alertes"][0]["nom"] == "A" and data["interets"] and data["recherches_de_partenaires"]
    registry.account_erasers["funding"](member)
    assert not Watch.objects.filter(user=member).exists() and not CallInterest.objects.filter(user=member).exists()
    assert PartnerSearch.objects.get(author=member).is_open is False


def test_demo_loader_is_idempotent():
    from common.registry import registry
    from funding.models import FundingCall

    StaffFactory(email="equipe@maillage.localhost")
    UserFactory(email="membre@maillage.localhost")
    loader = registry.demo_loaders["funding"][1]
    loader()
    count = FundingCall.objects.count()
    loader()
    assert count == FundingCall.objects.count() >= 40
    assert FundingCall.objects.filter(state="closed").count() >= 5 and FundingCall.objects.filter(state="draft").count() == 2


def test_staff_edits_call_and_polls_broken_source(staff_client):
    from funding.models import FundingCall

    call = make_call(title="Avant", scope="national")
    response = staff_client.post(
        f"/financements/appel/{call.slug}/modifier/",
        {
            "title": "Après",
            "funders": "ANCT",
            "kind": "pret",
            "scope": "commune",
            "commune": "21231",
            "amount_min": 2000,
            "amount_max": 1000,
        },
    )
    assert response.status_code == 200  # amounts in the wrong order: refused with a message
    call.refresh_from_db()
    assert call.title == "Avant"
    response = staff_client.post(
        f"/financements/appel/{call.slug}/modifier/",
        {"title": "Après", "funders": "ANCT", "kind": "pret", "scope": "commune", "commune": "21231", "amount_max": 12000},
    )
    assert response.status_code == 302
    call = FundingCall.objects.get(pk=call.pk)
    assert call.title == "Après" and call.commune.insee == "21231" and call.scope == "commune"
    assert "12" in staff_client.get(call.get_absolute_url()).content.decode()
    source = Source.objects.create(name="Injoignable", url="http://127.0.0.1:9/flux.xml")
    response = staff_client.post(f"/financements/sources/{source.pk}/collecter/", follow=True)
    assert "échec de la collecte" in response.content.decode()
    assert "En échec" in staff_client.get("/financements/sources/").content.decode()


def _duplicate_ids(html: str) -> list[str]:
    """The ``id`` values that occur more than once in ``html`` (parsed, not grepped)."""
    from collections import Counter
    from html.parser import HTMLParser

    class Ids(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids = Counter()

        def handle_starttag(self, tag, attrs):
            self.ids.update(value for name, value in attrs if name == "id" and value)

    parser = Ids()
    parser.feed(html)
    return sorted(value for value, n in parser.ids.items() if n > 1)


def test_call_page_ids_are_unique(member, member_client, staff, staff_client):
    """The call page carries several forms with a "message" field (share to a group, partner
    search, help from the hub): each field gets its own id, so each label points at its field."""
    from groups import services as group_services

    call = make_call(title="Appel aux formulaires")
    call.reported_by = member
    call.save(update_fields=["reported_by"])
    group_services.group_create(actor=member, name="Groupe du membre")
    group_services.group_create(actor=staff, name="Groupe de l'équipe")
    for client in (member_client, staff_client):
        html = client.get(call.get_absolute_url()).content.decode()
        assert 'name="message"' in html and "Groupe d" in html  # the share form is there
        assert _duplicate_ids(html) == []
        for field_id in ("id_share_message", "id_partner_message", "id_support_message"):
            assert html.count(f'id="{field_id}"') == 1 and html.count(f'for="{field_id}"') == 1


def test_the_dashboard_suggests_the_calls_that_fit_the_member_best_in_a_fixed_number_of_queries():
    """Organisation type among the beneficiaries (+3), each theme of the member's skills or
    interests (+2), a local call (+1); then the nearest deadline. A call closed to the member's
    type of organisation, a call elsewhere and a closed call never show."""
    from community.models import Department, OrganisationType
    from funding.selectors import suggested_for
    from tests.factories import member_with

    department = Department.objects.order_by("code").first()
    elsewhere = Department.objects.exclude(region=department.region).order_by("code").first()
    org = Organisation.objects.create(name="Centre social des Tests", type=OrganisationType.CENTRE_SOCIAL)
    member = member_with(organisation=org, department=department, skills=["Formation des aidants", "Pix"])
    soon, later = timezone.localdate() + timedelta(days=10), timezone.localdate() + timedelta(days=40)
    fits_all = make_call(beneficiaries=("centre_social",), themes=("formation",), scope="department", department=department, deadline=later)
    fits_type = make_call(beneficiaries=("centre_social", "association"), themes=("equipement",), deadline=soon)
    fits_theme = make_call(beneficiaries=(), themes=("formation",), deadline=later)
    nothing_soon = make_call(beneficiaries=(), themes=("equipement",), deadline=soon)
    nothing_later = make_call(beneficiaries=(), themes=("equipement",), deadline=later)
    make_call(beneficiaries=("association",), themes=("formation",), deadline=soon)  # not for a centre social
    make_call(beneficiaries=(), themes=("formation",), scope="department", department=elsewhere, deadline=soon)
    make_call(beneficiaries=(), themes=("formation",), deadline=timezone.localdate() - timedelta(days=1))  # closed
    with CaptureQueriesContext(connection) as few:
        suggested = suggested_for(user=member, limit=10)
    assert [c.pk for c in suggested] == [fits_all.pk, fits_type.pk, fits_theme.pk, nothing_soon.pk, nothing_later.pk]
    assert [c.pk for c in suggested_for(user=member, limit=2)] == [fits_all.pk, fits_type.pk]
    assert suggested[0].title == fits_all.title and suggested[0].deadline == later
    for _ in range(20):
        make_call(beneficiaries=(), themes=("equipement",), deadline=later)
    with CaptureQueriesContext(connection) as many:
        assert len(suggested_for(user=member, limit=10)) == 10
    assert len(few) == len(many) == 4  # profile, skills and interests, candidates, the calls shown


def test_the_search_keeps_its_keywords_in_view_and_folds_the_other_criteria_until_one_is_used(member_client):
    """Phones see the keywords, then "Plus de critères" folded (some 30 checkboxes); the fold
    starts open once a criterion in it is set (and on wide screens, by nav.js)."""
    import re

    def fold(html: str) -> str:
        return re.search(r'<details class="filters-fold"[^>]*>', html).group(0)

    plain = member_client.get("/financements/").content.decode()
    assert 'name="q"' in plain.split('<details class="filters-fold"')[0]  # the keywords stay outside
    assert 'name="themes"' in plain.split('<details class="filters-fold"')[1]
    assert "data-open-wide" in fold(plain) and " open" not in fold(plain)
    assert " open" not in fold(member_client.get("/financements/", {"q": "seniors"}).content.decode())
    assert fold(member_client.get("/financements/", {"themes": "formation"}).content.decode()).endswith(" open>")
    assert fold(member_client.get("/financements/", {"q": "x", "open_now": "on"}).content.decode()).endswith(" open>")


def test_a_search_sent_by_the_form_opens_the_fold_only_for_the_criteria_set(member_client):
    """The form sends every field, blank ones and the sort's default included: that is no
    criterion set (the fold opened on every search sent by the page itself)."""
    import re

    def fold(params: dict) -> str:
        return re.search(r'<details class="filters-fold"[^>]*>', member_client.get("/financements/", params).content.decode()).group(0)

    sent = {"q": "seniors", "deadline_before": "", "amount_min": "", "sort": "deadline"}
    assert " open" not in fold(sent)
    assert fold({**sent, "sort": "newest"}).endswith(" open>")
    assert fold({**sent, "amount_min": "5000"}).endswith(" open>")
    assert fold({**sent, "amount_min": "beaucoup"}).endswith(" open>")  # its error shows in the fold


def test_the_search_form_says_once_that_it_has_errors_and_keeps_the_fold_open(member_client):
    """The search renders through the shared fold template (forms/filters_fold.html): its error
    summary once, the faulty criterion inside the fold, which stays open to show it."""
    html = member_client.get("/financements/", {"q": "atelier", "amount_min": "-5"}).content.decode()
    assert html.count("Le formulaire contient des erreurs") == 1
    fold = html.split('<details class="filters-fold"', 1)[1]
    assert fold.split(">", 1)[0].endswith(" open") and 'name="amount_min"' in fold.split("</details>")[0]
    assert 'name="q"' in html.split('<details class="filters-fold"', 1)[0]
