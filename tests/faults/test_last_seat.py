"""100 members sign up at the same instant for the last seat of an event: exactly one gets it,
the 99 others are waitlisted (the event's rule: an unlimited waiting list), nobody sees an
error, and each of them gets exactly one e-mail and one notification for their outcome.

Each sign-up runs in its own thread with its own PostgreSQL connection, through the sign-up
service, in a subprocess (tests/faults/signup_storm.py) against a private PostgreSQL cluster
that allows 250 connections.
"""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from .conftest import ROOT, django_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…): fault tests run against real servers",
    ),
]

SIGNUPS = 100
CAPACITY = 5


def test_hundred_concurrent_signups_for_the_last_seat(private_postgres):
    database_url = private_postgres.clone_test_database("maillage_last_seat")
    env = django_env(
        DATABASE_URL=database_url,
        REDIS_URL="",
        DJANGO_SETTINGS_MODULE="hub.settings.test",  # fast password hashing, tasks run at once
        DATABASE_POOL="false",  # one connection per thread, as the sign-ups of 100 web requests would have
        CONN_MAX_AGE="0",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.signup_storm", str(SIGNUPS), str(CAPACITY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["errors"] == []
    assert result["alive_threads"] == 0
    assert sorted(result["returned"]) == sorted(result["statuses"])
    assert result["statuses"].count("confirmed") == 1
    assert result["statuses"].count("waitlisted") == SIGNUPS - 1
    assert result["registrations_per_user"] == SIGNUPS
    assert result["seats_taken"] == CAPACITY and result["confirmed_total"] == CAPACITY
    assert result["emails_per_registration"] == [1]  # one e-mail each, for the outcome they got
    assert result["notifications_per_user"] == [1]
