import pytest

from tests.content.factories import published_resource, submit_resource


@pytest.fixture
def submitted(member):
    return submit_resource(member, title="Guide des démarches en ligne")


@pytest.fixture
def published(member, staff):
    return published_resource(member, staff, title="Atelier smartphone")
