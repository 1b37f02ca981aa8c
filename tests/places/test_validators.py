import pytest
from django.core.exceptions import ValidationError

from places.validators import (
    SchemaChoicesValidator,
    check_postcode_insee,
    normalise_phone,
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


def test_phone_is_e164_and_normalised():
    validate_phone("+33380123456")
    validate_phone("+262262123456")
    for bad in ("0380123456", "+33 3 80 12 34 56", "+1555123456"):
        with pytest.raises(ValidationError):
            validate_phone(bad)
    assert normalise_phone("03 80 12 34 56") == "+33380123456"
    assert normalise_phone("0033 3.80.12.34.56") == "+33380123456"


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
