import pytest
from django.core.exceptions import ValidationError

from places.phones import phone_display, phone_e164
from places.validators import (
    SchemaChoicesValidator,
    check_postcode_insee,
    validate_emails,
    validate_opening_hours,
    validate_phone,
    validate_pivot,
    validate_urls,
)


@pytest.mark.parametrize("value", ["43493312300029", "W212001234", "434933123", "00000000000000"])
def test_valid_pivots(value):
    validate_pivot(value)


@pytest.mark.parametrize("value", ["43493312300028", "W21200123", "434933124", "ABC", "", "1234567890"])
def test_invalid_pivots(value):
    with pytest.raises(ValidationError):
        validate_pivot(value)


@pytest.mark.parametrize(
    "postcode, insee, ok",
    [
        ("21000", "21231", True),
        ("51100", "51454", True),
        ("20000", "2A004", True),  # Ajaccio
        ("20200", "2B033", True),  # Bastia
        ("97400", "97411", True),  # Saint-Denis (La Réunion)
        ("97200", "97209", True),  # Fort-de-France
        ("21000", "39300", False),
        ("97400", "97209", False),
        ("20000", "21231", False),
        ("05110", "04033", True),  # La Poste across the Alpes border
    ],
)
def test_postcode_and_insee_must_agree(postcode, insee, ok):
    assert (check_postcode_insee(postcode, insee) is None) is ok


def test_phone_is_stored_in_the_schemas_international_form():
    validate_phone("+33380123456")
    validate_phone("+262262123456")
    for bad in ("0380123456", "+33 3 80 12 34 56", "+3338012", "+33012345678"):
        with pytest.raises(ValidationError):
            validate_phone(bad)
    with pytest.raises(ValidationError, match="numéros français"):
        validate_phone("+4930123456")  # a valid Berlin number: not in the national schema


@pytest.mark.parametrize(
    "typed, stored, shown",
    [
        ("03 80 12 89 73", "+33380128973", "03 80 12 89 73"),
        ("0033 3.80.12.89.73", "+33380128973", "03 80 12 89 73"),
        ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("0262 12 34 56", "+262262123456", "0262 12 34 56"),  # La Réunion, not a metropolitan 02
        ("0692 12 34 56", "+262692123456", "0692 12 34 56"),  # a Réunion mobile
        ("0590 12 34 56", "+590590123456", "0590 12 34 56"),  # Guadeloupe
        ("0696 12 34 56", "+596696123456", "0696 12 34 56"),  # Martinique mobile
        ("0594 12 34 56", "+594594123456", "0594 12 34 56"),  # Guyane
        ("+687 28 12 34", "+687281234", "+687 28.12.34"),  # Nouvelle-Calédonie keeps its calling code
    ],
)
def test_phone_numbers_read_the_french_way_and_shown_nationally(typed, stored, shown):
    assert phone_e164(typed) == stored
    validate_phone(stored)
    assert phone_display(stored) == shown


def test_unreadable_phone_is_kept_for_the_validator_to_refuse():
    assert phone_e164(" 12 ") == "12"
    with pytest.raises(ValidationError, match="03 80 12 34 56"):
        validate_phone(phone_e164("12"))
    assert phone_display("legacy") == "legacy"


def test_emails_urls_hours_and_choices():
    validate_emails("a@exemple.fr|b@exemple.fr")
    with pytest.raises(ValidationError, match="pas-un-courriel"):
        validate_emails("a@exemple.fr|pas-un-courriel")
    validate_urls("https://exemple.fr/|http://autre.fr")
    with pytest.raises(ValidationError):
        validate_urls("javascript:alert(1)")
    with pytest.raises(ValidationError, match="OpenStreetMap"):
        validate_opening_hours("lundi matin")
    SchemaChoicesValidator("frais_a_charge")("Gratuit|Payant")
    with pytest.raises(ValidationError, match="gratuit"):
        SchemaChoicesValidator("frais_a_charge")("gratuit")
