"""Shared equipment (issue 14 item 4): bookings without overlap, the nearest free slot, the
hand-over states, reminders, who may do what, the feed, the RGPD hooks and the query counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from notifications.models import Notification

from community.models import NotificationPreference
from ops import scheduler
from sharing import selectors
from sharing.ics import feed_token
from sharing.models import Booking, Item, ItemPhoto
from sharing.personal_data import erase_sharing, export_sharing
from sharing.services import SlotTaken, booking_create, booking_reminders_send, booking_transition, item_create
from tests.factories import StaffFactory, UserFactory
from tests.sharing.factories import at, make_item

pytestmark = pytest.mark.django_db


def test_a_request_waits_for_the_owner_who_is_told(member, owner, item):
    booking = booking_create(actor=member, item=item, start=at(2), end=at(2, 17), message="Atelier seniors")
    assert booking.status == Booking.Status.REQUESTED
    note = Notification.objects.get(recipient=owner)
    assert note.data["kind"] == "sharing.request" and "Valise de tablettes" in note.verb
    booking_transition(actor=owner, booking=booking, action="accept")
    booking_transition(actor=owner, booking=booking, action="hand_over")
    booking_transition(actor=owner, booking=booking, action="return")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.RETURNED and booking.handed_over_at and booking.returned_at
    assert Notification.objects.filter(recipient=member, data__kind="sharing.booking").count() == 3


def test_automatic_approval(member, org):
    item = make_item(org, auto_approve=True, kind=Item.Kind.ROOM, name="Salle")
    assert booking_create(actor=member, item=item, start=at(1), end=at(1, 12)).status == Booking.Status.ACCEPTED


def test_overlap_is_refused_with_the_nearest_free_slot_of_the_same_length(member, other_member, item):
    booking_create(actor=member, item=item, start=at(3, 9), end=at(3, 12))
    with pytest.raises(SlotTaken) as exc:
        booking_create(actor=other_member, item=item, start=at(3, 10), end=at(3, 12))
    assert exc.value.slot == (at(3, 12), at(3, 14))
    message = exc.value.message_dict["start"][0]
    assert message.startswith("Ce créneau est déjà réservé. Créneau libre le plus proche : du ")
    assert "à 12:00 au " in message and "à 14:00." in message
    assert Booking.objects.count() == 1
    # back to back is fine (half-open periods)
    booking_create(actor=other_member, item=item, start=at(3, 12), end=at(3, 14))


def test_nearest_slot_may_be_before(member, other_member, item):
    booking_create(actor=member, item=item, start=at(5, 12), end=at(8, 12))
    with pytest.raises(SlotTaken) as exc:
        booking_create(actor=other_member, item=item, start=at(5, 14), end=at(5, 16))
    assert exc.value.slot == (at(5, 10), at(5, 12))


def test_quantity_counts_copies(member, other_member, org):
    item = make_item(org, quantity=3)
    booking_create(actor=member, item=item, start=at(2), end=at(2, 12), quantity=2)
    booking_create(actor=other_member, item=item, start=at(2, 10), end=at(2, 11), quantity=1)
    with pytest.raises(SlotTaken):
        booking_create(actor=other_member, item=item, start=at(2, 10, 30), end=at(2, 11, 30), quantity=1)


@pytest.mark.parametrize(
    "start,end,quantity,field,text",
    [
        (at(2, 12), at(2, 10), 1, "end", "La fin doit être après le début."),
        (at(-1, 9), at(-1, 12), 1, "start", "Ce début est déjà passé"),
        (at(2), at(2, 12), 5, "quantity", "n'en prête qu'un exemplaire"),
        (at(2), at(90), 1, "end", "au plus 60 jours"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_saved(member, item, start, end, quantity, field, text):
    with pytest.raises(ValidationError) as exc:
        booking_create(actor=member, item=item, start=start, end=end, quantity=quantity)
    assert text in exc.value.message_dict[field][0]
    assert not Booking.objects.exists() and not Notification.objects.exists()


def test_bad_input_through_the_page(client_for, member, item):
    url = reverse("sharing:booking_create", args=[item.pk])
    response = client_for(member).post(url, {"start": "2020-01-01T10:00", "end": "2020-01-01T09:00", "quantity": 1})
    page = response.content.decode()
    assert response.status_code == 200 and "La fin doit être après le début." in page and "déjà passé" in page
    assert not Booking.objects.exists()


def test_overlap_through_the_page_shows_a_link_to_the_free_slot(client_for, member, other_member, item):
    booking_create(actor=member, item=item, start=at(3, 9), end=at(3, 12))
    url = reverse("sharing:booking_create", args=[item.pk])
    data = {"start": at(3, 10).strftime("%Y-%m-%dT%H:%M"), "end": at(3, 11).strftime("%Y-%m-%dT%H:%M"), "quantity": 1}
    page = client_for(other_member).post(url, data).content.decode()
    assert "Créneau libre le plus proche" in page
    assert f"?debut={at(3, 12):%Y-%m-%dT%H:%M}&amp;fin={at(3, 13):%Y-%m-%dT%H:%M}" in page
    assert Booking.objects.count() == 1


def test_who_may_do_what(member, other_member, owner, item):
    booking = booking_create(actor=member, item=item, start=at(2), end=at(2, 12))
    with pytest.raises(PermissionDenied):
        booking_transition(actor=other_member, booking=booking, action="accept")
    with pytest.raises(PermissionDenied):
        booking_transition(actor=member, booking=booking, action="accept")  # not the borrower's to accept
    with pytest.raises(PermissionDenied):
        booking_transition(actor=owner, booking=booking, action="cancel")  # the owner declines instead
    with pytest.raises(ValidationError):
        booking_transition(actor=owner, booking=booking, action="return")  # not handed over yet
    booking_transition(actor=member, booking=booking, action="cancel")
    assert Notification.objects.filter(recipient=owner, data__kind="sharing.request").count() == 2
    # cancelled: the slot is free again
    booking_create(actor=other_member, item=item, start=at(2), end=at(2, 12))
    with pytest.raises(PermissionDenied):
        item_create(actor=other_member, data={"organisation": item.organisation, "name": "x", "quantity": 1})


def test_pages_for_owner_borrower_outsider(client_for, member, other_member, owner, item):
    booking = booking_create(actor=member, item=item, start=at(2), end=at(2, 12))
    detail = reverse("sharing:booking_detail", args=[booking.pk])
    assert client_for(other_member).get(detail).status_code == 404
    assert client_for(member).get(detail).status_code == 200
    assert client_for(owner).get(reverse("sharing:item_edit", args=[item.pk])).status_code == 200
    assert client_for(member).get(reverse("sharing:item_edit", args=[item.pk])).status_code == 403
    action = reverse("sharing:booking_action", args=[booking.pk])
    assert client_for(other_member).post(action, {"action": "cancel"}).status_code == 404
    client_for(owner).post(action, {"action": "accept", "note": "Passez à l'accueil"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ACCEPTED and booking.decision_note == "Passez à l'accueil"
    page = client_for(owner).get(item.get_absolute_url()).content.decode()
    assert "Historique des prêts" in page and member.public_name in page
    assert member.public_name not in client_for(other_member).get(item.get_absolute_url()).content.decode()
    item.is_active = False
    item.save()
    assert client_for(other_member).get(item.get_absolute_url()).status_code == 404
    assert client_for(owner).get(item.get_absolute_url()).status_code == 200


def test_owner_creates_an_item_with_a_photo(client_for, owner, org):
    from tests.groups.factories import png_upload

    data = {
        "name": "Kit webcam",
        "kind": "materiel",
        "organisation": org.pk,
        "quantity": 2,
        "description": "**Caution** 20 €",
        "is_active": "on",
    }
    response = client_for(owner).post(reverse("sharing:item_create"), {**data, "photo": png_upload("kit.png")})
    item = Item.objects.get(name="Kit webcam")
    assert response.status_code == 302 and item.created_by == owner
    assert item.photos.get().image.name.startswith("partage/")
    assert "<strong>Caution</strong>" in client_for(owner).get(item.get_absolute_url()).content.decode()


def test_list_filters(client_for, member, org):
    room = make_item(org, name="Salle bleue", kind=Item.Kind.ROOM)
    kit = make_item(org, name="Tablettes vertes")
    booking_create(actor=member, item=kit, start=at(4), end=at(4, 12))
    c = client_for(member)
    assert "Tablettes vertes" not in c.get("/partage/?type=salle").content.decode()
    day = (timezone.localdate() + timedelta(days=4)).isoformat()
    page = c.get(f"/partage/?du={day}&au={day}").content.decode()
    assert "Salle bleue" in page and "Tablettes vertes" not in page
    assert room.name in c.get("/partage/").content.decode()


def test_month_calendar_shows_bookings(client_for, member, item):
    booking_create(actor=member, item=item, start=at(1, 9), end=at(2, 17))
    grid = selectors.item_month(item=item, year=at(1).year, month=at(1).month)
    days = [d for w in grid["weeks"] for d in w if d["bookings"]]
    assert {d["date"] for d in days} >= {at(1).date(), at(2).date()} or at(1).month != at(2).month


def test_reminders_once_and_preferences_respected(member, other_member, owner, item):
    soon = booking_create(actor=member, item=item, start=timezone.now() + timedelta(hours=5), end=timezone.now() + timedelta(hours=8))
    booking_transition(actor=owner, booking=soon, action="accept")
    late = booking_create(actor=other_member, item=item, start=at(6), end=at(6, 12))
    booking_transition(actor=owner, booking=late, action="accept")
    booking_transition(actor=owner, booking=late, action="hand_over")
    NotificationPreference.objects.create(user=other_member, kind="sharing.reminder", delivery="off")
    assert booking_reminders_send(now=at(6, 13)) == 1  # only the late one: "soon" started long ago by then
    assert booking_reminders_send() == 1  # the one starting in 5 hours
    assert booking_reminders_send() == 0 and booking_reminders_send(now=at(6, 14)) == 0
    assert Notification.objects.filter(recipient=member, data__kind="sharing.reminder").count() == 1
    assert not Notification.objects.filter(recipient=other_member, data__kind="sharing.reminder").exists()
    assert Notification.objects.filter(recipient=owner, verb__contains="devait être rendu").count() == 1
    assert "sharing.reminders" in scheduler.JOBS


def test_ics_feed_of_my_bookings(client, member, item):
    booking_create(actor=member, item=item, start=at(2), end=at(2, 12))
    response = client.get(reverse("sharing:my_ics", args=[feed_token(member)]))
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert response["Content-Type"].startswith("text/calendar") and len(events) == 1
    assert "Valise de tablettes" in str(events[0]["summary"])
    assert client.get(reverse("sharing:my_ics", args=[feed_token(member) + "x"])).status_code == 404


def test_rgpd_export_and_erase(member, owner, item):
    booking = booking_create(actor=member, item=item, start=at(2), end=at(2, 12), message="Pour Mme Zéphyrine")
    assert export_sharing(member)["reservations"][0]["message"] == "Pour Mme Zéphyrine"
    erase_sharing(member)
    booking.refresh_from_db()
    assert booking.borrower is None and booking.message == ""


def test_staff_manage_every_item(item, member):
    staff = StaffFactory()
    booking = booking_create(actor=member, item=item, start=at(2), end=at(2, 12))
    booking_transition(actor=staff, booking=booking, action="decline")
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.DECLINED


def test_counts_by_month_hold_no_personal_data(member, item):
    booking_create(actor=member, item=item, start=at(2), end=at(2, 12))
    rows = selectors.booking_counts_by_month()
    assert sum(r["count"] for r in rows) == 1 and set(rows[0]) == {"month", "count", "items"}


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill(org, n_items, n_bookings):
    item = Item.objects.filter(organisation=org).first() or make_item(org, quantity=999)
    created = Item.objects.bulk_create([Item(organisation=org, name=f"Objet {i}", quantity=1) for i in range(n_items)])
    # photos on every item, as many as the item page may show (rows only: URLs need no file)
    photos = [
        ItemPhoto(
            item=target,
            image=f"partage/{target.pk}-{n}.jpg",
            image_webp=f"partage/{target.pk}-{n}.webp",
            thumb=f"partage/{target.pk}-{n}-v.jpg",
            thumb_webp=f"partage/{target.pk}-{n}-v.webp",
            position=n,
        )
        for target in [*created, item]
        if not target.photos.exists()
        for n in range(3 if target is not item else 6)
    ]
    ItemPhoto.objects.bulk_create(photos)
    borrowers = [UserFactory() for _ in range(2)]
    Booking.objects.bulk_create(
        [Booking(item=item, borrower=borrowers[i % 2], start=at(1 + i % 20, 9), end=at(1 + i % 20, 10)) for i in range(n_bookings)]
    )
    return item


def test_query_counts_do_not_grow(client_for, owner, org):
    c = client_for(owner)
    item = _fill(org, 10, 10)
    small = [_queries(c, "/partage/"), _queries(c, item.get_absolute_url()), _queries(c, "/partage/reservations/")]
    _fill(org, 90, 90)
    large = [_queries(c, "/partage/"), _queries(c, item.get_absolute_url()), _queries(c, "/partage/reservations/")]
    assert small == large


def test_observatory_counts_bookings_per_month(member, item):
    from content.observatory import chart_bookings_month

    booking_create(actor=member, item=item, start=at(2), end=at(2, 12))
    chart = chart_bookings_month()
    assert sum(row[1] for row in chart.rows) == 1 and member.public_name not in str(chart.rows)
