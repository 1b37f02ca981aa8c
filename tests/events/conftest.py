import pytest

from tests.events.factories import make_event


@pytest.fixture
def event(db, staff):
    return make_event(by=staff, capacity=5)


@pytest.fixture
def public_event(db, staff):
    return make_event(by=staff, capacity=5, audience="public")
