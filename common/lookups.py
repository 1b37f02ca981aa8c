"""Lookups the ORM does not have, registered on the fields they serve (``CommonConfig.ready``)."""

from itertools import repeat

from django.core.exceptions import EmptyResultSet
from django.db.models import CharField, Lookup, TextField


class AnyOf(Lookup):
    """``field__any_of=[...]``: the rows whose text is one of the values, as ``__in`` keeps them,
    with the list sent as one array parameter on PostgreSQL (``field = ANY(%s)``), ``IN (…)``
    elsewhere.

    For long lists that change with the viewer (the activity stream's audiences: a member of 200
    groups has some 400), ``__in`` prepares, compiles and hands the driver one parameter per value
    on every request, and each length is a new statement for the server; here the SQL is the same
    for everyone and the values go through as they are. The values must be strings (text columns
    only: nothing to convert); an empty list matches nothing, as with ``__in``."""

    lookup_name = "any_of"

    def get_prep_lookup(self):
        values = list(self.rhs)
        if not all(map(isinstance, values, repeat(str))):  # no Python-level call per value
            raise TypeError("any_of takes a list of strings")
        return values

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*lhs_params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)


def install() -> None:
    CharField.register_lookup(AnyOf)
    TextField.register_lookup(AnyOf)
