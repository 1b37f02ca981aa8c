"""Stored XSS, server side: the corpus goes into every user-text field, every page showing those
fields is rendered, and the HTML is parsed for live markup (``htmlcheck.live_markup``).

Values are written straight into the rows (``QuerySet.update``), past form validation: what is
tested is the rendering, whatever path the text came in by (forms, imports, feeds, the admin).
The corpus is spread over ``ROUNDS`` rounds; in each round every text field holds its share (long
text fields hold all of it across the rounds; short ones as many payloads as fit their length),
URL fields a hostile URL, and each page is rendered for a viewer who may see the fields.
"""

import pytest
from django.db import transaction
from django.test import Client

from tests.security.htmlcheck import live_markup
from tests.security.stored import PAGES, PAYLOADS, fill
from tests.security.world import build_world

ROUNDS = 6


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def test_corpus_is_big_and_distinct():
    assert len(PAYLOADS) >= 200 and len(set(PAYLOADS)) == len(PAYLOADS)


def test_checker_sees_raw_payloads():
    """The checker is not blind: most raw payloads are live markup before escaping/sanitising."""
    flagged = sum(1 for p in PAYLOADS if live_markup(p))
    assert flagged >= 180, flagged


@pytest.mark.django_db
def test_no_payload_survives_as_live_markup(world):
    clients = {}
    for role, user in world.users.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    problems, unseen = [], []
    for r in range(ROUNDS):
        fill(world, PAYLOADS[r::ROUNDS], r, f"XSSR{r}")
        for role, build in PAGES:
            url = build(world)
            response = clients[role].get(url)
            assert response.status_code == 200, f"{role} {url}: {response.status_code}"
            html = response.content.decode()
            if f"XSSR{r}" not in html or (url == world.open_topic.get_absolute_url() and html.count(f"XSSR{r}") < 3):
                unseen.append(f"round {r}: {role} {url}")
            for problem in live_markup(html):
                problems.append(f"round {r}: {role} {url}: {problem}")
    assert not problems, f"{len(problems)} live markup from user input:\n" + "\n".join(sorted(set(problems))[:80])
    assert not unseen, "pages that did not show the stored text (the test would be blind there):\n" + "\n".join(unseen)
