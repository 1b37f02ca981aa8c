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
