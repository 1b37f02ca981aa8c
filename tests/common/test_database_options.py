"""PostgreSQL connections run without JIT compilation and with prepared statements (hub/settings/base.py says why)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_have_jit_off():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
def test_postgresql_queries_are_prepared_on_their_second_run():
    """``DATABASE_PREPARED`` (on): server-side parameters, and psycopg prepares a query the second
    time a connection runs it, so PostgreSQL stops planning the pages' queries every time."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from groups.models import Group

    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 2
    for _ in range(3):
        list(Group.objects.filter(slug="aucun-groupe-de-ce-nom").values_list("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "groups_group"' in statement and "$1" in statement for statement in prepared), prepared


def test_settings_load_with_persistent_connections_and_jit_on():
    """No pool and JIT on: the settings still add the prepared-statement options (no ``OPTIONS``
    from the URL to update)."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/maillage",
        "DATABASE_POOL": "false",
        "DATABASE_JIT": "true",
    }
    code = "import django; django.setup(); from django.conf import settings; print(sorted(settings.DATABASES['default']['OPTIONS']))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "prepare_threshold" in out and "server_side_binding" in out
