"""Pages, feeds and exports from the outside: anonymous, non-member, member, group member, staff."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import Registration, RegistrationStatus
from groups.models import AccessMode, Group, Membership
from tests.events.factories import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _secret_group_event(staff, member):
    group = Group.objects.create(name="Cercle secret", access=AccessMode.SECRET)
    Membership.objects.create(group=group, user=member)
    return group, make_event(by=staff, audience="group", audience_group=group, organiser_group=group, title="Réunion secrète")


def test_visibility_rules(client, client_for, staff, member, other_member):
    public = make_event(by=staff, audience="public", title="Ouvert à tous")
    members_only = make_event(by=staff, audience="members", title="Entre membres")
    draft = make_event(by=staff, audience="public", state="draft", title="Brouillon")
    _group, secret = _secret_group_event(staff, member)
    member_c, other_c, staff_c = client_for(member), client_for(other_member), client_for(staff)

    assert client.get(public.get_absolute_url()).status_code == 200
    assert client.get(members_only.get_absolute_url()).status_code == 302  # log in to see it
    for hidden in (draft, secret):
        assert client.get(hidden.get_absolute_url()).status_code == 404
    assert other_c.get(members_only.get_absolute_url()).status_code == 200
    assert other_c.get(secret.get_absolute_url()).status_code == 404
    assert other_c.get(draft.get_absolute_url()).status_code == 404
    assert member_c.get(secret.get_absolute_url()).status_code == 200
    assert staff_c.get(draft.get_absolute_url()).status_code == 200

    listing = client.get(reverse("events:agenda")).content.decode()
    assert "Ouvert à tous" in listing and "Entre membres" not in listing and "Réunion secrète" not in listing
    listing = other_c.get(reverse("events:agenda")).content.decode()
    assert "Entre membres" in listing and "Réunion secrète" not in listing and "Brouillon" not in listing


def test_management_pages_are_403_for_members_404_when_hidden(client_for, staff, member, other_member):
    event = make_event(by=staff)
    _group, secret = _secret_group_event(staff, member)
    member_c = client_for(other_member)
    for name in ("event_edit", "questions", "registrations", "export_csv", "export_xlsx", "proposals"):
        assert member_c.get(reverse(f"events:{name}", args=[event.slug])).status_code == 403
        assert member_c.get(reverse(f"events:{name}", args=[secret.slug])).status_code == 404
    assert member_c.get(reverse("events:event_create")).status_code == 200  # members propose events (issue 13)
    assert client_for(staff).get(reverse("events:registrations", args=[event.slug])).status_code == 200


def test_member_signs_up_with_form_sees_code_and_cancels(client_for, staff, member):
    event = make_event(by=staff, capacity=1, format="online", online_url="https://visio.exemple.fr/salle")
    q = services.question_save(actor=event.created_by, event=event, label="Votre structure", kind="short", required=True)
    c = client_for(member)
    page = c.get(event.get_absolute_url()).content.decode()
    assert "Votre structure" in page and "visio.exemple.fr" not in page
    response = c.post(reverse("events:signup", args=[event.slug]), {})
    assert response.status_code == 400 and "Champ requis" in response.content.decode()
    response = c.post(reverse("events:signup", args=[event.slug]), {q.field_name: "Médiathèque"}, follow=True)
    page = response.content.decode()
    assert "Vous êtes inscrit·e" in page and "visio.exemple.fr" in page
    reg = Registration.objects.get(event=event, user=member)
    assert reg.answers == {str(q.pk): "Médiathèque"}
    assert c.get(reverse("events:qr_code", args=[event.slug, reg.code])).status_code == 200
    c.post(reverse("events:unregister", args=[event.slug]))
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CANCELLED


def test_visitor_signup_by_email_link_and_cancel_link(client, staff, django_capture_on_commit_callbacks):
    from django.core import mail

    event = make_event(by=staff, audience="public", capacity=3)
    response = client.post(reverse("events:signup", args=[event.slug]), {"name": "Visiteuse", "email": "v@exemple.fr"})
    assert response.status_code == 302
    reg = Registration.objects.get(event=event)
    assert reg.status == RegistrationStatus.PENDING
    assert client.get(reverse("events:registration_confirm_token", args=[reg.token])).status_code == 200
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.PENDING  # GET never confirms (mail scanners)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:registration_confirm_token", args=[reg.token]))
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CONFIRMED
    assert any("evenement.ics" in str(m.attachments) for m in mail.outbox)
    client.post(reverse("events:registration_cancel_token", args=[reg.token]))
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CANCELLED
    assert client.get(reverse("events:registration_cancel_token", args=["nope"])).status_code == 404


def test_qr_code_is_private(client_for, staff, member, other_member):
    event = make_event(by=staff)
    reg = services.registration_create(event=event, actor=member, answers={})
    url = reverse("events:qr_code", args=[event.slug, reg.code])
    assert client_for(other_member).get(url).status_code == 404
    response = client_for(staff).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"


def _parse(content: bytes) -> Calendar:
    cal = Calendar.from_ical(content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    for vevent in cal.walk("VEVENT"):
        assert vevent["UID"] and vevent["DTSTAMP"]
        start = vevent.decoded("DTSTART")
        assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    return cal


def test_feeds_are_valid_and_respect_visibility(client, client_for, staff, member, other_member):
    from events.models import CalendarToken

    public = make_event(by=staff, audience="public", title="Public")
    make_event(by=staff, audience="members", title="Membres")
    group, secret = _secret_group_event(staff, member)
    online = make_event(by=staff, format="online", online_url="https://visio.exemple.fr/x", title="Visio")
    services.registration_create(event=online, actor=member, answers={})
    services.registration_create(event=secret, actor=member, answers={})

    cal = _parse(client.get(reverse("events:public_ics")).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Public"]
    assert _parse(client.get(reverse("events:event_ics", args=[public.slug])).content)
    assert client.get(reverse("events:event_ics", args=[online.slug])).status_code == 302  # members only: log in
    assert b"visio.exemple.fr" not in client_for(other_member).get(reverse("events:event_ics", args=[online.slug])).content

    assert client_for(other_member).get(reverse("events:group_ics", args=[group.slug])).status_code == 404
    cal = _parse(client_for(member).get(reverse("events:group_ics", args=[group.slug])).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Réunion secrète"]

    c = client_for(member)
    c.post(reverse("events:my_events"))
    token = CalendarToken.objects.get(user=member).token
    feed = client.get(reverse("events:my_ics", args=[token]))
    cal = _parse(feed.content)
    assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == ["Réunion secrète", "Visio"]
    assert b"visio.exemple.fr" in feed.content.replace(b"\r\n ", b"")
    c.post(reverse("events:my_events"))  # revoke
    assert client.get(reverse("events:my_ics", args=[token])).status_code == 404


def test_exports_contain_answers_and_neutralise_formulas(client_for, staff, member):
    event = make_event(by=staff)
    q = services.question_save(actor=event.created_by, event=event, label="Structure", kind="short")
    services.registration_create(event=event, actor=member, answers={q.field_name: "=HYPERLINK(1)"})
    c = client_for(staff)
    csv_text = c.get(reverse("events:export_csv", args=[event.slug])).content.decode("utf-8-sig")
    assert "Structure" in csv_text and "'=HYPERLINK(1)" in csv_text and member.email in csv_text
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(c.get(reverse("events:export_xlsx", args=[event.slug])).content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][-1] == "Structure" and rows[1][-1] == "'=HYPERLINK(1)"


def test_check_in_by_name_search_and_code_then_certificate(client_for, staff, member):
    event = make_event(by=staff, days=-1, hours=3)  # started yesterday
    event.end = timezone.now() + timedelta(hours=1)
    reg = Registration.objects.create(event=event, user=member, email=member.email, name=member.public_name, status="confirmed")
    c = client_for(staff)
    page = c.get(reverse("events:registrations", args=[event.slug]), {"q": member.last_name}).content.decode()
    assert reg.code in page
    c.post(reverse("events:check_in_code", args=[event.slug]), {"code": reg.code})
    reg.refresh_from_db()
    assert reg.attended_at
    mc = client_for(member)
    assert "Attestation de présence" in mc.get(reverse("events:certificate", args=[event.slug])).content.decode()
    pdf = mc.get(reverse("events:certificate_pdf", args=[event.slug]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-") and pdf.content.rstrip().endswith(b"%%EOF")
    assert client_for(UserFactory()).get(reverse("events:certificate_pdf", args=[event.slug])).status_code == 404


def _event_form_data(title, start, end, **extra) -> dict:
    """The event form's fields for an online members' café from ``start`` to ``end``."""
    return {
        "title": title,
        "type": "cafe",
        "format": "online",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": end.strftime("%Y-%m-%dT%H:%M"),
        "audience": "members",
        "state": "published",
        "max_guests": "0",
    } | extra


def test_staff_creates_event_with_recurrence_and_builds_form(client_for, staff):
    c = client_for(staff)
    start = (timezone.localtime() + timedelta(days=10)).replace(hour=10, minute=0)
    data = _event_form_data("Café réseau", start, start + timedelta(hours=1)) | {
        "signup_enabled": "on",
        "reminders": "48, 2",
        "serie-repeat": "on",
        "serie-interval_weeks": "2",
        "serie-count": "4",
        "serie-signup_scope": "series",
    }
    response = c.post(reverse("events:event_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    from events.models import Event

    events = list(Event.objects.filter(title="Café réseau").order_by("start"))
    assert len(events) == 4 and events[0].reminder_minutes == [2880, 120]
    assert (events[1].start - events[0].start).days in (13, 14, 15)
    response = c.post(reverse("events:questions", args=[events[0].slug]), {"label": "Atelier préféré", "kind": "choice", "choices": ""})
    assert "Indiquez au moins un choix" in response.content.decode()
    c.post(reverse("events:questions", args=[events[0].slug]), {"label": "Atelier préféré", "kind": "choice", "choices": "Pix\nPIM"})
    assert events[0].questions.count() == 1


def test_session_page_and_proposal_flow(client_for, staff, member, other_member):
    event = make_event(by=staff, type="intelligence", accepts_proposals=True)
    services.registration_create(event=event, actor=member, answers={})
    mc = client_for(member)
    mc.post(reverse("events:proposal_create", args=[event.slug]), {"title": "Mon projet", "pitch": "**Aidez-moi**", "wants": "Des idées"})
    proposal = event.proposals.get()
    assert client_for(other_member).get(reverse("events:session", args=[event.slug])).status_code == 403
    sc = client_for(staff)
    sc.post(reverse("events:proposal_decide", args=[event.slug, proposal.pk]), {"decision": "accept"})
    breakout = event.breakouts.get()
    mc.post(reverse("events:breakout_choose", args=[event.slug, breakout.pk]))
    mc.post(reverse("events:note_create", args=[event.slug, breakout.pk]), {"body": "<script>x</script> idée"})
    page = mc.get(reverse("events:session", args=[event.slug])).content.decode()
    assert "<script>x</script>" not in page and "idée" in page
    mc.post(reverse("events:restitution_publish", args=[event.slug, breakout.pk]), {"restitution": "Nous avons **trois pistes**."})
    assert "<strong>trois pistes</strong>" in client_for(other_member).get(event.get_absolute_url()).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("view", ["liste", "mois", "semaine"])
def test_agenda_query_count_does_not_grow(client_for, staff, member, view):
    from community.models import Commune

    commune = Commune.objects.first()
    day = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    c = client_for(member)
    url = f"{reverse('events:agenda')}?vue={view}&date={day.date().isoformat()}&annee={day.year}&mois={day.month}"
    group = Group.objects.create(name="Organisateurs")

    def add(n):
        for i in range(n):
            make_event(by=staff, start=day + timedelta(minutes=i), commune=commune, organiser_group=group, capacity=10)

    add(10)
    c.get(url)
    small = _queries(c, url)
    add(90)
    assert _queries(c, url) == small


def test_event_page_and_registrations_query_count_does_not_grow(client_for, staff, member):
    event = make_event(by=staff, capacity=200, type="intelligence", accepts_proposals=True)
    services.question_save(actor=event.created_by, event=event, label="Structure", kind="short")
    sc, mc = client_for(staff), client_for(member)

    def add(n):
        for _ in range(n):
            services.registration_create(event=event, actor=UserFactory(), answers={})

    add(10)
    page, regs = event.get_absolute_url(), reverse("events:registrations", args=[event.slug])
    sc.get(page), sc.get(regs), mc.get(page)
    small = (_queries(sc, page), _queries(sc, regs), _queries(mc, page))
    add(90)
    assert (_queries(sc, page), _queries(sc, regs), _queries(mc, page)) == small


def test_dashboard_and_group_panels(client_for, staff, member, other_member):
    from django.test import RequestFactory

    from common.registry import registry

    group, secret = _secret_group_event(staff, member)
    services.registration_create(event=secret, actor=member, answers={})
    page = client_for(member).get(reverse("community:dashboard")).content.decode()
    assert "Mes prochains événements" in page and "Réunion secrète" in page

    rf = RequestFactory()
    request = rf.get("/")
    request.user = member
    panels = registry.render_panels(registry.group_panels, request, group=group)
    assert any(p["key"] == "events.group" and p["events"] == [secret] for p in panels)
    request.user = other_member
    panels = registry.render_panels(registry.group_panels, request, group=group)
    assert not any(p["key"] == "events.group" for p in panels)


def test_staff_edits_event_participants_hear_and_cancel_through_form(client_for, staff, member):
    from notifications.models import Notification

    event = make_event(by=staff, capacity=5)
    services.registration_create(event=event, actor=member, answers={})
    c = client_for(staff)
    page = c.get(reverse("events:event_edit", args=[event.slug]))
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("image", "commune", "organiser_group", "audience_group")}
    data.update(
        start=timezone.localtime(event.start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        end=timezone.localtime(event.end + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        reminders="24",
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = c.post(reverse("events:event_edit", args=[event.slug]), data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    assert event.reminder_minutes == [1440] and event.sequence == 1
    assert Notification.objects.filter(recipient=member, data__kind="events.change").count() == 1
    data["state"] = "cancelled"
    c.post(reverse("events:event_edit", args=[event.slug]), data)
    event.refresh_from_db()
    assert event.state == "cancelled"
    assert Notification.objects.filter(recipient=member, data__kind="events.change").count() == 2


def test_event_page_and_agenda_group_their_actions(client, client_for, staff, member):
    """The event page's header carries the sign-up jump, the calendar and the share link (names
    for screen readers); the agenda keeps one primary action and folds the others in a <details>."""
    event = make_event(by=staff, capacity=5, audience="public")
    body = client_for(member).get(event.get_absolute_url()).content.decode()
    start = body.index('class="action-group event-action-bar"')
    bar = body[start : body.index("</header>", start)]
    assert 'href="#signup-title">S’inscrire</a>' in bar and 'id="signup-title"' in body
    assert "Ajouter à mon calendrier" in bar and "(fichier .ics)" in bar and "Partager" in bar and "par e-mail" in bar
    assert "mailto:?subject=" in bar
    services.registration_create(event=event, actor=member, answers={})
    bar = client_for(member).get(event.get_absolute_url()).content.decode()
    assert "Voir mon inscription" in bar
    agenda = client_for(staff).get(reverse("events:agenda")).content.decode()
    start = agenda.index('class="action-group"')
    head = agenda[start : agenda.index("</details>", start)]
    assert "Créer un événement" in head.split("<details", 1)[0]
    assert "Plus d’actions" in head and "Événements à valider" in head and "Événements passés" in head
    assert "Plus d’actions" in client.get(reverse("events:agenda")).content.decode()


def test_the_unfiltered_agenda_form_is_kept_per_groups_offered_and_never_shows_another_members_groups(
    client_for, staff, member, other_member, monkeypatch
):
    from common import forms as common_forms
    from common.memo import Kept
    from events.forms import AgendaFilterForm

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    group, _secret = _secret_group_event(staff, member)
    member_c, other_c = client_for(member), client_for(other_member)
    url = reverse("events:agenda")
    first = member_c.get(url).content.decode()
    assert f'<option value="{group.slug}">Cercle secret</option>' in first
    member_c.get(url)
    assert [key[0] for key in common_forms._FORMS_ONCE.entries] == [AgendaFilterForm]  # rendered once, then kept
    outsider = other_c.get(url).content.decode()
    assert "Cercle secret" not in outsider and 'name="group"' in outsider
    assert len(common_forms._FORMS_ONCE.entries) == 2  # other groups offered: a render of its own
    filtered = member_c.get(url, {"group": group.slug}).content.decode()
    assert f'<option value="{group.slug}" selected>Cercle secret</option>' in filtered
    assert len(common_forms._FORMS_ONCE.entries) == 2  # a filtered agenda is never kept


def test_event_ending_before_it_starts_is_told_on_the_end_field_once(client_for, staff):
    """The end before the start: the service's French sentence on "Fin" (marked invalid, linked
    from the summary), not the database constraint's name, and said once; what was typed stays;
    nothing saved."""
    import re

    from events.models import Event

    c = client_for(staff)
    start = (timezone.localtime() + timedelta(days=10)).replace(hour=10, minute=0)
    data = _event_form_data("Atelier à l'envers", start, start - timedelta(hours=1), reminders="48")
    response = c.post(reverse("events:event_create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and not Event.objects.filter(title="Atelier à l'envers").exists()
    assert "event_ends_after_start" not in page and page.count("La fin doit suivre le début.") == 2  # summary + field
    assert re.search(r'<a\s+href="#id_end">[^<]*: La fin doit suivre le début\.</a>', page)
    assert re.search(r'<input[^>]*name="end"[^>]*aria-invalid="true"', page) or re.search(r'aria-invalid="true"[^>]*name="end"', page)
    assert "Atelier à l&#x27;envers" in page or "Atelier à l'envers" in page
    assert "data-error-summary" in page


def test_error_summary_says_a_form_wide_error_once():
    """A form's error that belongs to no field is listed in the page's summary and not again by the
    form's own rendering; without the summary the form still says it."""
    from django import forms
    from django.template import Context, Template

    class Pair(forms.Form):
        a = forms.CharField()

        def clean(self):
            raise forms.ValidationError("Deux valeurs incompatibles.")

    with_summary = Template('{% include "includes/form_errors.html" %}{{ form }}').render(Context({"form": Pair({"a": "x"})}))
    assert with_summary.count("Deux valeurs incompatibles.") == 1 and "data-error-summary" in with_summary
    alone = Template("{{ form }}").render(Context({"form": Pair({"a": "x"})}))
    assert alone.count("Deux valeurs incompatibles.") == 1
