"""One search definition, two engines: a SQL filter for pages and an in-memory matcher for alerts.

``CallFilters`` is what a member types in the search form and what a watch saves (``criteria``).
``apply()`` turns it into a queryset filter (PostgreSQL full text with the French configuration,
``icontains`` on SQLite); ``CallIndex`` answers the same question for thousands of watches at once
from a few hundred calls held in memory, with set intersections, so alert matching costs a fixed
number of queries whatever the number of members.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.text import normalize

from .models import CallState, Scope, search_vector_expression, text_to_codes

SORTS = ("deadline", "newest", "relevance")


_WORD_RE = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """``common.text.normalize`` (lower case, no accents or ligatures) cut into words: punctuation
    becomes a space, so "Tiers-lieux" is found by "lieux" and "Côte-d'Or" by "cote d or"."""
    return " ".join(_WORD_RE.findall(normalize(text)))


@functools.lru_cache(maxsize=4096)
def _words(q: str) -> tuple[str, ...]:
    return tuple(w for w in normalise(q).split() if len(w) > 1)[:10]


def words_of(q: str) -> tuple[str, ...]:
    """The normalised search words of a query (at most ten, one-letter words dropped)."""
    return _words(q or "")


@dataclass(frozen=True)
class Territory:
    """Where a member works: commune ⊂ department ⊂ region (ids; any may be missing)."""

    region_id: int | None = None
    department_id: int | None = None
    commune_id: int | None = None

    @classmethod
    def of_profile(cls, profile) -> Territory:
        """The territory of a profile (its commune first, else its department)."""
        if profile is None:
            return cls()
        commune = profile.commune
        if commune is not None:
            return cls(commune.department.region_id, commune.department_id, commune.pk)
        if profile.department_id:
            return cls(profile.department.region_id, profile.department_id, None)
        return cls()

    # The columns ``of_row`` reads, for a ``values_list`` of profiles (``Profile`` field paths).
    PROFILE_COLUMNS = ("commune_id", "commune__department_id", "commune__department__region_id", "department_id", "department__region_id")

    @classmethod
    def of_row(cls, commune_id, commune_department_id, commune_region_id, department_id, department_region_id) -> Territory:
        """``of_profile`` for a profile read as the values of ``PROFILE_COLUMNS`` (no instances)."""
        if commune_id is not None:
            return cls(commune_region_id, commune_department_id, commune_id)
        if department_id:
            return cls(department_region_id, department_id, None)
        return cls()


@dataclass(frozen=True)
class CallFilters:
    q: str = ""
    themes: tuple[str, ...] = ()
    beneficiaries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    my_territory: bool = False
    open_now: bool = False
    deadline_before: date | None = None
    amount_min: int | None = None
    include_closed: bool = False
    sort: str = "deadline"
    territory: Territory = field(default_factory=Territory)

    # --- saved form (Watch.criteria) ----------------------------------------------------------
    def to_criteria(self) -> dict:
        data = asdict(self)
        data.pop("territory")
        data["deadline_before"] = self.deadline_before.isoformat() if self.deadline_before else None
        data["themes"], data["beneficiaries"], data["kinds"] = list(self.themes), list(self.beneficiaries), list(self.kinds)
        return {k: v for k, v in data.items() if v is not None and v is not False and v != "" and v != []}

    @classmethod
    def from_criteria(cls, criteria: dict, *, territory: Territory | None = None) -> CallFilters:
        c = criteria or {}
        deadline = c.get("deadline_before")
        return cls(
            q=str(c.get("q", ""))[:200],
            themes=tuple(c.get("themes") or ()),
            beneficiaries=tuple(c.get("beneficiaries") or ()),
            kinds=tuple(c.get("kinds") or ()),
            my_territory=bool(c.get("my_territory")),
            open_now=bool(c.get("open_now")),
            deadline_before=date.fromisoformat(deadline) if deadline else None,
            amount_min=int(c["amount_min"]) if c.get("amount_min") not in (None, "") else None,
            include_closed=bool(c.get("include_closed")),
            sort=c.get("sort") if c.get("sort") in SORTS else "deadline",
            territory=territory or Territory(),
        )

    @property
    def is_empty(self) -> bool:
        return not self.to_criteria() or set(self.to_criteria()) == {"sort"}

    # --- SQL ---------------------------------------------------------------------------------
    def territory_q(self) -> Q:
        t = self.territory
        q = Q(scope=Scope.NATIONAL)
        if t.region_id:
            q |= Q(scope=Scope.REGION, region_id=t.region_id)
        if t.department_id:
            q |= Q(scope=Scope.DEPARTMENT, department_id=t.department_id)
        if t.commune_id:
            q |= Q(scope=Scope.COMMUNE, commune_id=t.commune_id)
        return q

    def apply(self, qs: QuerySet) -> QuerySet:
        """Filter and sort published (and, on demand, closed) calls."""
        today = timezone.localdate()
        states = [CallState.PUBLISHED, CallState.CLOSED, CallState.ARCHIVED] if self.include_closed else [CallState.PUBLISHED]
        qs = qs.filter(state__in=states)
        if self.themes:
            qs = qs.filter(_any_code("themes", self.themes))
        if self.beneficiaries:
            qs = qs.filter(_any_code("beneficiaries", self.beneficiaries))
        if self.kinds:
            qs = qs.filter(kind__in=self.kinds)
        if self.my_territory:
            qs = qs.filter(self.territory_q())
        if self.open_now:
            qs = qs.filter(state=CallState.PUBLISHED).filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today))
            qs = qs.filter(Q(is_permanent=True) | Q(deadline__isnull=True) | Q(deadline__gte=today))
        if self.deadline_before:
            qs = qs.filter(deadline__lte=self.deadline_before, is_permanent=False)
        if self.amount_min is not None:
            qs = qs.filter(Q(amount_max__gte=self.amount_min) | Q(amount_max__isnull=True, amount_min__gte=self.amount_min))
        ranked = False
        if self.q.strip():
            qs, ranked = _text_filter(qs, self.q)
        if self.sort == "relevance" and ranked:
            return qs.order_by("-rank", "-published_at", "-pk")
        if self.sort == "newest" or self.sort == "relevance":
            return qs.order_by("-published_at", "-pk")
        return qs.order_by(F("deadline").asc(nulls_last=True), "-published_at", "-pk")


def _any_code(field_name: str, codes) -> Q:
    q = Q()
    for code in codes:
        q |= Q(**{f"{field_name}__contains": f",{code},"})
    return q


def _text_filter(qs: QuerySet, text: str) -> tuple[QuerySet, bool]:
    """Accent- and case-insensitive; every word must appear (as a word start) in the call.

    On PostgreSQL the French configuration adds stemming and a relevance rank; elsewhere the
    normalised ``search_text`` column gives the same answers as the in-memory alert matcher.
    """
    words = words_of(text)
    if not words:
        return qs, False
    if connection.vendor == "postgresql":
        # The vector stored at save; computed here only for rows that have none (bulk inserts).
        vector = Coalesce("search_vector", search_vector_expression(), output_field=SearchVectorField())
        query = SearchQuery(" ".join(words), config="french", search_type="plain")
        prefix = Q()
        for word in words:
            prefix &= Q(search_text__contains=" " + word)
        qs = qs.annotate(search=vector, rank=SearchRank(vector, query))
        return qs.filter(Q(search=query) | prefix), True
    for word in words:
        qs = qs.filter(search_text__contains=" " + word)
    return qs, False


def watch_filters(watch) -> CallFilters:
    """The watch's search as its owner would run it now (their territory today)."""
    profile = getattr(watch.user, "profile", None)
    return CallFilters.from_criteria(watch.criteria, territory=Territory.of_profile(profile))


# --- In-memory matching for alerts ------------------------------------------------------------
class CallIndex:
    """Calls held in memory with inverted indexes; ``match(filters)`` returns call ids.

    Build once per alert run (one query for the calls), then ask for each watch.
    """

    def __init__(self, calls):
        self.calls = {c.pk: c for c in calls}
        self.all = frozenset(self.calls)
        self.by_theme: dict[str, set] = {}
        self.by_beneficiary: dict[str, set] = {}
        self.by_kind: dict[str, set] = {}
        self.national: set = set()
        self.by_region: dict[int, set] = {}
        self.by_department: dict[int, set] = {}
        self.by_commune: dict[int, set] = {}
        self.text: dict[int, str] = {}
        self.words: dict[str, set] = {}
        today = timezone.localdate()
        open_now = set()
        for c in calls:
            for code in text_to_codes(c.themes):
                self.by_theme.setdefault(code, set()).add(c.pk)
            for code in text_to_codes(c.beneficiaries):
                self.by_beneficiary.setdefault(code, set()).add(c.pk)
            self.by_kind.setdefault(c.kind, set()).add(c.pk)
            if c.scope == Scope.REGION and c.region_id:
                self.by_region.setdefault(c.region_id, set()).add(c.pk)
            elif c.scope == Scope.DEPARTMENT and c.department_id:
                self.by_department.setdefault(c.department_id, set()).add(c.pk)
            elif c.scope == Scope.COMMUNE and c.commune_id:
                self.by_commune.setdefault(c.commune_id, set()).add(c.pk)
            else:
                self.national.add(c.pk)
            self.text[c.pk] = c.search_text or " " + normalise(" ".join((c.title, c.funders, c.description, c.eligibility))) + " "
            opened = c.opens_on is None or c.opens_on <= today
            if c.state == CallState.PUBLISHED and opened and (c.is_permanent or c.deadline is None or c.deadline >= today):
                open_now.add(c.pk)
        self.open_now = frozenset(open_now)
        self._text_cache: dict[str, frozenset] = {}

        self._union_cache: dict = {}
        self._local_cache: dict = {}

    def _union(self, name: str, index: dict, codes) -> frozenset:
        key = (name, tuple(sorted(codes)))
        hit = self._union_cache.get(key)
        if hit is None:
            hit = frozenset().union(*(index.get(code, ()) for code in codes))
            self._union_cache[key] = hit
        return hit

    def _local(self, t: Territory) -> frozenset:
        hit = self._local_cache.get(t)
        if hit is None:
            hit = frozenset(self.national).union(
                self.by_region.get(t.region_id, ()), self.by_department.get(t.department_id, ()), self.by_commune.get(t.commune_id, ())
            )
            self._local_cache[t] = hit
        return hit

    def _word_hits(self, word: str) -> frozenset:
        hit = self._text_cache.get(word)
        if hit is None:
            needle = " " + word
            hit = frozenset(pk for pk, text in self.text.items() if needle in text)
            self._text_cache[word] = hit
        return hit

    def match(self, f: CallFilters) -> frozenset:
        """Ids of the calls matching ``f`` (set intersections; sub-results are cached, so
        thousands of watches sharing themes or a territory cost little more than one)."""
        sets = []
        if f.themes:
            sets.append(self._union("t", self.by_theme, f.themes))
        if f.beneficiaries:
            sets.append(self._union("b", self.by_beneficiary, f.beneficiaries))
        if f.kinds:
            sets.append(self._union("k", self.by_kind, f.kinds))
        if f.my_territory:
            sets.append(self._local(f.territory))
        if f.open_now:
            sets.append(self.open_now)
        for word in words_of(f.q):
            sets.append(self._word_hits(word))
        if not sets:
            result = self.all
        else:
            sets.sort(key=len)
            result = sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]
        if result and (f.deadline_before or f.amount_min is not None):
            result = frozenset(pk for pk in result if _scalar_ok(self.calls[pk], f))
        return frozenset(result)


def _scalar_ok(call, f: CallFilters) -> bool:
    if f.deadline_before and (call.is_permanent or call.deadline is None or call.deadline > f.deadline_before):
        return False
    if f.amount_min is not None:
        if call.amount_max is not None:
            return call.amount_max >= f.amount_min
        return call.amount_min is not None and call.amount_min >= f.amount_min
    return True
