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
