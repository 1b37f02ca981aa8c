"""The hub's call form and a member's call report share one rule set (``_CallFieldsForm``); the
model forms leave model validation to the services (``common.forms.ServiceModelForm``)."""

import pytest

from common.forms import ServiceModelForm
from community.models import Department
from funding.forms import CallForm, CallReportForm, SourceForm
from orientation.forms import ReferralForm
from sharing.forms import ItemForm

pytestmark = pytest.mark.django_db

BASE = {"title": "Appel", "funders": "Région", "official_url": "https://example.org/appel", "deadline": "2031-01-31"}


@pytest.mark.parametrize("form_class", [CallForm, CallReportForm])
def test_a_territorial_perimeter_needs_its_territory(form_class):
    extra = {"kind": "subvention"} if form_class is CallForm else {}
    form = form_class({**BASE, **extra, "scope": "department"})
    assert not form.is_valid() and form.errors["department"] == ["Choisissez le territoire du périmètre."]
    department = Department.objects.first()
    form = form_class({**BASE, **extra, "scope": "department", "department": department.pk, "themes_list": ["inclusion_numerique"]})
    assert "department" not in form.errors and "scope" not in form.errors


def test_service_data_gives_codes_as_text_and_blank_texts_as_empty_strings():
    form = CallReportForm({**BASE, "scope": "national", "beneficiaries_list": []})
    assert form.is_valid(), form.errors
    data = form.service_data()
    assert data["description"] == "" and data["beneficiaries"] == "" and data["title"] == "Appel"
    assert set(data) == {*CallReportForm.Meta.fields, "themes", "beneficiaries"}


def test_model_forms_leave_model_validation_to_the_services():
    for form_class in (CallForm, CallReportForm, SourceForm, ReferralForm, ItemForm):
        assert issubclass(form_class, ServiceModelForm)
        assert form_class._post_clean is ServiceModelForm._post_clean


SEARCHES = [
    None,
    {"q": "numérique"},
    {"q": "numérique", "themes": ["formation", "insertion"], "beneficiaries": ["association"], "kinds": ["ami"]},
    {"my_territory": "on", "open_now": "on", "include_closed": "on", "sort": "relevance"},
    {"deadline_before": "2031-06-01", "amount_min": "1000"},
    {"deadline_before": "xx", "amount_min": "abc", "sort": "zz", "themes": ["nope"]},
    {"page": "2"},
]


def _fresh(form):
    """What Django's templates render for the form, nothing kept (as with DEBUG on)."""
    from django.test import override_settings

    with override_settings(DEBUG=True):
        return str(form())


@pytest.mark.parametrize("language", ["fr", "en"])
def test_search_and_watch_forms_render_as_django_renders_them_search_after_search(monkeypatch, language):
    """The search form's kept parts (``once_field_groups``) never carry one search's values or
    errors into another: each search, in any order, renders as a fresh form does."""
    from django.utils import translation

    from common import forms as common_forms
    from common.memo import Kept
    from funding.forms import CallSearchForm, WatchForm

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    with translation.override(language):
        for data in SEARCHES + SEARCHES[::-1]:
            assert str(CallSearchForm(data)) == _fresh(lambda data=data: CallSearchForm(data))
            name = (data or {}).get("q") or "Ma recherche"
            assert str(WatchForm(initial={"name": name})) == _fresh(lambda name=name: WatchForm(initial={"name": name}))
        assert "checked" not in str(CallSearchForm({"q": "numérique"}))
        assert "errorlist" not in str(CallSearchForm({"q": "numérique"}))
        assert 'value="numérique"' in str(CallSearchForm({"q": "numérique"}))
        assert 'value="autre"' in str(WatchForm(initial={"name": "autre"}))
    assert len(common_forms._FORMS_ONCE.entries) < 40  # a few renders per field, not one per search
