from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from community.models import OutboundEmail
from community.rgpd import account_erase
from events.datepolls import services
from events.datepolls.access import guest_link_token
from events.datepolls.forms import SlotForm
from events.datepolls.personal_data import export_datepolls
from events.datepolls.selectors import tally
from events.models import Audience, DateAnswer, DatePoll, DateVote, Event, EventState, PollInvitees
from groups.models import AccessMode
from ops.scheduler import JOBS
from tests.factories import UserFactory
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db


def slots(n=3, days=5):
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    return [(base + timedelta(days=i), base + timedelta(days=i, hours=2)) for i in range(n)]


@pytest.fixture
def cast():
    admin, a, b, c, outsider = (UserFactory() for _ in range(5))
    group = make_group(owner=admin, access=AccessMode.SECRET, name="Groupe des médiateurs", members=[a, b, c])
    return {"admin": admin, "a": a, "b": b, "c": c, "outsider": outsider, "group": group}


def group_poll(cast, **kw):
    data = {
        "actor": cast["admin"],
        "title": "Réunion mensuelle",
        "slots": slots(),
        "invitees_kind": PollInvitees.GROUP,
        "group": cast["group"],
    }
    data.update(kw)
    return services.datepoll_create(**data)


def all_yes(poll, choice="yes"):
    return {s.pk: choice for s in poll.slots.all()}


def test_group_poll_invites_the_members(cast):
    poll = group_poll(cast)
    assert poll.slots.count() == 3
    assert set(poll.invitees.values_list("user", flat=True)) == {cast["a"].pk, cast["b"].pk, cast["c"].pk}
    assert Notification.objects.filter(data__kind="events.datepoll").count() == 3


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"slots": slots(1)}, "au moins deux"),
        ({"slots": [slots(1)[0], slots(1)[0]]}, "au moins deux"),
        ({"slots": [*slots(2), (timezone.now() - timedelta(hours=3), timezone.now() - timedelta(hours=1))]}, "déjà passé"),
        ({"title": " "}, "objet"),
        ({"closes_at": timezone.now() - timedelta(hours=1)}, "futur"),
        ({"invitees_kind": PollInvitees.LIST, "group": None}, "au moins une personne"),
        ({"invitees_kind": PollInvitees.LIST, "group": None, "guest_emails": ["pas-une-adresse"]}, "invalide"),
    ],
)
def test_bad_input_is_a_french_error_and_changes_nothing(cast, kw, message):
    with pytest.raises(ValidationError) as exc:
        group_poll(cast, **kw)
    assert message in " ".join(exc.value.messages)
    assert not DatePoll.objects.exists() and not Notification.objects.exists() and not OutboundEmail.objects.exists()


def test_outsider_cannot_open_a_poll_for_a_group(cast):
    with pytest.raises(PermissionDenied):
        group_poll(cast, actor=cast["outsider"])


def test_answers_change_until_closed_and_one_answer_per_person(cast):
    poll = group_poll(cast)
    s1, s2, s3 = poll.slots.all()
    services.datepoll_answer(actor=cast["a"], poll=poll, choices={s1.pk: "yes", s2.pk: "no", s3.pk: "maybe"})
    services.datepoll_answer(actor=cast["a"], poll=poll, choices={s1.pk: "no", s2.pk: "yes", s3.pk: "yes"})
    assert DateAnswer.objects.filter(poll=poll).count() == 1 and DateVote.objects.count() == 3
    counts = {s.pk: (s.yes, s.maybe, s.no) for s in tally(poll)}
    assert counts == {s1.pk: (0, 0, 1), s2.pk: (1, 0, 0), s3.pk: (1, 0, 0)}
    with pytest.raises(ValidationError, match="chaque créneau"):
        services.datepoll_answer(actor=cast["b"], poll=poll, choices={s1.pk: "yes"})
    with pytest.raises(ValidationError, match="Réponse inconnue"):
        services.datepoll_answer(actor=cast["b"], poll=poll, choices={s1.pk: "peut-être", s2.pk: "yes", s3.pk: "yes"})
    with pytest.raises(PermissionDenied):
        services.datepoll_answer(actor=cast["outsider"], poll=poll, choices=all_yes(poll))
    with pytest.raises(PermissionDenied):
        services.datepoll_close(actor=cast["a"], poll=poll)
    services.datepoll_close(actor=cast["admin"], poll=poll)
    with pytest.raises(ValidationError, match="clos"):
        services.datepoll_answer(actor=cast["a"], poll=poll, choices=all_yes(poll))


def test_tally_marks_the_best_slot(cast):
    poll = group_poll(cast)
    s1, s2, s3 = poll.slots.all()
    services.datepoll_answer(actor=cast["a"], poll=poll, choices={s1.pk: "yes", s2.pk: "maybe", s3.pk: "no"})
    services.datepoll_answer(actor=cast["b"], poll=poll, choices={s1.pk: "no", s2.pk: "yes", s3.pk: "no"})
    services.datepoll_answer(actor=cast["c"], poll=poll, choices={s1.pk: "maybe", s2.pk: "yes", s3.pk: "no"})
    best = [s.pk for s in tally(poll) if s.best]
    assert best == [s2.pk]


def test_closes_by_date_with_the_periodic_job(cast):
    poll = group_poll(cast, closes_at=timezone.now() + timedelta(days=1))
    assert services.datepolls_close_due() == 0
    assert services.datepolls_close_due(now=timezone.now() + timedelta(days=2)) == 1
    assert services.datepolls_close_due(now=timezone.now() + timedelta(days=2)) == 0  # idempotent
    poll.refresh_from_db()
    assert not poll.is_open
    assert Notification.objects.filter(recipient=cast["admin"], data__kind="events.datepoll").count() == 1
    assert {"events.datepolls_close", "events.datepolls_purge_guests"} <= set(JOBS)


def test_turn_into_event_in_one_step(cast):
    poll = group_poll(cast, guest_emails=["invitee@exemple.fr"])
    s1, s2, _s3 = poll.slots.all()
    services.datepoll_answer(actor=cast["a"], poll=poll, choices=all_yes(poll))
    Notification.objects.all().delete()
    with pytest.raises(PermissionDenied):
        services.datepoll_to_event(actor=cast["a"], poll=poll, slot=s2)
    event = services.datepoll_to_event(actor=cast["admin"], poll=poll, slot=s2)
    assert (event.start, event.end, event.title) == (s2.start, s2.end, "Réunion mensuelle")
    assert event.state == EventState.PUBLISHED and event.audience == Audience.GROUP and event.audience_group == cast["group"]
    poll.refresh_from_db()
    assert poll.event == event and poll.chosen_slot == s2 and not poll.is_open
    invited = set(Notification.objects.filter(data__kind="events.datepoll").values_list("recipient", flat=True))
    assert invited == {cast["a"].pk, cast["b"].pk, cast["c"].pk}
    assert OutboundEmail.objects.filter(to_email="invitee@exemple.fr", kind="events.datepoll").count() == 2  # invitation, then the date
    with pytest.raises(ValidationError, match="déjà donné"):
        services.datepoll_to_event(actor=cast["admin"], poll=poll, slot=s1)
    assert Event.objects.count() == 1


def test_guest_answers_through_the_signed_link_with_a_name_only(cast, client):
    poll = group_poll(cast, guest_emails=["Invitee@Exemple.fr"])
    guest = poll.guests.get()
    assert guest.email == "invitee@exemple.fr"
    url = reverse("events:datepoll_guest", args=[guest_link_token(guest)])
    assert client.get(url).status_code == 200
    data = {f"slot_{s.pk}": "yes" for s in poll.slots.all()}
    response = client.post(url, data)
    assert response.status_code == 400 and not DateAnswer.objects.exists()
    response = client.post(url, {**data, "name": "Camille"})
    assert response.status_code == 302
    answer = DateAnswer.objects.get(guest=guest)
    assert answer.name == "Camille" and answer.user is None
    client.post(url, {**{f"slot_{s.pk}": "no" for s in poll.slots.all()}, "name": "Camille"})
    assert DateAnswer.objects.filter(poll=poll).count() == 1
    assert client.get(url[:-5] + "xxxxx/").status_code == 404  # forged


def test_guest_data_deleted_after_retention(cast):
    poll = group_poll(cast, guest_emails=["invitee@exemple.fr"])
    guest = poll.guests.get()
    services.datepoll_answer(guest=guest, poll=poll, choices=all_yes(poll), name="Camille")
    services.datepoll_close(actor=cast["admin"], poll=poll)
    assert services.datepoll_guests_purge(now=timezone.now() + timedelta(days=10)) == 0
    assert services.datepoll_guests_purge(now=timezone.now() + timedelta(days=services.GUEST_RETENTION_DAYS + 1)) == 1
    guest.refresh_from_db()
    assert guest.email == "" and DateAnswer.objects.get(guest=guest).name == ""
    assert sum(s.yes for s in tally(poll)) == 3  # the votes stay in the tally
    assert services.datepoll_guests_purge(now=timezone.now() + timedelta(days=99)) == 0


def test_list_and_link_polls_visibility(cast, client_for):
    listed = services.datepoll_create(
        actor=cast["a"], title="Petit comité", slots=slots(), invitees_kind=PollInvitees.LIST, members=[cast["b"]]
    )
    link = services.datepoll_create(actor=cast["a"], title="Ouvert", slots=slots(), invitees_kind=PollInvitees.LINK)
    assert client_for(cast["b"]).get(listed.get_absolute_url()).status_code == 200
    assert client_for(cast["c"]).get(listed.get_absolute_url()).status_code == 404
    assert client_for(cast["outsider"]).get(link.get_absolute_url()).status_code == 200
    group = group_poll(cast)
    assert client_for(cast["outsider"]).get(group.get_absolute_url()).status_code == 404


def test_pages_create_answer_and_event(cast, client_for):
    admin = client_for(cast["admin"])
    url = reverse("events:datepoll_create") + f"?groupe={cast['group'].slug}"
    assert admin.get(url).status_code == 200
    (a1, _e1), (a2, _e2) = slots(2)
    form = {
        "title": "Point d'étape",
        "description": "",
        "location": "Salle 2",
        "invitees_kind": "group",
        "group": cast["group"].pk,
        "emails": "",
        "closes_at": "",
        "form-TOTAL_FORMS": "4",
        "form-INITIAL_FORMS": "0",
        "form-0-day": timezone.localtime(a1).date().isoformat(),
        # fixed daytime hours: a slot starting at 22:00 has its default end capped at 23:00, the same day
        "form-0-start": "14:00",
        "form-0-end": "",
        "form-1-day": "",
        "form-1-start": "",
        "form-1-end": "",
    }
    response = admin.post(url, form)
    assert response.status_code == 200 and "au moins deux" in response.content.decode()
    assert not DatePoll.objects.exists()
    form.update({"form-1-day": timezone.localtime(a2).date().isoformat(), "form-1-start": "10:00"})
    response = admin.post(url, form)
    poll = DatePoll.objects.get()
    assert response.status_code == 302 and response["Location"] == poll.get_absolute_url()
    s1, s2 = poll.slots.all()
    assert s2.end - s2.start == timedelta(hours=2)
    for who in ("a", "b", "c"):
        r = client_for(cast[who]).post(
            reverse("events:datepoll_answer", args=[poll.token]), {f"slot_{s1.pk}": "no", f"slot_{s2.pk}": "yes"}
        )
        assert r.status_code == 302
    page = admin.get(poll.get_absolute_url()).content.decode()
    assert "3 oui" in page and "En tête" in page
    assert client_for(cast["a"]).post(reverse("events:datepoll_to_event", args=[poll.token]), {"slot": s2.pk}).status_code == 403
    response = admin.post(reverse("events:datepoll_to_event", args=[poll.token]), {"slot": s2.pk})
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()


def test_anonymous_poll_hides_who_answered_what(cast, client_for):
    poll = group_poll(cast, anonymous=True)
    services.datepoll_answer(actor=cast["a"], poll=poll, choices=all_yes(poll))
    page = client_for(cast["b"]).get(poll.get_absolute_url()).content.decode()
    assert cast["a"].public_name not in page and "1 réponse" in page


@pytest.mark.parametrize("n", [10, 100])
def test_poll_page_fixed_query_count(cast, client_for, django_assert_max_num_queries, n):
    poll = group_poll(cast)
    people = [UserFactory() for _ in range(n)]
    for p in people:
        cast["group"].memberships.create(user=p, status="active", role="member")
        services.datepoll_answer(actor=p, poll=poll, choices=all_yes(poll, "maybe"))
    client = client_for(cast["a"])
    with django_assert_max_num_queries(20):
        response = client.get(poll.get_absolute_url())
    assert response.content.decode().count("(si nécessaire)") == 3 * n


def test_export_and_erase(cast):
    poll = group_poll(cast)
    services.datepoll_answer(actor=cast["a"], poll=poll, choices=all_yes(poll))
    assert export_datepolls(cast["a"])["reponses"][0]["sondage"] == "Réunion mensuelle"
    assert export_datepolls(cast["admin"])["sondages_organises"][0]["titre"] == "Réunion mensuelle"
    account_erase(user=cast["a"])
    assert DateAnswer.objects.filter(poll=poll).count() == 1  # the tally keeps the vote
    assert not poll.invitees.filter(user=cast["a"]).exists()


@pytest.mark.parametrize(
    ("start", "expected_end"),
    [("14:00", (16, 0)), ("22:00", (23, 59)), ("23:30", (23, 59)), ("21:15", (23, 15))],
)
def test_slot_without_end_lasts_two_hours_within_its_day(start, expected_end):
    day = (timezone.localtime() + timedelta(days=3)).date()
    form = SlotForm({"day": day.isoformat(), "start": start, "end": ""})
    assert form.is_valid(), form.errors
    begin, finish = form.as_range()
    local = timezone.localtime(finish)
    assert local.date() == day and (local.hour, local.minute) == expected_end
    assert finish > begin
