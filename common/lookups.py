"""Lookups the ORM does not have, registered on the fields they serve (``CommonConfig.ready``)."""

from itertools import repeat

from django.core.exceptions import EmptyResultSet
from django.db.models import CharField, ForeignKey, IntegerField, Lookup, TextField
from django.db.models.sql.query import Query


class AnyOf(Lookup):
    """``field__any_of=[...]``: the rows whose text is one of the values, as ``__in`` keeps them,
    with the list sent as one array parameter on PostgreSQL (``field = ANY(%s)``), ``IN (…)``
    elsewhere.

    For long lists that change with the viewer (the activity stream's audiences: a member of 200
    groups has some 400), ``__in`` prepares, compiles and hands the driver one parameter per value
    on every request, and each length is a new statement for the server; here the SQL is the same
    for everyone and the values go through as they are. The values must be strings (text columns
    only: nothing to convert); an empty list matches nothing, as with ``__in``. Pass a ``frozenset``
    (or a set): Django resolves a list or tuple value item by item before the lookup sees it (a
    call or two per value, some 800 on a dashboard), and leaves other values as they are.

    ``field__any_of=queryset`` (any field it is registered on: text, integers, foreign keys): the
    rows ``__in=queryset`` keeps, as ``field = ANY(ARRAY(subquery))`` on PostgreSQL. The subquery
    then runs once, before the scan, and its answer is an array the planner can look up in an
    index — also inside an ``OR``, where ``IN (subquery)`` is a filter run on every row: the
    directory's "name, or a matching skill, or a matching organisation" search went from a
    sequential scan of every profile to a ``BitmapOr`` of three index scans (22 → 11 ms on 20,000
    members). A model queryset gives its primary keys, as with ``__in``."""

    lookup_name = "any_of"

    def get_prep_lookup(self):
        if isinstance(self.rhs, Query):
            self.rhs.clear_ordering(clear_default=True)
            if not self.rhs.has_select_fields:
                self.rhs.clear_select_clause()
                self.rhs.add_fields(["pk"])
            return self.rhs
        values = list(self.rhs)
        if not all(map(isinstance, values, repeat(str))):  # no Python-level call per value
            raise TypeError("any_of takes a queryset or a list of strings")
        return values

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, Query):
            sql, params = compiler.compile(self.rhs)
            return f"{lhs} IN {sql}", (*lhs_params, *params)
        if not self.rhs:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*lhs_params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, Query):
            sql, params = compiler.compile(self.rhs)  # "(SELECT …)"
            return f"{lhs} = ANY(ARRAY{sql})", (*lhs_params, *params)
        if not self.rhs:
            raise EmptyResultSet
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)


def install() -> None:
    for field in (CharField, TextField, IntegerField, ForeignKey):
        field.register_lookup(AnyOf)
