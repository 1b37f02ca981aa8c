"""Queries compiled once per process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Model, QuerySet, Window
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

INT = 918_273_645_546_372_819  # INT + 1, INT + 2… for more than one integer
TEXT = "compiled-query-stand-in-4f1c9a"
BIGINT = 2**63


class CompiledQuery:
    """A read query compiled to SQL once per process, then run with new values each time.

    Building and compiling a queryset costs Python time on every request: the header's two
    counters (scalar subqueries) take ~2.4 ms of CPU to build and compile against ~0.3 ms to run;
    the group and the viewer's membership, ~4.5 ms. ``build(**stand_ins)`` returns the queryset
    for stand-in values (``INT`` or ``TEXT``, one distinct value per name); each run puts the
    real values where the stand-ins sit among the SQL parameters. ``first_row`` gives the driver's
    values (no field converters: for counts and ids), ``rows`` a ``values_list`` queryset's tuples
    with the fields' converters applied, ``raw`` model instances with the model's fields
    converted and any annotation as a plain attribute (no ``select_related``: one model),
    ``instances`` model instances built as the queryset itself builds them: ``select_related``
    objects, annotations and the fields' converters included.
    """

    def __init__(self, build: Callable[..., QuerySet], *, using: str = DEFAULT_DB_ALIAS, **stand_ins: Any):
        if len(set(stand_ins.values())) != len(stand_ins):
            raise ValueError("each name needs its own stand-in value")
        self.build, self.using, self.stand_ins = build, using, stand_ins
        self._compiled: tuple[str, tuple, dict[int, str]] | None = None
        self._compiler: SQLCompiler | None = None
        self._fetch_mode = None
        self._converters: dict = {}
        self._composite_fields: list | None = None  # the selected fields, when one is composite

    def _compile(self) -> tuple[str, tuple, dict[int, str]]:
        queryset = self.build(**self.stand_ins)
        compiler = queryset.query.get_compiler(self.using)
        sql, params = compiler.as_sql()
        # Kept for ``instances``: after ``as_sql`` the compiler knows the selected columns and
        # which model each belongs to. Its connection serves only the converters (no cursor).
        self._compiler, self._fetch_mode = compiler, queryset._fetch_mode
        # the fields' converters, as ``SQLCompiler.results_iter`` would work them out on every run
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        self._converters = compiler.get_converters(fields)
        self._composite_fields = fields if compiler.has_composite_fields(fields) else None
        by_value = {value: name for name, value in self.stand_ins.items()}
        slots = {i: by_value[p] for i, p in enumerate(params) if not isinstance(p, bool) and p in by_value}
        if set(slots.values()) != set(self.stand_ins) or any(str(value) in sql for value in self.stand_ins.values()):
            raise ValueError("a stand-in value is not (only) among the query's parameters")
        return sql, tuple(params), slots

    def _sql(self, values: dict[str, Any]) -> tuple[str, list] | None:
        """The SQL and its parameters; ``None`` when an integer value cannot match a 64-bit column
        (the ORM answers "no row" for those; the database would raise)."""
        if self._compiled is None:
            self._compiled = self._compile()
        sql, params, slots = self._compiled
        bound = list(params)
        for i, name in slots.items():
            value = values[name]
            if isinstance(value, int) and not -BIGINT <= value < BIGINT:
                return None
            bound[i] = value
        return sql, bound

    def _rows(self, values: dict[str, Any]) -> list[tuple]:
        query = self._sql(values)
        if query is None:
            return []
        with connections[self.using].cursor() as cursor:
            cursor.execute(*query)
            return cursor.fetchall()

    def first_row(self, **values: Any) -> tuple | None:
        rows = self._rows(values)
        return rows[0] if rows else None

    def _converted(self, rows: list[tuple]):
        """``rows`` through the fields' converters (``SQLCompiler.results_iter``'s work, with the
        converters worked out once)."""
        compiler = self._compiler
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        if self._converters:
            rows = compiler.apply_converters(rows, self._converters)
        if self._composite_fields:
            rows = compiler.composite_fields_to_tuples(rows, self._composite_fields)
        return rows

    def rows(self, **values: Any) -> list[tuple]:
        """The rows of a ``values_list`` queryset, converted by its fields as its own iteration does."""
        return [tuple(row) for row in self._converted(self._rows(values))]

    def raw(self, model: type[Model], **values: Any) -> list[Model]:
        query = self._sql(values)
        return list(model._default_manager.db_manager(self.using).raw(*query)) if query else []

    def instances(self, **values: Any) -> list[Model]:
        """The rows as the queryset's own iteration builds them (Django's ``ModelIterable``)."""
        rows = self._rows(values)
        compiler, db, fetch_mode = self._compiler, self.using, self._fetch_mode
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map or {}
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        attnames = [column[0].target.attname for column in select[start:end]]
        related = get_related_populators(klass_info, select, db, fetch_mode)
        found = []
        for row in self._converted(rows):
            obj = model.from_db(db, attnames, row[start:end], fetch_mode=fetch_mode)
            for populator in related:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


class DeferredJoin:
    """A page of ``keys`` read through ``rows``: the matching, the ordering and the ``LIMIT`` run
    over the keys' table alone, and the page's rows are then read with their joins for those keys
    only, in one statement (``rows WHERE pk IN (SELECT pk FROM keys ORDER BY … LIMIT n OFFSET m)``,
    a "deferred join").

    For a paginated list whose rows join other tables and whose search matches many rows: the
    directory's search for "Martin" matches 2,172 members of 20,000; reading them with their
    accounts, organisations, departments and communes to keep the first 24 joined every match
    (12 ms in PostgreSQL), the keys alone cost 4 ms. Give ``keys`` its filters and ordering and
    ``rows`` the columns, ``select_related`` and prefetches a page shows; ``rows`` should not
    filter (the keys decide). Works with ``Paginator`` (``count``, slicing, ``ordered``), and with
    ``DeferredJoinPaginator`` where the keys are costly to match (``page_and_count``)."""

    ordered = True

    def __init__(self, keys: QuerySet, rows: QuerySet):
        if not keys.ordered:
            raise ValueError("the keys need an ordering: pages would not be stable")
        self.keys, self.rows = keys, rows

    def count(self) -> int:
        return self.keys.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Model]:
        if not isinstance(index, slice):
            raise TypeError("DeferredJoin takes a slice")
        return self._rows_of(self.keys.prefetch_related(None).values("pk")[index])

    def page_and_count(self, index: slice) -> tuple[list[Model], int | None]:
        """The slice's rows and the count of every key, matching the keys once: one statement
        returns the page's keys each with the count (a window, or on PostgreSQL a materialised
        match counted and sorted); the rows are then read for those keys. ``None`` for the count
        when the slice is empty (past the end: nothing to count it from)."""
        keyed = self._keys_and_total(index)
        if not keyed:
            return [], None
        return self._rows_of([pk for pk, _total in keyed]), keyed[0][1]

    def _keys_and_total(self, index: slice) -> list[tuple]:
        """(key, count of every key) for the slice's keys, matching the keys once."""
        keys = self.keys.prefetch_related(None)
        connection = connections[keys.db]
        order = list(keys.query.order_by or keys.model._meta.ordering)
        if connection.vendor != "postgresql" or not all(isinstance(f, str) and f != "?" for f in order):
            return list(keys.annotate(_total=Window(Count("pk"))).values_list("pk", "_total")[index])
        # PostgreSQL (15) costs a window over the whole match as if the LIMIT let it stop early,
        # and walked the ordering's index through all 20,000 members for "Camille" (12 ms, 1,000
        # found). A materialised CTE is planned to be read whole: one match, counted and sorted.
        names = ["pk", *(f.lstrip("-") for f in order if f.lstrip("-") != "pk")]
        positions = [1 if f.lstrip("-") == "pk" else names.index(f.lstrip("-")) + 1 for f in order]
        sql, params = keys.order_by().values_list(*names).query.sql_with_params()
        start = index.start or 0
        limit = None if index.stop is None else index.stop - start  # LIMIT NULL: no limit
        ordering = ", ".join(f"{p} DESC" if f.startswith("-") else f"{p} ASC" for p, f in zip(positions, order, strict=True))
        # Django's compiled SQL and column positions go in the text; the values are parameters.
        statement = (
            f"WITH matched AS MATERIALIZED ({sql}) SELECT matched.*, (SELECT COUNT(*) FROM matched) "  # noqa: S608  # nosec B608
            f"FROM matched ORDER BY {ordering} LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, (*params, limit, start))
            return [(row[0], row[-1]) for row in cursor.fetchall()]

    def _rows_of(self, keys) -> list[Model]:
        order = self.keys.query.order_by or self.keys.model._meta.ordering  # explicit, or the model's
        return list(self.rows.filter(pk__in=keys).order_by(*order))


class DeferredJoinPaginator(Paginator):
    """``Paginator`` for a ``DeferredJoin`` whose keys are costly to match (a search finding
    thousands): ``get_page`` reads the page asked and the count together
    (``DeferredJoin.page_and_count``) instead of matching every key twice, once to count them and
    once for the page. A page past the end, or no key at all, is counted apart as ``Paginator``
    does, then served as it serves it (the last page, or an empty first page)."""

    def get_page(self, number) -> Page:
        try:
            wanted = int(number) if number is not None else 1
        except (TypeError, ValueError):
            wanted = 1
        if wanted >= 1 and not self.orphans:
            bottom = (wanted - 1) * self.per_page
            rows, total = self.object_list.page_and_count(slice(bottom, bottom + self.per_page))
            if rows:
                self.__dict__["count"] = total  # Paginator.count is a cached_property
                return self._get_page(rows, wanted, self)
        return super().get_page(number)
