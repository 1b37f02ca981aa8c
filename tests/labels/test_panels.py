"""The dashboard's label panels: the member's applications and their evaluations, nobody else's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labels import selectors
from labels.models import ApplicationState
from tests.factories import UserFactory
from tests.labels.factories import make_application

pytestmark = pytest.mark.django_db


def _dashboard(user, client_for) -> str:
    return client_for(user).get(reverse("community:dashboard")).content.decode()


def test_the_panels_show_one_s_own_applications_and_evaluations_only(referential, manager, reviewer, client_for):
    mine = make_application(manager=manager)
    reviewed = make_application(state=ApplicationState.IN_REVIEW, reviewer=reviewer)
    someone_else = make_application()
    html = _dashboard(manager, client_for)
    assert f'href="{reverse("labels:application_detail", args=[mine.pk])}"' in html
    assert f"/label/candidatures/{someone_else.pk}/" not in html and f"/label/candidatures/{reviewed.pk}/" not in html
    assert "panel-label-reviews" not in html
    html = _dashboard(reviewer, client_for)
    assert "panel-label-reviews" in html and f"/label/candidatures/{reviewed.pk}/" in html and "à accepter" in html
    assert "panel-label-apps" not in html  # manages no place, filed nothing
    assert [a.pk for a in selectors.application_list_for_panel(viewer=manager)] == [
        a.pk for a in selectors.application_list_for_manager(viewer=manager)[:5]
    ]
    assert [r.pk for r in selectors.review_list_for_panel(viewer=reviewer)] == [
        r.pk for r in selectors.review_list_for_reviewer(viewer=reviewer)[:10]
    ]
    assert selectors.review_list_for_panel(viewer=manager) == [] and selectors.application_list_for_panel(viewer=UserFactory()) == []


def test_the_panels_cost_the_same_queries_for_one_and_six_applications(referential, manager, client_for):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            _dashboard(manager, client_for)
        return len(ctx)

    make_application(manager=manager)
    one = queries()
    for _ in range(5):
        make_application(manager=manager)
    assert queries() == one
    assert len(selectors.application_list_for_panel(viewer=manager)) == 5


def test_the_applications_of_a_member_filed_or_managed_come_once_each(referential, manager):
    co_manager = UserFactory()
    filed_and_managed = make_application(manager=manager)
    filed_and_managed.place.managers.add(co_manager)
    managed_only = make_application(manager=co_manager)
    managed_only.place.managers.add(manager)
    filed_elsewhere = make_application(manager=manager)
    filed_elsewhere.place.managers.set([UserFactory()])  # filed it, no longer manages the place
    make_application()  # nobody's business here
    expected = {filed_and_managed.pk, managed_only.pk, filed_elsewhere.pk}
    for selected in (selectors.application_list_for_manager(viewer=manager), selectors.application_list_for_panel(viewer=manager)):
        pks = [a.pk for a in selected]
        assert sorted(pks) == sorted(expected)  # each once: no join of the managers to repeat a row
    assert {a.pk for a in selectors.application_list_for_manager(viewer=co_manager)} == {filed_and_managed.pk, managed_only.pk}
