"""The shared helpers every app uses: one place each (ARCHITECTURE.md, STYLE.md)."""

import csv
import io
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from openpyxl import load_workbook

from common import live
from common.exports import csv_response, csv_safe, csv_text, xlsx_response
from common.forms import form_add_validation_error, messages_add_validation_error, validation_messages, validation_text
from common.ratelimit import rate_limited
from common.text import normalize, of_place, search_filter, search_terms
from common.urls import absolute_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tX", "'\tX"),
        ("+33 3 80 12 89 73", "+33 3 80 12 89 73"),  # a phone number is no formula
        ("-12,5", "-12,5"),
        ("Médiathèque", "Médiathèque"),
        (42, 42),
        (None, None),
    ],
)
def test_csv_safe_neutralises_formulas_only(value, expected):
    assert csv_safe(value) == expected


def test_csv_and_xlsx_exports_write_every_cell_safely():
    rows = [["Łucja Nguyễn", "=1+1"], ["Ørsted", "ok"]]
    parsed = list(csv.reader(io.StringIO(csv_text(["nom", "@note"], rows)), delimiter=";"))
    assert parsed == [["nom", "'@note"], ["Łucja Nguyễn", "'=1+1"], ["Ørsted", "ok"]]
    response = csv_response(filename="x.csv", header=["nom"], rows=[["=A1"]])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.decode("utf-8").startswith("\ufeffnom")
    sheet = load_workbook(io.BytesIO(xlsx_response(filename="x.xlsx", header=["nom"], rows=[["=A1"]]).content)).active
    assert [c.value for c in sheet["A"]] == ["nom", "'=A1"]


def test_normalize_and_search_filter_ignore_accents_case_and_ligatures():
    assert normalize("  Médiathèque  ŒUVRE  l’Isle ") == "mediatheque oeuvre l'isle"
    assert search_terms("Éco  Café") == ["eco", "cafe"]
    assert str(search_filter("Éco café")) == str(search_filter("eco CAFE"))
    assert search_filter("") == search_filter(None)


def test_absolute_url_joins_site_url_once(settings):
    settings.SITE_URL = "https://maillage.example.org/"
    assert absolute_url("/agenda/") == "https://maillage.example.org/agenda/"
    assert absolute_url("agenda/") == "https://maillage.example.org/agenda/"
    assert absolute_url("https://autre.example/x") == "https://autre.example/x"


def test_validation_errors_reach_the_form_field_or_the_top():
    from django import forms

    class F(forms.Form):
        name = forms.CharField()

    form = F({"name": "x"})
    assert form.is_valid()
    form_add_validation_error(form, ValidationError({"name": "Trop court.", "other": "Ailleurs."}))
    assert form.errors["name"] == ["Trop court."] and form.non_field_errors() == ["Ailleurs."]
    assert validation_messages(ValidationError(["a", "b"])) == ["a", "b"]
    assert validation_text(ValidationError({"x": ["a"], "y": ["b"]})) == "a b"
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    messages_add_validation_error(request, ValidationError({"x": ["a"], "y": ["b"]}))
    assert [m.message for m in request._messages] == ["a", "b"]


def test_broadcast_sends_to_the_group_and_survives_a_layer_outage():
    layer = mock.Mock()
    with mock.patch.object(live, "get_channel_layer", return_value=layer), mock.patch.object(live, "async_to_sync", lambda f: f):
        assert live.broadcast("topic_1", {"type": "forum.post"}) is True
    layer.group_send.assert_called_once_with("topic_1", {"type": "forum.post"})
    layer.group_send.side_effect = ConnectionError("redis down")
    with mock.patch.object(live, "get_channel_layer", return_value=layer), mock.patch.object(live, "async_to_sync", lambda f: f):
        assert live.broadcast("topic_1", {"type": "forum.post"}) is False


def test_rate_limited_answers_429_in_french_past_the_limit(settings, rf, django_user_model, db):
    from django_ratelimit.exceptions import Ratelimited
    from django_ratelimit.middleware import RatelimitMiddleware

    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": "2/m"}
    calls = []

    @rate_limited("post")
    def view(request):
        calls.append(1)
        return HttpResponse("ok")

    user = django_user_model.objects.create_user(username="rl", email="rl@example.org", password="x" * 12)
    middleware = RatelimitMiddleware(lambda request: HttpResponse())

    def post(as_user=user):
        request = rf.post("/")
        request.user = as_user
        try:
            return view(request)
        except Ratelimited as exc:
            return middleware.process_exception(request, exc)

    assert [post().status_code for _ in range(3)] == [200, 200, 429]
    assert len(calls) == 2  # the third time the view did not run: nothing written
    limited = post()
    limited.render()
    assert "patientez une minute" in limited.content.decode()
    assert post(AnonymousUser()).status_code == 200  # another key (the address) has its own counter
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": "100/m"}
    assert post().status_code == 200  # the rate is read on each request


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dole", "de Dole"),
        ("Arbois", "d'Arbois"),
        ("Épinal", "d'Épinal"),
        ("Yzeure", "d'Yzeure"),
        ("Le Creusot", "du Creusot"),
        ("Les Rousses", "des Rousses"),
        ("La Charité-sur-Loire", "de La Charité-sur-Loire"),
        ("Héricourt", "de Héricourt"),
        ("Lens", "de Lens"),
    ],
)
def test_of_place_writes_de_as_french_does(name, expected):
    assert of_place(name) == expected


@pytest.mark.parametrize("value", ["atelier", "webinaire", "", None, "sorte-retiree"])
def test_choice_label_gives_what_get_foo_display_gives(value):
    from django.utils import translation

    from common.models import choice_label
    from events.models import Event, EventType

    for language in ("fr", "en"):
        with translation.override(language):
            assert (
                choice_label(EventType, value)
                == Event(type=value).get_type_display()
                == Event(type=value)._get_FIELD_display(Event._meta.get_field("type"))
            )
