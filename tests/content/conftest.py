import pytest

from tests.content.factories import published_resource, submit_resource


@pytest.fixture(autouse=True)
def _fresh_observatory(settings):
    """Figures computed at each request, so tests see what they set up (production caches them)."""
    settings.OBSERVATORY_CACHE_SECONDS = 0


@pytest.fixture
def submitted(member):
    return submit_resource(member, title="Guide des démarches en ligne")


@pytest.fixture
def published(member, staff):
    return published_resource(member, staff, title="Atelier smartphone")
