"""Opening hours (the schema's ``horaires``, in OpenStreetMap's ``opening_hours`` syntax), read by
one parser: the opening-hours-py library (``opening_hours`` module, a Rust implementation of the
full specification, public holidays included).

* ``validate(text)`` refuses a value the library cannot read, with a French message that gives the
  position of the error (``OpeningHoursError.position``, counted from 1);
* ``is_open_at(text, when)`` and ``state_at(text, when)`` evaluate a value at a local time (the
  finder's "open at", the list's "open now");
* ``week(text, start)`` gives each day's opening spans for the place page ("Lundi : 9 h – 12 h").

Values are compiled once per process (``compiled`` is memoised by text: most places share a few
dozen patterns), so a finder request over thousands of places costs microseconds per place.
Public holidays (``PH``) follow the French calendar. Times are the place's local wall-clock time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours as osm
from django.utils import timezone
from django.utils.translation import gettext as _

HOLIDAY_COUNTRY = "FR"
# Overseas postcodes (three first digits) and their time zone; elsewhere the site's zone.
OVERSEAS_ZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}
_POSITION = re.compile(r"-->\s*(\d+):(\d+)")
_EXPECTED = re.compile(r"=\s*expected (.+)$", re.M)


def _expected_words() -> dict[str, str]:
    """The library's grammar names, in words a place manager understands."""
    return {
        "wday": _("un jour (Mo, Tu, We, Th, Fr, Sa, Su)"),
        "timespan": _("une plage horaire (09:00-12:00)"),
        "timespan_plus": _("une heure de fin (09:00-12:00)"),
        "hour": _("une heure (00 à 24)"),
        "minute": _("des minutes (00 à 59)"),
        "nth_entry": _("un rang dans le mois (1 à 5)"),
        "any_rule_separator": _("un séparateur « ; » entre deux règles"),
        "rules_modifier": _("« off » ou « open »"),
        "always_open": _("« 24/7 »"),
        "small_range_selectors": _("des jours (Mo-Fr)"),
        "holiday": _("PH (jours fériés) ou SH (vacances scolaires)"),
        "comment": _("un commentaire entre guillemets"),
    }


class OpeningHoursError(ValueError):
    """A value the parser refuses; ``position`` (from 1) points at the first unreadable character."""

    def __init__(self, message: str, position: int | None = None):
        self.position = position
        super().__init__(message)


def normalise(text: str) -> str:
    """Surrounding blanks and a trailing ``;`` (common in the national data, harmless) removed."""
    return (text or "").strip().rstrip(";").strip()


def _error_from(text: str, exc: Exception) -> OpeningHoursError:
    raw = str(exc)
    match = _POSITION.search(raw)
    position = int(match.group(2)) if match else None
    words = _expected_words()
    expected: list[str] = []
    if found := _EXPECTED.search(raw):
        for name in re.split(r",\s*(?:or\s+)?|\s+or\s+", found.group(1)):
            word = words.get(name.strip())
            if word and word not in expected:
                expected.append(word)
    if position is None:
        message = _("Horaires au format OpenStreetMap invalides.")
    else:
        fragment = text[position - 1 : position + 14] or _("la fin du texte")
        message = _("Horaires au format OpenStreetMap invalides : erreur à la position %(position)s (« %(fragment)s »).") % {
            "position": position,
            "fragment": fragment,
        }
    if expected:
        message += " " + _("Attendu : %(expected)s.") % {"expected": ", ".join(expected[:4])}
    message += " " + _("Exemple : Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off")
    return OpeningHoursError(message, position)


@lru_cache(maxsize=20_000)
def compiled(text: str) -> osm.OpeningHours:
    """The parsed value (memoised); raises ``OpeningHoursError`` with a French message."""
    value = normalise(text)
    if not value:
        raise OpeningHoursError(_("Horaires vides."), 1)
    try:
        return osm.OpeningHours(value, country=HOLIDAY_COUNTRY)
    except (SyntaxError, ValueError, osm.ParserError) as exc:
        raise _error_from(value, exc) from None


def validate(text: str) -> None:
    """Raise ``OpeningHoursError`` when ``text`` is not a readable ``opening_hours`` value."""
    compiled(text)


def readable(text: str) -> bool:
    """Whether ``text`` parses (an empty value does not)."""
    try:
        compiled(text)
    except OpeningHoursError:
        return False
    return True


def local_now(postcode: str = "") -> datetime:
    """Now, as a naive wall-clock time where the place is (its postcode says which zone)."""
    zone = OVERSEAS_ZONES.get((postcode or "")[:3])
    now = timezone.now()
    return (now.astimezone(ZoneInfo(zone)) if zone else timezone.localtime(now)).replace(tzinfo=None)


@dataclass(frozen=True)
class State:
    """Open (``True``), closed (``False``) or unknown (``None``) at a time, and the next change."""

    open: bool | None
    next_change: datetime | None = None
    comment: str = ""


def state_at(text: str, when: datetime) -> State:
    """The state of a place at the naive local datetime ``when``; unknown for empty or unreadable hours."""
    if not text:
        return State(None)
    try:
        hours = compiled(text)
    except OpeningHoursError:
        return State(None)
    when = when.replace(tzinfo=None, second=0, microsecond=0)
    if hours.is_unknown(when):
        return State(None, hours.next_change(when))
    state, comment = hours.state(when)
    return State(state == osm.State.OPEN, hours.next_change(when), comment or "")


def is_open_at(text: str, when: datetime) -> bool:
    """True when the hours say "open" at the naive local datetime ``when`` (unknown counts as not open)."""
    if not text:
        return False
    try:
        return compiled(text).is_open(when.replace(tzinfo=None, second=0, microsecond=0))
    except OpeningHoursError:
        return False


def open_any_time(text: str, *, start: datetime, end: datetime) -> bool:
    """Open at some moment between ``start`` and ``end`` (e.g. "open Saturday": any time that day)."""
    if not text:
        return False
    try:
        hours = compiled(text)
    except OpeningHoursError:
        return False
    return any(state == osm.State.OPEN for _s, _e, state, _c in hours.intervals(start, end))


@dataclass
class Day:
    day: date
    spans: list[tuple[time, time]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    unknown: bool = False

    @property
    def is_open(self) -> bool:
        return bool(self.spans)


def week(text: str, start: date, days: int = 7) -> list[Day]:
    """Each day's opening spans from ``start`` for ``days`` days, cut at midnight (a span that
    ends at midnight ends at ``time.max``); empty when the hours are empty or unreadable."""
    if not text:
        return []
    try:
        hours = compiled(text)
    except OpeningHoursError:
        return []
    first = datetime.combine(start, time())
    result = [Day(start + timedelta(days=i)) for i in range(days)]
    for begin, end, state, comment in hours.intervals(first, first + timedelta(days=days)):
        if state == osm.State.CLOSED:
            continue
        cursor = begin
        while cursor < end:
            midnight = datetime.combine(cursor.date() + timedelta(days=1), time())
            stop = min(end, midnight)
            index = (cursor.date() - start).days
            if 0 <= index < days:
                day = result[index]
                if state == osm.State.UNKNOWN:
                    day.unknown = True
                else:
                    day.spans.append((cursor.time(), time.max if stop == midnight else stop.time()))
                if comment and comment not in day.comments:
                    day.comments.append(comment)
            cursor = stop
    return result


def weekly_hours(text: str, start: date) -> float:
    """Hours open in the seven days from ``start`` (0 when empty or unreadable; "unknown" spans,
    like "sur rendez-vous", do not count)."""
    total = 0.0
    for day in week(text, start):
        for begin, end in day.spans:
            stop = 24 * 3600 if end == time.max else end.hour * 3600 + end.minute * 60
            total += (stop - (begin.hour * 3600 + begin.minute * 60)) / 3600
    return round(total, 1)
