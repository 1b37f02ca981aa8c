import shutil
import tempfile
from pathlib import Path

import pytest
from django.test import Client

from tests.caches import clear_cache
from tests.factories import StaffFactory, UserFactory
from tests.liveserver import Servers


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated data (content types, Wagtail's root page,
    reference data) with ``serialized_rollback``. Mixing the two kinds breaks the order-dependent
    ones: a plain transactional test's flush re-creates content types through post_migrate, and
    the next serialized test then fails restoring them ("duplicate key … wagtailcore, page")."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}), append=False)


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
    client.force_login(user, backend="community.backends.ModelBackend")
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
    """Start each test with an empty cache."""
    clear_cache()
    yield


@pytest.fixture
def servers():
    """Subprocesses of this code base (uvicorn, manage.py, scripts) for one test, all stopped after it."""
    directory = Path(tempfile.mkdtemp(prefix="maillage-live-procs-"))
    group = Servers(directory)
    try:
        yield group
    finally:
        group.stop_all()
        shutil.rmtree(directory, ignore_errors=True)
