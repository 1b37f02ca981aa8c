"""``common.queries.DeferredJoin``: a page of keys read through rows — the same members, in the same
order, as slicing the joined query, in one statement whose joins cover the page only."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.queries import DeferredJoin, DeferredJoinPaginator
from community.models import Organisation, OrganisationType, Profile
from tests.factories import member_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def profiles():
    library = Organisation.objects.create(name="Médiathèque", slug="mediatheque", type=OrganisationType.MEDIATHEQUE)
    # Equal names: the second key (pk) decides, so pages neither repeat nor skip anyone.
    for n in range(7):
        member_with(display_name=f"Membre {n % 3}", organisation=library if n % 2 else None)
    keys = Profile.objects.filter(display_name__startswith="Membre").order_by("display_name", "pk")
    rows = Profile.objects.select_related("user", "organisation").only("display_name", "user__email", "organisation__name")
    return keys, rows


def test_pages_hold_the_rows_of_the_joined_slices_in_order(profiles):
    keys, rows = profiles
    joined = keys.select_related("user", "organisation")
    paginator = Paginator(DeferredJoin(keys, rows), 3)
    assert paginator.count == 7 and paginator.num_pages == 3
    seen = []
    for number in paginator.page_range:
        page = paginator.page(number)
        expected = list(joined[(number - 1) * 3 : number * 3])
        assert [p.pk for p in page.object_list] == [p.pk for p in expected]
        assert [(p.user.email, p.organisation and p.organisation.name) for p in page.object_list] == [
            (p.user.email, p.organisation and p.organisation.name) for p in expected
        ]
        seen += [p.pk for p in page.object_list]
    assert sorted(seen) == sorted(keys.values_list("pk", flat=True))


def test_a_page_is_one_statement_joining_the_page_only(profiles):
    keys, rows = profiles
    deferred = DeferredJoin(keys, rows)
    with CaptureQueriesContext(connection) as ctx:
        page = deferred[3:6]
        assert [p.user.email for p in page]  # loaded by the join: no query per row
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    # The keys' subquery has the LIMIT; the outer query with the joins has none.
    inner = sql[sql.index("(SELECT") :]
    assert "LIMIT 3" in inner and "OFFSET 3" in inner
    assert "JOIN" not in inner[: inner.index("LIMIT")] and "JOIN" in sql[: sql.index("(SELECT")]


def test_unordered_keys_are_refused_and_an_index_is_not_a_page(profiles):
    keys, rows = profiles
    with pytest.raises(ValueError):
        DeferredJoin(keys.order_by(), rows)
    with pytest.raises(TypeError):
        DeferredJoin(keys, rows)[0]


def test_keys_ordered_by_their_model_give_pages_in_that_order():
    from groups.models import Group
    from tests.groups.factories import make_group

    for name in ("Zèbre", "Abeille", "Mouette", "Colibri"):
        make_group(name=name)
    keys = Group.objects.filter(name__in=["Zèbre", "Abeille", "Mouette", "Colibri"])  # Meta.ordering: name
    assert [g.name for g in DeferredJoin(keys, Group.objects.order_by("-pk"))[0:4]] == ["Abeille", "Colibri", "Mouette", "Zèbre"]


@pytest.mark.parametrize("asked", [1, 2, 3, "2", None, "", "abc", 0, -1, 4, 99])
def test_the_one_pass_paginator_gives_the_pages_paginator_gives(profiles, asked):
    keys, rows = profiles
    expected = Paginator(DeferredJoin(keys, rows), 3).get_page(asked)
    page = DeferredJoinPaginator(DeferredJoin(keys, rows), 3).get_page(asked)
    assert page.number == expected.number and page.paginator.count == 7 and page.paginator.num_pages == 3
    assert [p.pk for p in page.object_list] == [p.pk for p in expected.object_list]
    assert [p.user.email for p in page.object_list] == [p.user.email for p in expected.object_list]


def test_the_one_pass_paginator_matches_the_keys_once(profiles):
    """A page inside the list: its keys and the count of every key in one statement, then its rows
    — no ``COUNT`` of its own matching the keys a second time."""
    keys, rows = profiles
    with CaptureQueriesContext(connection) as ctx:
        page = DeferredJoinPaginator(DeferredJoin(keys, rows), 3).get_page(2)
        assert page.paginator.count == 7 and len(page.object_list) == 3
    assert len(ctx.captured_queries) == 2, [q["sql"] for q in ctx.captured_queries]
    assert not any('COUNT(*) AS "__count"' in q["sql"] for q in ctx.captured_queries)
    # past the end, nothing to count from: counted apart, then the last page, as Paginator does
    with CaptureQueriesContext(connection) as ctx:
        page = DeferredJoinPaginator(DeferredJoin(keys, rows), 3).get_page(9)
    assert page.number == 3 and [p.display_name for p in page.object_list] == ["Membre 2"]
    assert any('COUNT(*) AS "__count"' in q["sql"] for q in ctx.captured_queries)


def test_the_one_pass_paginator_follows_descending_and_model_orderings():
    from groups.models import Group
    from tests.groups.factories import make_group

    for name in ("Zèbre", "Abeille", "Mouette", "Colibri", "Bison"):
        make_group(name=name)
    named = Group.objects.filter(name__in=["Zèbre", "Abeille", "Mouette", "Colibri", "Bison"])
    by_model = DeferredJoinPaginator(DeferredJoin(named, Group.objects.all()), 2).get_page(2)  # Meta.ordering: name
    assert [g.name for g in by_model.object_list] == ["Colibri", "Mouette"] and by_model.paginator.count == 5
    newest = DeferredJoinPaginator(DeferredJoin(named.order_by("-name", "pk"), Group.objects.all()), 2).get_page(1)
    assert [g.name for g in newest.object_list] == ["Zèbre", "Mouette"]
