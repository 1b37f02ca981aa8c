"""Minutes (compte rendu): template from attendance and actions, revisions, amendment round,
publication, permissions from outside, PDF, RGPD, fixed query count."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from actions.models import Action, ActionStatus
from actions.origins import origin_resolve
from actions.services import action_create, action_set_status
from community.activity import activity_list_for_viewer
from community.models import Activity, NotificationPreference, OutboundEmail
from community.rgpd import account_erase
from events import services as event_services
from events.minutes import services
from events.minutes.pdf import french_spacing
from events.minutes.personal_data import export_minutes
from events.minutes.selectors import minutes_template
from events.minutes.text import replace_section, section_titles, split_sections
from events.models import Amendment, AmendmentStatus, Audience, Event, EventState, Minutes, MinutesState
from groups.models import AccessMode
from ops.scheduler import JOBS
from tests.events.factories import make_event
from tests.factories import UserFactory
from tests.groups.factories import make_group
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    admin, outsider = UserFactory(), UserFactory()
    secretary = UserFactory(first_name="Sam", last_name="Secrétaire")
    alice = UserFactory(first_name="Łucja", last_name="Nguyễn")
    bob = UserFactory(first_name="Bob", last_name="Martin")
    group = make_group(owner=admin, access=AccessMode.SECRET, name="Groupe médiation", members=[secretary, alice, bob])
    event = make_event(
        by=admin, audience=Audience.GROUP, audience_group=group, organiser_group=group, start=timezone.now() - timedelta(hours=3), hours=2
    )
    for user in (alice, bob):
        event_services.registration_add(actor=admin, event=event, member=user, answers={})
    return {"admin": admin, "secretary": secretary, "alice": alice, "bob": bob, "outsider": outsider, "group": group, "event": event}


def deadline(hours=24):
    return timezone.now() + timedelta(hours=hours)


def write(cast, body=None, **kw):
    body = body or minutes_template(viewer=cast["admin"], event=cast["event"])
    return services.minutes_save(actor=cast["admin"], event=cast["event"], body=body, secretary=cast["secretary"], set_secretary=True, **kw)


def reg_of(cast, who):
    return cast["event"].registrations.get(user=cast[who])


# --- text -------------------------------------------------------------------------------------
def test_sections_split_replace_and_join():
    body = "Intro\n\n## Décisions\n\n- une\n\n## Actions\n\nrien\n"
    assert [s.title for s in split_sections(body)] == ["", "Décisions", "Actions"]
    assert section_titles(body) == ["Décisions", "Actions"]
    new = replace_section(body, "Décisions", "- deux")
    assert "- deux" in new and "- une" not in new and "rien" in new and new.startswith("Intro")
    with pytest.raises(KeyError):
        replace_section(body, "Inconnue", "x")


# --- template ---------------------------------------------------------------------------------
def test_template_takes_attendance_and_previous_meetings_actions(cast):
    admin, group, event = cast["admin"], cast["group"], cast["event"]
    event_services.registration_check_in(registration=reg_of(cast, "alice"), actor=admin)
    Event.objects.filter(pk=event.pk).update(end=timezone.now() + timedelta(hours=1))  # Bob excused himself before the end
    event_services.registration_intention_set(actor=cast["bob"], registration=reg_of(cast, "bob"), intention="excused", message="en congé")
    Event.objects.filter(pk=event.pk).update(end=timezone.now() - timedelta(hours=1))
    event.refresh_from_db()
    previous = make_event(
        by=admin, audience=Audience.GROUP, audience_group=group, organiser_group=group, start=timezone.now() - timedelta(days=30)
    )
    origin = origin_resolve(viewer=admin, kind="groups.group", origin_id=group.pk)
    due = timezone.localdate() + timedelta(days=3)
    done = action_create(actor=admin, origin=origin, description="Réserver la salle", owners=[cast["alice"]], due_date=due)
    dropped = action_create(actor=admin, origin=origin, description="Écrire à la mairie", owners=[cast["bob"]], due_date=due)
    action_create(actor=admin, origin=origin, description="Préparer le goûter", owners=[cast["bob"]], due_date=due)
    action_set_status(actor=admin, action=done, status=ActionStatus.DONE)
    action_set_status(actor=admin, action=dropped, status=ActionStatus.DROPPED)
    text = minutes_template(viewer=admin, event=event)
    sections = {s.title: s.text for s in split_sections(text)}
    assert "Łucja Nguyễn" in sections["Présents"]
    assert "Bob" in sections["Excusés"] and "en congé" in sections["Excusés"]
    assert {"Ordre du jour", "Échanges", "Décisions", "Actions"} <= set(sections)
    follow = sections["Suivi des actions"]
    assert previous.start.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y") in follow
    assert "Réserver la salle" in follow and "**fait**" in follow
    assert "Écrire à la mairie" in follow and "**abandonné**" in follow
    assert "Toujours en cours" in follow and "Préparer le goûter" in follow


# --- revisions --------------------------------------------------------------------------------
def test_each_save_is_a_revision_and_the_secretary_writes(cast):
    minutes = write(cast, "## Décisions\n\n- une\n")
    assert minutes.secretary == cast["secretary"] and minutes.revision_count == 1
    assert Notification.objects.filter(recipient=cast["secretary"], data__kind="events.minutes").exists() is False  # named at creation
    services.minutes_save(actor=cast["secretary"], event=cast["event"], body="## Décisions\n\n- deux\n")
    minutes.refresh_from_db()
    assert minutes.revision_count == 2 and "deux" in minutes.body
    assert [r.number for r in minutes.revisions.all()] == [2, 1] and "une" in minutes.revisions.get(number=1).body
    with pytest.raises(PermissionDenied):  # the secretary may not name another secretary
        services.minutes_save(actor=cast["secretary"], event=cast["event"], body="x", secretary=cast["bob"], set_secretary=True)
    for who in ("alice", "outsider"):
        with pytest.raises(PermissionDenied):
            services.minutes_save(actor=cast[who], event=cast["event"], body="## Intrus\n")
    with pytest.raises(ValidationError, match="vide"):
        services.minutes_save(actor=cast["admin"], event=cast["event"], body="   ")


# --- the amendment round ----------------------------------------------------------------------
def test_round_amend_accept_reject_and_publish(cast):
    minutes = write(cast, "## Décisions\n\n- une\n\n## Échanges\n\nDes échanges.\n")
    with pytest.raises(ValidationError):  # not open yet
        services.amendment_create(actor=cast["alice"], minutes=minutes, kind="comment", body="Merci")
    minutes = services.minutes_round_open(actor=cast["secretary"], minutes=minutes, deadline=deadline())
    told = set(Notification.objects.filter(data__kind="events.minutes").values_list("recipient_id", flat=True))
    assert {cast["alice"].pk, cast["bob"].pk, cast["admin"].pk} <= told and cast["outsider"].pk not in told
    proposal = services.amendment_create(
        actor=cast["alice"], minutes=minutes, kind="replace", section="Décisions", body="- une, à l'unanimité"
    )
    comment = services.amendment_create(actor=cast["bob"], minutes=minutes, kind="comment", body="Il manque la date")
    rejected = services.amendment_create(actor=cast["bob"], minutes=minutes, kind="replace", section="Échanges", body="Autre chose")
    with pytest.raises(ValidationError, match="section"):
        services.amendment_create(actor=cast["bob"], minutes=minutes, kind="replace", section="Inconnue", body="x")
    with pytest.raises(PermissionDenied):
        services.amendment_create(actor=cast["outsider"], minutes=minutes, kind="comment", body="intrus")
    with pytest.raises(PermissionDenied):
        services.amendment_decide(actor=cast["alice"], amendment=proposal, accept=True)
    with pytest.raises(ValidationError, match="relecture est en cours"):
        services.minutes_publish(actor=cast["secretary"], minutes=minutes)
    services.amendment_decide(actor=cast["secretary"], amendment=proposal, accept=True)
    services.amendment_decide(actor=cast["secretary"], amendment=comment, accept=True)
    minutes = services.minutes_round_close(actor=cast["secretary"], minutes=minutes)
    with pytest.raises(ValidationError, match="1 proposition"):
        services.minutes_publish(actor=cast["secretary"], minutes=minutes)
    services.amendment_decide(actor=cast["secretary"], amendment=rejected, accept=False, response="Hors sujet")
    with pytest.raises(ValidationError, match="déjà reçu"):
        services.amendment_decide(actor=cast["secretary"], amendment=rejected, accept=True)
    minutes.refresh_from_db()
    assert "à l'unanimité" in minutes.body and "Des échanges." in minutes.body and minutes.revision_count == 2
    assert "Łucja Nguyễn" in minutes.revisions.get(number=2).note
    assert Notification.objects.filter(recipient=cast["alice"], verb__contains="acceptée").exists()
    minutes = services.minutes_publish(actor=cast["secretary"], minutes=minutes)
    assert minutes.state == MinutesState.PUBLISHED and minutes.published_at
    item = Activity.objects.get(object_ref=f"events.minutes:{minutes.pk}")
    assert item.audience == f"group-members:{cast['group'].pk}" and item.group_id == cast["group"].pk
    assert item in activity_list_for_viewer(viewer=cast["bob"]) and item not in activity_list_for_viewer(viewer=cast["outsider"])
    assert Notification.objects.filter(recipient=cast["bob"], verb__startswith="Compte rendu publié").exists()
    with pytest.raises(ValidationError, match="publié"):
        services.minutes_save(actor=cast["admin"], event=cast["event"], body="## Nouveau\n")


def test_round_closes_at_its_deadline(cast):
    minutes = services.minutes_round_open(actor=cast["admin"], minutes=write(cast), deadline=deadline())
    Minutes.objects.filter(pk=minutes.pk).update(amend_deadline=timezone.now() - timedelta(minutes=1))
    minutes.refresh_from_db()
    assert not minutes.round_open
    with pytest.raises(ValidationError, match="close"):
        services.amendment_create(actor=cast["alice"], minutes=minutes, kind="comment", body="trop tard")
    with pytest.raises(ValidationError, match="futur"):
        services.minutes_round_open(actor=cast["admin"], minutes=minutes, deadline=timezone.now() - timedelta(hours=1))


# --- the round's deadline: reminder and automatic close (periodic jobs) -------------------------
def reminded(cast=None):
    return set(Notification.objects.filter(data__kind="events.minutes_reminder").values_list("recipient_id", flat=True))


def test_deadline_reminder_once_and_only_to_who_has_not_contributed(cast):
    end = deadline(72)
    minutes = services.minutes_round_open(actor=cast["secretary"], minutes=write(cast, "## Décisions\n\nx\n"), deadline=end)
    assert minutes.amend_reminded_at is None
    services.amendment_create(actor=cast["alice"], minutes=minutes, kind="comment", body="Relu, merci")
    assert services.minutes_rounds_remind(now=end - timedelta(hours=25)) == 0  # not yet: 24 h before by default
    assert services.minutes_rounds_remind(now=end - timedelta(hours=23)) == 1
    # Bob only: Alice commented; the secretary and the organiser (group owner) decide, they are not chased.
    assert reminded() == {cast["bob"].pk}
    assert services.minutes_rounds_remind(now=end - timedelta(hours=22)) == 0  # a re-run never sends twice
    assert services.minutes_rounds_remind(now=end - timedelta(hours=1)) == 0
    assert Notification.objects.filter(data__kind="events.minutes_reminder").count() == 1
    minutes.refresh_from_db()
    assert minutes.amend_reminded_at is not None
    mail = OutboundEmail.objects.get(recipient=cast["bob"], subject__startswith="Rappel")
    assert cast["event"].title in mail.subject and "Nguy" not in mail.body_text  # no other participant named


def test_nothing_to_report_in_one_click_spares_the_reminder_and_is_shown_to_the_secretary(cast, client_for):
    """The reminder asks participants to read the draft: one who has nothing to add says so in
    one click (« Relu : rien à signaler »), is not chased, and the writers see who read it."""
    end = deadline(72)
    minutes = services.minutes_round_open(actor=cast["secretary"], minutes=write(cast, "## Décisions\n\nx\n"), deadline=end)
    url = reverse("events:minutes_nothing_to_report", args=[cast["event"].slug])
    page = client_for(cast["bob"]).get(minutes.get_absolute_url()).content.decode()
    assert url in page and "Relu : rien à signaler" in page
    response = client_for(cast["bob"]).post(url)
    assert response.status_code == 302 and response["Location"].endswith("#relecture")
    page = client_for(cast["bob"]).get(minutes.get_absolute_url()).content.decode()
    assert "Vous avez indiqué « rien à signaler »" in page and url not in page
    assert services.minutes_nothing_to_report(actor=cast["bob"], minutes=minutes) is False  # said once
    # the reminder goes to Alice only, and tells her the one-click answer exists
    assert services.minutes_rounds_remind(now=end - timedelta(hours=23)) == 1
    assert reminded() == {cast["alice"].pk}
    note = Notification.objects.get(data__kind="events.minutes_reminder")
    assert "Rien à signaler" in note.description and note.data["url"].endswith("#relecture")
    # the secretary sees who read it without remarks; an outsider cannot answer
    assert "Relu, rien à signaler :" in client_for(cast["secretary"]).get(minutes.get_absolute_url()).content.decode()
    assert client_for(cast["outsider"]).post(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.minutes_nothing_to_report(actor=cast["outsider"], minutes=minutes)
    # closed round: no more answers; RGPD export and erase
    services.minutes_round_close(actor=cast["secretary"], minutes=minutes)
    with pytest.raises(ValidationError, match="close"):
        services.minutes_nothing_to_report(actor=cast["alice"], minutes=minutes)
    assert [r["evenement"] for r in export_minutes(cast["bob"])["relu_sans_remarque"]] == [cast["event"].title]
    account_erase(user=cast["bob"])
    assert not minutes.readings.exists()


def test_deadline_reminder_window_is_a_setting(cast, settings):
    settings.EVENTS_MINUTES_REMINDER_HOURS = 48
    end = deadline(72)
    services.minutes_round_open(actor=cast["admin"], minutes=write(cast), deadline=end)
    assert services.minutes_rounds_remind(now=end - timedelta(hours=47)) == 2
    assert reminded() == {cast["alice"].pk, cast["bob"].pk}


def test_a_round_shorter_than_the_window_gets_no_second_notice(cast):
    minutes = services.minutes_round_open(actor=cast["admin"], minutes=write(cast), deadline=deadline(3))
    assert minutes.amend_reminded_at is not None  # the opening notice is the reminder
    assert services.minutes_rounds_remind() == 0 and not reminded()


def test_no_reminder_for_a_closed_round_or_a_cancelled_event(cast):
    end = deadline(48)
    minutes = services.minutes_round_open(actor=cast["admin"], minutes=write(cast), deadline=end)
    services.minutes_round_close(actor=cast["secretary"], minutes=minutes)
    assert services.minutes_rounds_remind(now=end - timedelta(hours=2)) == 0
    minutes = services.minutes_round_open(actor=cast["admin"], minutes=minutes, deadline=end)  # reopened: a fresh round
    assert minutes.amend_reminded_at is None
    Event.objects.filter(pk=cast["event"].pk).update(state=EventState.CANCELLED)
    assert services.minutes_rounds_remind(now=end - timedelta(hours=2)) == 0
    assert not reminded()


def test_deadline_reminder_respects_notification_preferences(cast):
    NotificationPreference.objects.create(user=cast["alice"], kind="events.minutes_reminder", delivery="off")
    NotificationPreference.objects.create(user=cast["bob"], kind="events.minutes_reminder", delivery="in_app")
    end = deadline(48)
    services.minutes_round_open(actor=cast["admin"], minutes=write(cast), deadline=end)
    OutboundEmail.objects.all().delete()
    assert services.minutes_rounds_remind(now=end - timedelta(hours=2)) == 1
    assert reminded() == {cast["bob"].pk}
    assert not OutboundEmail.objects.exists()  # Bob chose in-app only


def test_round_closes_by_itself_at_its_deadline_and_the_secretary_is_told(cast):
    end = deadline(48)
    minutes = write(cast, "## Décisions\n\n- une\n")
    minutes = services.minutes_round_open(actor=cast["admin"], minutes=minutes, deadline=end)
    services.amendment_create(actor=cast["alice"], minutes=minutes, kind="replace", section="Décisions", body="- deux")
    services.amendment_create(actor=cast["bob"], minutes=minutes, kind="comment", body="D'accord")
    assert services.minutes_rounds_close_due(now=end - timedelta(minutes=1)) == 0
    assert services.minutes_rounds_close_due(now=end) == 1
    minutes.refresh_from_db()
    assert minutes.amend_closed_at == end and not minutes.round_open and minutes.state == MinutesState.AMENDING
    told = Notification.objects.filter(recipient=cast["secretary"], verb__startswith="Relecture close")
    assert [n.verb for n in told] == [f"Relecture close : 2 commentaire(s) ou proposition(s) à trancher sur « {cast['event'].title} »"]
    assert services.minutes_rounds_close_due(now=end + timedelta(hours=1)) == 0  # idempotent
    assert told.count() == 1
    assert services.minutes_rounds_remind(now=end + timedelta(hours=1)) == 0
    with pytest.raises(ValidationError, match="close"):  # as after the secretary's own close
        services.amendment_create(actor=cast["bob"], minutes=minutes, kind="comment", body="trop tard")
    with pytest.raises(ValidationError, match="1 proposition"):
        services.minutes_publish(actor=cast["secretary"], minutes=minutes)


def test_auto_close_of_a_cancelled_event_tells_nobody(cast):
    end = deadline(48)
    services.minutes_round_open(actor=cast["admin"], minutes=write(cast), deadline=end)
    Event.objects.filter(pk=cast["event"].pk).update(state=EventState.CANCELLED)
    Notification.objects.all().delete()
    assert services.minutes_rounds_close_due(now=end + timedelta(minutes=3)) == 1
    assert not Notification.objects.exists()


def test_round_periodic_jobs_are_registered():
    assert {"events.minutes_reminders", "events.minutes_rounds_close"} <= set(JOBS)


def test_publishing_after_the_event_was_cancelled_is_refused_and_changes_nothing(cast):
    minutes = write(cast)
    event_services.event_cancel(actor=cast["admin"], event=cast["event"])
    before = Activity.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.minutes_publish(actor=cast["secretary"], minutes=minutes)
    assert "annulé" in exc.value.messages[0]
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.DRAFT and minutes.published_at is None and Activity.objects.count() == before


def test_public_event_restitution_keeps_the_chosen_sections(staff, client):
    admin = staff
    event = make_event(by=admin, audience=Audience.PUBLIC, start=timezone.now() - timedelta(hours=3))
    minutes = services.minutes_save(actor=admin, event=event, body="## Décisions\n\nPublique\n\n## Échanges\n\nConfidentiel\n")
    with pytest.raises(ValidationError, match="inconnues"):
        services.minutes_publish(actor=admin, minutes=minutes, public_sections=["Autre"])
    services.minutes_publish(actor=admin, minutes=minutes, public_sections=["Décisions"])
    page = client.get(reverse("events:minutes_detail", args=[event.slug])).content.decode()
    assert "Publique" in page and "Confidentiel" not in page
    assert "Publique" in client.get(event.get_absolute_url()).content.decode()
    assert client.get(reverse("events:minutes_revisions", args=[event.slug])).status_code == 404


def test_a_group_event_refuses_a_public_restitution(cast):
    minutes = write(cast, "## Décisions\n\nx\n")
    with pytest.raises(ValidationError, match="tout public"):
        services.minutes_publish(actor=cast["admin"], minutes=minutes, public_sections=["Décisions"])


# --- actions from the minutes -----------------------------------------------------------------
def test_actions_from_the_minutes(cast, client_for):
    minutes = write(cast)
    origin = origin_resolve(viewer=cast["secretary"], kind="events.minutes", origin_id=minutes.pk)
    assert origin.can_add and origin.container == f"group:{cast['group'].pk}"
    assert not origin_resolve(viewer=cast["alice"], kind="events.minutes", origin_id=minutes.pk).can_add
    assert origin_resolve(viewer=cast["outsider"], kind="events.minutes", origin_id=minutes.pk) is None
    action = action_create(
        actor=cast["secretary"],
        origin=origin,
        description="Envoyer le CR",
        owners=[cast["alice"]],
        due_date=timezone.localdate() + timedelta(days=7),
    )
    assert action.audience == f"group-members:{cast['group'].pk}"
    with pytest.raises(ValidationError):  # owners come from the participants
        action_create(actor=cast["secretary"], origin=origin, description="x", owners=[cast["outsider"]], due_date=action.due_date)
    page = client_for(cast["secretary"]).get(minutes.get_absolute_url()).content.decode()
    assert "Envoyer le CR" in page and reverse("actions:create", args=["events.minutes", minutes.pk]) in page
    assert Action.objects.filter(origin_kind="events.minutes").count() == 1


# --- pages and permissions from outside ------------------------------------------------------
def test_draft_is_404_to_participants_and_outsiders_and_editable_by_writers(cast, client_for, client):
    minutes = write(cast)
    url, edit = minutes.get_absolute_url(), reverse("events:minutes_edit", args=[cast["event"].slug])
    assert client.get(url).status_code == 404  # a secret group's event does not exist for visitors
    assert client_for(cast["outsider"]).get(url).status_code == 404
    assert client_for(cast["alice"]).get(url).status_code == 404
    assert client_for(cast["alice"]).get(edit).status_code == 404  # the draft does not exist for her yet
    assert client_for(cast["secretary"]).get(url).status_code == 200
    assert client_for(cast["admin"]).get(edit).status_code == 200
    services.minutes_round_open(actor=cast["admin"], minutes=minutes, deadline=deadline())
    page = client_for(cast["alice"]).get(url)
    assert page.status_code == 200 and "Section concernée" in page.content.decode()
    event_page = client_for(cast["secretary"]).get(cast["event"].get_absolute_url()).content.decode()
    assert "En relecture jusqu" in event_page and "Ouvrir le compte rendu" in event_page


def test_the_form_starts_from_the_template_and_saves_revisions(cast, client_for):
    client = client_for(cast["admin"])
    edit = reverse("events:minutes_edit", args=[cast["event"].slug])
    page = client.get(edit).content.decode()
    assert "## Présents" in page and "Łucja Nguyễn" in page and "data-markdown" in page
    response = client.post(edit, {"body": "## Décisions\n\n- une\n", "secretary": cast["secretary"].pk})
    assert response.status_code == 302
    minutes = Minutes.objects.get(event=cast["event"])
    assert minutes.secretary == cast["secretary"]
    client.post(edit, {"body": "## Décisions\n\n- deux\n", "secretary": cast["secretary"].pk})
    revision = client.get(reverse("events:minutes_revision", args=[cast["event"].slug, 1])).content.decode()
    assert "une" in revision
    assert client.get(reverse("events:minutes_revision", args=[cast["event"].slug, 9])).status_code == 404


def test_amend_accept_and_publish_through_the_pages(cast, client_for):
    slug = cast["event"].slug
    minutes = write(cast, "## Décisions\n\n- une\n")
    secretary, alice = client_for(cast["secretary"]), client_for(cast["alice"])
    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert secretary.post(reverse("events:minutes_round_open", args=[slug]), {"deadline": when}).status_code == 302
    r = alice.post(reverse("events:amendment_create", args=[slug]), {"kind": "replace", "section": "Décisions", "body": "- une et demie"})
    assert r.status_code == 302
    amendment = Amendment.objects.get()
    assert alice.post(reverse("events:amendment_decide", args=[slug, amendment.pk, "accepter"])).status_code == 403
    secretary.post(reverse("events:amendment_decide", args=[slug, amendment.pk, "accepter"]))
    secretary.post(reverse("events:minutes_round_close", args=[slug]))
    assert secretary.post(reverse("events:minutes_publish", args=[slug])).status_code == 302
    minutes.refresh_from_db()
    assert minutes.is_published and "une et demie" in minutes.body
    event_page = client_for(cast["bob"]).get(cast["event"].get_absolute_url()).content.decode()
    assert "une et demie" in event_page and 'id="compte-rendu"' in event_page


def test_publish_refused_in_french_on_the_page_when_cancelled(cast, client_for):
    write(cast)
    event_services.event_cancel(actor=cast["admin"], event=cast["event"])
    response = client_for(cast["admin"]).post(reverse("events:minutes_publish", args=[cast["event"].slug]))
    assert response.status_code == 400 and "ne peut pas être validé" in response.content.decode()
    assert Minutes.objects.get().state == MinutesState.DRAFT


def test_print_page_and_pdf_with_accents(cast, client_for):
    minutes = write(cast, "## Présents\n\n- Łucja Nguyễn\n\n## Décisions\n\nOn garde « l'atelier » : **oui** !\n")
    origin = origin_resolve(viewer=cast["secretary"], kind="events.minutes", origin_id=minutes.pk)
    due = timezone.localdate() + timedelta(days=4)
    action_create(actor=cast["secretary"], origin=origin, description="Réserver la salle", owners=[cast["alice"]], due_date=due)
    client = client_for(cast["secretary"])
    slug = cast["event"].slug
    page = client.get(reverse("events:minutes_print", args=[slug])).content.decode()
    assert "Łucja Nguyễn" in page and "minutes-print" in page and "Réserver la salle" in page
    response = client.get(reverse("events:minutes_pdf", args=[slug]))
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.content)
    assert "Łucja Nguyễn" in text and "Présents" in text and "**" not in text
    assert "Actions décidées" in text and "Réserver la salle" in text and due.strftime("%d/%m/%Y") in text
    assert "On garde « l'atelier » : oui !" in text.replace("\u00a0", " ")  # Markdown marks dropped
    assert french_spacing("« l'atelier » : oui !") == "«\u00a0l'atelier\u00a0»\u00a0: oui\u00a0!"  # no line break inside


# --- RGPD -------------------------------------------------------------------------------------
def test_export_and_erase_amendments(cast):
    minutes = services.minutes_round_open(actor=cast["admin"], minutes=write(cast, "## Décisions\n\nx\n"), deadline=deadline())
    kept = services.amendment_create(actor=cast["alice"], minutes=minutes, kind="replace", section="Décisions", body="y")
    services.amendment_decide(actor=cast["admin"], amendment=kept, accept=True)
    services.amendment_create(actor=cast["alice"], minutes=minutes, kind="comment", body="Mon avis")
    data = export_minutes(cast["alice"])["contributions_aux_comptes_rendus"]
    assert {d["texte"] for d in data} == {"y", "Mon avis"}
    assert export_minutes(cast["secretary"])["comptes_rendus_comme_secretaire"] == [cast["event"].title]
    account_erase(user=cast["alice"])
    assert list(Amendment.objects.values_list("body", "author")) == [("y", None)]
    account_erase(user=cast["secretary"])
    assert Minutes.objects.get().secretary is None


# --- query count ------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [10, 100])
def test_minutes_page_fixed_query_count(cast, client_for, django_assert_max_num_queries, n):
    minutes = services.minutes_round_open(actor=cast["admin"], minutes=write(cast, "## Décisions\n\nx\n"), deadline=deadline())
    people = [UserFactory() for _ in range(n)]
    for p in people:
        cast["group"].memberships.create(user=p, status="active", role="member")
        Amendment.objects.create(minutes=minutes, author=p, kind="replace", section="Décisions", body=f"Texte {p.pk}")
    client = client_for(cast["secretary"])
    with django_assert_max_num_queries(30):
        response = client.get(minutes.get_absolute_url())
    assert response.content.decode().count("Accepter et appliquer") == n
    assert Amendment.objects.filter(status=AmendmentStatus.OPEN).count() == n
    assert cast["event"].state == EventState.PUBLISHED


def test_event_page_shows_no_draft_to_visitors_when_no_secretary_is_named(staff, client, client_for):
    event = make_event(by=staff, audience=Audience.PUBLIC, start=timezone.now() - timedelta(hours=3))
    services.minutes_save(actor=staff, event=event, body="## Décisions\n\nSecret de brouillon\n")
    for c in (client, client_for(UserFactory())):
        page = c.get(event.get_absolute_url()).content.decode()
        assert 'id="compte-rendu"' not in page and "Secret de brouillon" not in page
    assert 'id="compte-rendu"' in client_for(staff).get(event.get_absolute_url()).content.decode()
