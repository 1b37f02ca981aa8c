import pytest

from groups.models import AccessMode
from tests.factories import StaffFactory, UserFactory
from tests.groups.factories import make_group


@pytest.fixture
def owner(db):
    return UserFactory()


@pytest.fixture
def open_group(owner):
    return make_group(owner=owner, access=AccessMode.OPEN, name="Groupe ouvert")


@pytest.fixture
def secret_group(owner):
    return make_group(owner=owner, access=AccessMode.SECRET, name="Groupe secret")


@pytest.fixture
def staff_user(db):
    return StaffFactory()
