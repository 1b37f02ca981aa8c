"""No pooled database connection in time: a 503 with Retry-After, not a 500 (``common.views.server_error``)."""

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client
from psycopg_pool import PoolTimeout


def _pool_exhausted(*_args):
    """What Django raises when its backend waits for a pooled connection in vain."""

    def get_new_connection():  # the name of the backend method that opens or borrows connections
        raise PoolTimeout("couldn't get a connection after 5.00 sec")

    try:
        get_new_connection()
    except PoolTimeout as cause:
        raise OperationalError("couldn't get a connection after 5.00 sec").with_traceback(cause.__traceback__) from cause


@pytest.fixture
def failing_client(member):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return client


def test_a_request_that_gets_no_connection_in_time_is_a_503_to_retry(failing_client):
    with mock.patch("common.views.render_markdown", side_effect=_pool_exhausted):
        response = failing_client.post("/apercu-markdown/", {"text": "**bonjour**"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "Réessayez dans quelques secondes" in body and "couldn't get a connection" not in body


@pytest.mark.django_db
def test_a_real_connection_failure_is_recognised():
    from django.db import connections

    from common.views import _database_unavailable

    broken = connections.create_connection("default")
    broken.settings_dict = {**broken.settings_dict, "NAME": "/nonexistent/dir/db.sqlite3", "HOST": "127.0.0.1", "PORT": "1"}
    broken.settings_dict["OPTIONS"] = {k: v for k, v in broken.settings_dict.get("OPTIONS", {}).items() if k != "pool"}
    try:
        broken.ensure_connection()
    except OperationalError as exc:
        assert _database_unavailable(exc)
    else:
        pytest.fail("the connection should have failed")
    finally:
        broken.close()


def test_any_other_error_stays_a_500(failing_client):
    with mock.patch("common.views.render_markdown", side_effect=OperationalError("deadlock detected")):
        response = failing_client.post("/apercu-markdown/", {"text": "x"})
    assert response.status_code == 500 and "Retry-After" not in response
    assert "Une erreur est survenue" in response.content.decode()
