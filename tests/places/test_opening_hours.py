import pytest

from places.opening_hours import OpeningHoursError, describe, parse


@pytest.mark.parametrize(
    "value",
    [
        "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",
        "24/7",
        "Mo,We,Fr 10:00-12:00; PH off",
        "Mo 10:00-12:00, PH off",
        "Tu-Sa 10:00-19:00; Su off",
        "Jan-Mar Sa 10:00-12:00",
        "Dec 24-Dec 26 off",
        'Tu[1] 14:00-16:00 "sur rendez-vous"',
        "Th[1,3] 09:00-12:00",
        "Mo-Fr 22:00-02:00",
        "Sa 19:00+",
        "Mo-Fr 09:00-12:00;",
        "Mo-Fr 09:00-17:00 || PH closed",
        "SH off",
        "off",
    ],
)
def test_valid_values_parse(value):
    assert parse(value)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("", "vides"),
        ("lundi 9h-12h", "Mot inconnu « lundi »"),
        ("Mo-Fx 09:00-12:00", "Mot inconnu « Fx »"),
        ("Mo 09:00", "« - » entre deux heures"),
        ("Mo 9:00-12:00", "deux chiffres"),
        ("Mo 25:00-26:00", "Heure invalide"),
        ("Mo 10:60-11:00", "Heure invalide"),
        ("Mo 10:00-10:00", "finir à l'heure où elle commence"),
        ("Mo 10:00-12:00 Tu 10:00-12:00", "séparez les règles"),
        ("Mo[6] 10:00-12:00", "de 1 à 5"),
        ("Mo-Fr 09:00-12:00; ,", "Règle attendue"),
        ("Mo-Fr 09:00-12:00 @", "Caractère inattendu"),
    ],
)
def test_invalid_values_have_a_french_message(value, fragment):
    with pytest.raises(OpeningHoursError) as exc:
        parse(value)
    assert fragment in str(exc.value)


def test_describe_in_french():
    assert describe("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off") == [
        "Du lundi au vendredi : 09:00–12:00, 14:00–18:30",
        "Samedi : 08:30–12:00",
        "Jours fériés : fermé",
    ]
    assert describe("24/7") == ["Tous les jours, 24 h sur 24"]
    assert describe("n'importe quoi") == ["n'importe quoi"]
