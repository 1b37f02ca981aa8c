"""Issue 18 item 2: a read-only request computes each viewer's audiences once (the dashboard's
stream and follow-up actions both ask); nothing is kept past the request, nor on the user object
(websocket consumers keep theirs for the connection's life)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from common.middleware import AudiencesMemoMiddleware
from common.registry import audiences_memo, registry
from tests.factories import UserFactory


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def provider(viewer):
        seen.append(viewer.pk)
        return {f"test:{viewer.pk}"}

    monkeypatch.setitem(registry.audience_providers, "test-counter", provider)
    return seen


@pytest.mark.django_db
def test_audiences_computed_once_per_viewer_inside_the_memo_only(calls):
    one, two = UserFactory(), UserFactory()
    with audiences_memo():
        assert f"test:{one.pk}" in registry.audiences_for(one)
        registry.audiences_for(one).add("tampered")  # callers get their own copy
        assert "tampered" not in registry.audiences_for(one)
        assert f"test:{two.pk}" in registry.audiences_for(two)
    assert calls == [one.pk, two.pk]
    registry.audiences_for(one)
    registry.audiences_for(one)
    assert calls == [one.pk, two.pk, one.pk, one.pk]


@pytest.mark.django_db
def test_middleware_memoises_reads_not_writes(calls):
    user = UserFactory()

    def view(request):
        registry.audiences_for(user)
        registry.audiences_for(user)
        return None

    middleware = AudiencesMemoMiddleware(view)
    middleware(RequestFactory().get("/"))
    assert calls == [user.pk]
    middleware(RequestFactory().post("/"))  # a write may change them between the two calls
    assert calls == [user.pk, user.pk, user.pk]
    middleware(RequestFactory().get("/"))  # a new request computes afresh
    assert calls == [user.pk] * 4


def test_dashboard_computes_the_viewers_audiences_once(calls, member, member_client):
    assert member_client.get(reverse("community:dashboard")).status_code == 200
    assert calls == [member.pk]
