import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from notifications.models import Notification

from actions import services
from actions.models import Action, ActionEntry, ActionReminder, ActionStatus
from actions.personal_data import erase_actions, export_actions
from actions.selectors import BoardFilters, board_actions, my_actions
from community.models import NotificationPreference, OutboundEmail
from community.rgpd import account_erase
from events.services import calendar_token_rotate
from groups.models import AccessMode
from ops.scheduler import JOBS
from tests.actions.factories import group_origin, make_action
from tests.factories import UserFactory
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    admin, alice, bob, outsider = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    group = make_group(owner=admin, access=AccessMode.SECRET, name="Groupe inclusion", members=[alice, bob])
    return {"admin": admin, "alice": alice, "bob": bob, "outsider": outsider, "group": group}


def today():
    return timezone.localdate()


# --- services ---------------------------------------------------------------------------------
def test_create_notifies_owners_but_not_the_actor(cast):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"], cast["admin"]])
    assert set(action.owners.all()) == {cast["alice"], cast["admin"]}
    assert action.audience == f"group:{cast['group'].pk}" and action.container == action.audience
    assert Notification.objects.filter(recipient=cast["alice"], data__kind="actions.assigned").count() == 1
    assert not Notification.objects.filter(recipient=cast["admin"], data__kind="actions.assigned").exists()
    assert OutboundEmail.objects.filter(recipient=cast["alice"], kind="actions.assigned").count() == 1  # outbox, same transaction
    assert action.entries.get().kind == ActionEntry.Kind.CREATED


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"owners": []}, "owners", "au moins un·e responsable"),
        ({"due_date": "past"}, "due_date", "passé"),
        ({"description": "  "}, "description", "Décrivez"),
        ({"due_date": None}, "due_date", "échéance"),
    ],
)
def test_bad_input_is_a_french_error_and_changes_nothing(cast, kwargs, field, message):
    data = {"description": "Réserver la salle", "owners": [cast["alice"]], "due_date": today() + timedelta(days=3)}
    data.update(kwargs)
    if data["due_date"] == "past":
        data["due_date"] = today() - timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.action_create(actor=cast["admin"], origin=group_origin(cast["admin"], cast["group"]), **data)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Action.objects.exists() and not Notification.objects.exists()


def test_owner_must_see_the_origin(cast):
    with pytest.raises(ValidationError) as exc:
        make_action(actor=cast["admin"], group=cast["group"], owners=[cast["outsider"]])
    assert "pas accès" in str(exc.value)
    assert not Action.objects.exists()


def test_outsider_cannot_create_nor_resolve_a_secret_group_origin(cast):
    assert group_origin(cast["outsider"], cast["group"]) is None
    with pytest.raises(PermissionDenied):
        services.action_create(actor=cast["outsider"], origin=None, description="x", owners=[cast["alice"]], due_date=today())


def test_status_change_by_owner_and_admin_only(cast):
    action = make_action(actor=cast["alice"], group=cast["group"], owners=[cast["alice"]])
    with pytest.raises(PermissionDenied):
        services.action_set_status(actor=cast["bob"], action=action, status=ActionStatus.DONE)
    services.action_set_status(actor=cast["alice"], action=action, status=ActionStatus.DOING)
    action = services.action_set_status(actor=cast["admin"], action=action, status=ActionStatus.DONE, comment="Envoyé")
    assert action.status == ActionStatus.DONE and action.closed_at is not None
    assert list(action.entries.values_list("kind", flat=True)) == ["created", "status", "status"]
    assert Notification.objects.filter(recipient=cast["alice"], data__kind="actions.update").count() == 1
    with pytest.raises(ValidationError):
        services.action_set_status(actor=cast["admin"], action=action, status="bidon")


def test_comment_needs_to_see_the_action(cast):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]])
    services.action_comment(actor=cast["bob"], action=action, body="Je peux aider")
    with pytest.raises(PermissionDenied):
        services.action_comment(actor=cast["outsider"], action=action, body="Intrus")
    with pytest.raises(ValidationError):
        services.action_comment(actor=cast["bob"], action=action, body=" ")
    assert action.entries.filter(kind="comment").count() == 1


def test_update_notifies_new_owners_and_refuses_a_new_past_date(cast):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]])
    origin = group_origin(cast["admin"], cast["group"])
    with pytest.raises(ValidationError):
        services.action_update(
            actor=cast["admin"], action=action, origin=origin, description="x", owners=[cast["alice"]], due_date=today() - timedelta(days=2)
        )
    services.action_update(
        actor=cast["admin"],
        action=action,
        origin=origin,
        description="Nouveau texte",
        owners=[cast["alice"], cast["bob"]],
        due_date=action.due_date,
    )
    assert Notification.objects.filter(recipient=cast["bob"], data__kind="actions.assigned").count() == 1
    assert Notification.objects.filter(recipient=cast["alice"], data__kind="actions.assigned").count() == 1  # not twice
    assert action.entries.filter(kind="updated").count() == 1


def test_set_audience_rescopes(cast):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]])
    assert services.action_set_audience(origin_kind="groups.group", origin_id=cast["group"].pk, audience="staff") == 1
    action.refresh_from_db()
    assert action.audience == "staff"


# --- reminders --------------------------------------------------------------------------------
def test_reminders_before_and_overdue_are_idempotent_and_chase_until_done(cast):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"], cast["bob"]], days=2)
    far = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]], days=20)
    Notification.objects.all().delete()
    start = today()
    assert services.reminders_send(today=start) == 2
    assert services.reminders_send(today=start) == 0  # idempotent
    assert services.reminders_send(today=start + timedelta(days=2)) == 0  # due today: already reminded
    assert services.reminders_send(today=start + timedelta(days=3)) == 2  # overdue, first chase
    assert services.reminders_send(today=start + timedelta(days=5)) == 0  # same week
    assert services.reminders_send(today=start + timedelta(days=10)) == 2  # a week later
    services.action_set_status(actor=cast["alice"], action=action, status=ActionStatus.DONE)
    assert services.reminders_send(today=start + timedelta(days=17)) == 1  # `far` is 3 days off now; `action` is done
    assert ActionReminder.objects.filter(action=far).count() == 1
    kinds = set(Notification.objects.filter(recipient=cast["bob"]).values_list("data__kind", flat=True))
    assert kinds == {"actions.reminder", "actions.update"}


def test_reminders_respect_preferences(cast):
    make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]], days=1)
    NotificationPreference.objects.create(user=cast["alice"], kind="actions.reminder", delivery="off")
    Notification.objects.all().delete()
    services.reminders_send()
    assert not Notification.objects.filter(recipient=cast["alice"]).exists()


def test_periodic_job_is_registered():
    assert "actions.reminders" in JOBS


# --- reading ----------------------------------------------------------------------------------
def test_only_who_sees_the_origin_sees_the_action(cast, client_for):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]])
    assert client_for(cast["bob"]).get(action.get_absolute_url()).status_code == 200
    assert client_for(cast["outsider"]).get(action.get_absolute_url()).status_code == 404
    assert client_for(cast["outsider"]).get(reverse("actions:board", args=[action.container])).status_code == 404
    assert board_actions(viewer=cast["outsider"], container=action.container, filters=BoardFilters()) is None
    # an owner who left the secret group no longer sees it
    cast["group"].memberships.filter(user=cast["alice"]).delete()
    assert not my_actions(viewer=cast["alice"], filters=BoardFilters()).exists()


def test_filters(cast):
    a = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]], days=3)
    b = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["bob"]], days=20)
    Action.objects.filter(pk=b.pk).update(due_date=today() - timedelta(days=1))
    c = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["bob"]], days=40)
    services.action_set_status(actor=cast["admin"], action=c, status=ActionStatus.DONE)
    board = lambda **kw: set(board_actions(viewer=cast["admin"], container=a.container, filters=BoardFilters(**kw)))  # noqa: E731
    assert board() == {a, b}
    assert board(status="all") == {a, b, c}
    assert board(status="done") == {c}
    assert board(due="overdue") == {b}
    assert board(due="week") == {a}
    assert board(owner=cast["bob"].pk, status="all") == {b, c}


def _many(cast, n):
    people = [UserFactory() for _ in range(3)]
    for p in people:
        cast["group"].memberships.create(user=p, status="active", role="member")
    origin = group_origin(cast["admin"], cast["group"])
    for i in range(n):
        services.action_create(
            actor=cast["admin"],
            origin=origin,
            description=f"Action {i}",
            owners=[cast["alice"], people[i % 3]],
            due_date=today() + timedelta(days=i % 30),
        )


@pytest.mark.parametrize("n", [10, 100])
def test_board_and_my_actions_fixed_query_count(cast, client_for, django_assert_max_num_queries, n):
    _many(cast, n)
    client = client_for(cast["alice"])
    url = reverse("actions:board", args=[f"group:{cast['group'].pk}"]) + "?statut=all"
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200 and response.content.count(b'class="action-item') == min(n, 50)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("actions:mine"))
    assert response.content.count(b'class="action-item') == min(n, 50)


# --- pages ------------------------------------------------------------------------------------
def test_create_through_the_form_then_mark_done(cast, client_for):
    client = client_for(cast["bob"])
    url = reverse("actions:create", args=["groups.group", cast["group"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"description": "Appeler la mairie", "owners": [cast["alice"].pk], "due_date": ""})
    assert response.status_code == 200 and "Indiquez une échéance" in response.content.decode()
    response = client.post(url, {"description": "Appeler la mairie", "owners": [], "due_date": (today() + timedelta(days=5)).isoformat()})
    assert "au moins un·e responsable" in response.content.decode()
    response = client.post(
        url, {"description": "Appeler la mairie", "owners": [cast["alice"].pk], "due_date": (today() + timedelta(days=5)).isoformat()}
    )
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    alice = client_for(cast["alice"])
    page = alice.get(reverse("actions:mine")).content.decode()
    assert "Appeler la mairie" in page
    response = alice.post(reverse("actions:status", args=[action.pk]), {"status": "done", "retour": reverse("actions:mine")})
    assert response.status_code == 302 and response["Location"] == reverse("actions:mine")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert client_for(cast["outsider"]).post(reverse("actions:status", args=[action.pk]), {"status": "todo"}).status_code == 404


def test_status_by_a_member_who_is_not_owner_is_403(cast, client_for):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]])
    response = client_for(cast["bob"]).post(reverse("actions:status", args=[action.pk]), {"status": "done"})
    assert response.status_code == 403
    assert client_for(cast["bob"]).get(reverse("actions:edit", args=[action.pk])).status_code == 403


def test_comment_page_and_markdown_is_sanitised(cast, client_for):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]])
    client = client_for(cast["bob"])
    response = client.post(reverse("actions:comment", args=[action.pk]), {"body": "<script>alert(1)</script> **ok**"})
    assert response.status_code == 302
    page = client.get(action.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "<strong>ok</strong>" in page
    times = re.findall(r"<time[^>]*>[^<]*(?:<(?!/time)[^<]*)*</time>", page)
    assert times and not any(t.count("<time") > 1 for t in times)  # each entry's moment: one <time>, not one inside another


def test_origin_template_tag_and_group_panel(cast, client_for, rf):
    make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]], description="Préparer l'ordre du jour")
    request = rf.get("/")
    request.user = cast["bob"]
    html = Template('{% load actions_tags %}{% actions_for_origin "groups.group" gid %}').render(
        Context({"request": request, "gid": cast["group"].pk})
    )
    assert "Préparer l&#x27;ordre du jour" in html and "Ajouter une action" in html
    request.user = cast["outsider"]
    html = Template('{% load actions_tags %}{% actions_for_origin "groups.group" gid %}').render(
        Context({"request": request, "gid": cast["group"].pk})
    )
    assert "ordre du jour" not in html
    page = client_for(cast["bob"]).get(reverse("groups:group_panels", args=[cast["group"].slug])).content.decode()
    assert "Actions du groupe" in page and "Préparer" in page


# --- RGPD -------------------------------------------------------------------------------------
def test_export_and_erase(cast):
    action = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"], cast["bob"]])
    services.action_comment(actor=cast["alice"], action=action, body="Mon commentaire")
    data = export_actions(cast["alice"])
    assert data["actions_confiees"][0]["description"] == "Envoyer le compte rendu"
    assert data["commentaires"][0]["texte"] == "Mon commentaire"
    account_erase(user=cast["alice"])
    action.refresh_from_db()
    assert list(action.owners.all()) == [cast["bob"]]
    assert not action.entries.filter(author=cast["alice"]).exists()
    erase_actions(cast["admin"])
    action.refresh_from_db()
    assert action.created_by is None


# --- calendar feed ----------------------------------------------------------------------------
def test_my_open_actions_due_dates_are_in_my_private_calendar_feed(cast, client):
    mine = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]], description="Réserver la salle")
    done = make_action(actor=cast["admin"], group=cast["group"], owners=[cast["alice"]], description="Déjà fait")
    services.action_set_status(actor=cast["admin"], action=done, status=ActionStatus.DONE)
    make_action(actor=cast["admin"], group=cast["group"], owners=[cast["bob"]], description="Celle de Bob")
    token = calendar_token_rotate(actor=cast["alice"])
    body = client.get(reverse("events:my_ics", args=[token.token])).content
    items = [e for e in Calendar.from_ical(body).walk("VEVENT") if "Échéance d'action" in str(e["summary"])]
    assert len(items) == 1 and "Réserver la salle" in str(items[0]["summary"])
    assert items[0].decoded("dtstart") == mine.due_date and str(items[0]["uid"]) == f"action-{mine.pk}-due@maillage"
    # once she has left the group, the (secret) group's actions leave her feed
    cast["group"].memberships.filter(user=cast["alice"]).delete()
    body = client.get(reverse("events:my_ics", args=[token.token])).content.decode()
    assert "Réserver la salle" not in body
