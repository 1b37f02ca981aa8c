from datetime import date, datetime, time

import pytest

from places.opening_hours import OpeningHoursError, is_open_at, open_any_time, state_at, validate, week


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
        "Mo-Fr 09:00-12:00;",  # a trailing ";" is common in the national data
        "Mo-Fr 09:00-17:00 || PH closed",
        "SH off",
        "off",
    ],
)
def test_valid_values_parse(value):
    validate(value)


@pytest.mark.parametrize(
    "value, position, fragment",
    [
        ("lundi 9h-12h", 1, "lundi"),
        ("Mo-Fx 09:00-12:00", 4, "un jour (Mo, Tu"),
        ("Mo 09:00", 9, "heure de fin"),
        ("Mo 10:60-11:00", 7, "des minutes (00 à 59)"),
        ("Mo 10:00-12:00 Tu 10:00-12:00", 16, "« ; »"),
        ("Mo[6] 10:00-12:00", 4, "rang dans le mois"),
        ("Mo-Fr 09:00-12:00 @", 19, "@"),
        ("Mo-Fr 09h00-12h00", 7, "plage horaire"),
    ],
)
def test_invalid_values_are_refused_with_the_position(value, position, fragment):
    with pytest.raises(OpeningHoursError) as exc:
        validate(value)
    assert exc.value.position == position
    message = str(exc.value)
    assert f"position {position}" in message and fragment in message
    assert "Exemple : Mo-Fr" in message


def test_empty_value_is_refused():
    with pytest.raises(OpeningHoursError, match="vides"):
        validate("  ")


def test_open_at_follows_days_hours_and_public_holidays():
    hours = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off"
    assert is_open_at(hours, datetime(2026, 12, 5, 10, 0))  # Saturday morning
    assert not is_open_at(hours, datetime(2026, 12, 5, 14, 0))  # Saturday afternoon
    assert not is_open_at(hours, datetime(2026, 12, 7, 12, 30))  # lunch break
    assert not is_open_at(hours, datetime(2026, 12, 25, 10, 0))  # Christmas (Friday, public holiday)
    assert not is_open_at("", datetime(2026, 12, 7, 10, 0)) and not is_open_at("n'importe quoi", datetime(2026, 12, 7, 10, 0))
    assert open_any_time(hours, start=datetime(2026, 12, 5), end=datetime(2026, 12, 6))
    assert not open_any_time("Mo-Fr 09:00-12:00", start=datetime(2026, 12, 5), end=datetime(2026, 12, 6))


def test_state_gives_the_next_change():
    state = state_at("Mo-Fr 09:00-12:00", datetime(2026, 12, 7, 10, 0))
    assert state.open is True and state.next_change == datetime(2026, 12, 7, 12, 0)
    state = state_at("Mo-Fr 09:00-12:00", datetime(2026, 12, 5, 10, 0))
    assert state.open is False and state.next_change == datetime(2026, 12, 7, 9, 0)
    assert state_at("Mo-Fr 09:00-12:00 unknown", datetime(2026, 12, 7, 10, 0)).open is None
    assert state_at("", datetime(2026, 12, 7, 10, 0)).open is None


def test_week_lists_each_days_spans():
    days = week('Mo-Fr 09:00-12:00,14:00-17:30; We off; Sa 10:00-12:00 "sur rendez-vous"; Su 22:00-24:00', date(2026, 12, 7))
    assert [d.day.isoformat() for d in days][:2] == ["2026-12-07", "2026-12-08"]
    monday, _tue, wednesday, *_rest, saturday, sunday = days
    assert monday.spans == [(time(9), time(12)), (time(14), time(17, 30))]
    assert not wednesday.is_open
    assert saturday.spans == [(time(10), time(12))] and saturday.comments == ["sur rendez-vous"]
    assert sunday.spans == [(time(22), time.max)]
    assert week("pas des horaires", date(2026, 12, 7)) == []
