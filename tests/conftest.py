import pytest
from django.test import Client

from tests.factories import StaffFactory, UserFactory


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def other_member(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def pending_user(db):
    return UserFactory(profile_data={"status": "pending"})


def _client_for(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def staff_client(staff):
    return _client_for(staff)


@pytest.fixture
def pending_client(pending_user):
    return _client_for(pending_user)


@pytest.fixture
def client_for():
    return _client_for


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
