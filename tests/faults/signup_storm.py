"""N members sign up at the same instant for the last seat of an event, each in its own thread
with its own PostgreSQL connection, through ``events.services.registration_create``.

Run by test_last_seat.py in a subprocess against a private PostgreSQL cluster (the shared one
allows only 100 connections, and other test runs use them). Prints one JSON line: what each
sign-up returned, what the database holds afterwards, and any error.
"""

import json
import sys
import threading


def main(n: int, capacity: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connections
    from notifications.models import Notification

    from community.models import OutboundEmail
    from events.models import Event, Registration, RegistrationStatus
    from events.services import registration_create
    from tests.events.factories import make_event
    from tests.factories import StaffFactory, UserFactory

    # The copied test database may have been flushed since the migrations wrote the staff group.
    Group.objects.get_or_create(name="Équipe du hub")
    event = make_event(by=StaffFactory(), capacity=capacity)
    for _ in range(capacity - 1):  # every seat but one is taken
        registration_create(event=event, actor=UserFactory(), answers={})
    users = [UserFactory() for _ in range(n)]
    barrier = threading.Barrier(n)
    returned, errors = [], []

    def sign_up(user):
        try:
            own = Event.objects.get(pk=event.pk)  # its own connection, opened before the start line
            barrier.wait(timeout=120)
            returned.append(registration_create(event=own, actor=user, answers={}).status)
        except Exception as exc:  # reported to the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    regs = list(Registration.objects.filter(event=event, user__in=users).values_list("pk", "user_id", "status"))
    emails = {}
    for key in OutboundEmail.objects.filter(dedupe_key__startswith="events:reg:").values_list("dedupe_key", flat=True):
        emails[key] = emails.get(key, 0) + 1
    notified = {}
    for user_id in Notification.objects.filter(recipient__in=users).values_list("recipient_id", flat=True):
        notified[user_id] = notified.get(user_id, 0) + 1
    event.refresh_from_db()
    return {
        "errors": errors,
        "returned": returned,
        "statuses": [status for _pk, _user, status in regs],
        "registrations_per_user": len({user for _pk, user, _status in regs}),
        "emails_per_registration": sorted({emails.get(f"events:reg:{pk}:{status}", 0) for pk, _user, status in regs}),
        "notifications_per_user": sorted({notified.get(u.pk, 0) for u in users}),
        "seats_taken": event.seats_taken,
        "confirmed_total": Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count(),
        "alive_threads": sum(t.is_alive() for t in threads),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))), flush=True)
