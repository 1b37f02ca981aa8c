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
from tests.security.stored import FIELDS, PAGES, PAYLOADS, fill
from tests.security.textfields import NOT_IN_CORPUS, text_fields
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
            clients[role].force_login(user, backend="community.backends.ModelBackend")
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


@pytest.mark.django_db
def test_every_text_field_is_in_the_corpus_or_listed_as_not_typed(world):
    """A new CharField/TextField someone can type cannot be forgotten: each one of our models' text
    columns is in ``stored.FIELDS`` or in ``textfields`` with the reason it is not (and the lists
    name no field that does not exist or is in the corpus anyway)."""
    covered = {"events.Question.choices"}  # written by fill() itself (one choice per line)
    for target, names in FIELDS:
        model = target(world).model if callable(target) else type(world.objs[target])
        covered |= {f"{model._meta.label}.{name}" for name in names}
    fields = text_fields()
    missing = sorted(fields - covered - NOT_IN_CORPUS)
    assert not missing, "text fields in neither the XSS corpus (tests/security/stored.py FIELDS) nor textfields.py:\n" + "\n".join(missing)
    assert not NOT_IN_CORPUS - fields, f"textfields.py names fields that no longer exist: {sorted(NOT_IN_CORPUS - fields)}"
    assert not NOT_IN_CORPUS & covered, f"in the corpus, so drop them from textfields.py: {sorted(NOT_IN_CORPUS & covered)}"
