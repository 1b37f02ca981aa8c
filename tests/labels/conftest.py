import pytest

from tests.factories import StaffFactory, UserFactory

from .factories import make_referential


@pytest.fixture
def referential(db):
    return make_referential()


@pytest.fixture
def manager(db):
    return UserFactory()


@pytest.fixture
def reviewer(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return StaffFactory()
