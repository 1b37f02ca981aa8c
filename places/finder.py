"""The prescribers' finder: when ("open at") and where ("within N km of a commune") a place must be.

Pure functions, no queries: ``selectors.place_search`` narrows in SQL first (vocabulary filters,
text, a bounding box around the chosen commune), then keeps the rows whose ``horaires`` are open
at the asked moment and whose distance is within the radius, in Python, on two or five columns
per row. The opening-hours values are compiled once per process (``opening_hours.compiled``).

"Open at" comes as a shortcut (``maintenant``, ``samedi``, ``samedi_matin``, ``soir``: after
18 h) or as a weekday and a time; each becomes one or more (start, end) windows of local time in
the coming week, and a place matches when it is open at some moment of one of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext_lazy as _

from . import opening_hours

EARTH_KM = 6371.0088
WEEKDAYS = [
    ("0", _("lundi")),
    ("1", _("mardi")),
    ("2", _("mercredi")),
    ("3", _("jeudi")),
    ("4", _("vendredi")),
    ("5", _("samedi")),
    ("6", _("dimanche")),
]
SHORTCUTS = [
    ("maintenant", _("Ouvert maintenant")),
    ("samedi", _("Ouvert samedi")),
    ("samedi_matin", _("Ouvert samedi matin")),
    ("soir", _("Ouvert après 18 h")),
]
RADII = [("5", _("5 km")), ("10", _("10 km")), ("20", _("20 km")), ("30", _("30 km")), ("50", _("50 km"))]
EVENING = time(18, 0)
MORNING = (time(8, 0), time(12, 0))


@dataclass(frozen=True)
class OpenAt:
    """Windows of local wall-clock time; ``now`` means each place's own "now" (overseas zones).
    ``day``: the date asked for when the search names one day (Saturday, a weekday), so that the
    results can say which one (on a Saturday afternoon, "Saturday morning" is next week's)."""

    windows: tuple[tuple[datetime, datetime], ...] = ()
    now: bool = False
    day: date | None = None

    def matches(self, horaires: str, postcode: str = "") -> bool:
        if not horaires:
            return False
        if self.now:
            return opening_hours.is_open_at(horaires, opening_hours.local_now(postcode))
        for start, end in self.windows:
            if end - start <= timedelta(minutes=1):
                if opening_hours.is_open_at(horaires, start):
                    return True
            elif opening_hours.open_any_time(horaires, start=start, end=end):
                return True
        return False


def next_weekday(today: date, weekday: int) -> date:
    """The next ``weekday`` (0 = Monday) from ``today``, today included."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def open_at(*, shortcut: str = "", weekday: str = "", at: time | None = None, now: datetime | None = None) -> OpenAt | None:
    """The "open at" condition of a search, or ``None`` when the search sets none.

    A weekday alone means "open some time that day" (what is left of it when it is today); a time
    alone means "today at that time" (tomorrow when it has passed); both mean that day at that time."""
    now = (now or opening_hours.local_now()).replace(second=0, microsecond=0)
    today = now.date()
    if shortcut == "maintenant":
        return OpenAt(now=True)
    if shortcut == "samedi":  # the same search as "Ou ouvert le : samedi"
        weekday, at = "5", None
    if shortcut == "samedi_matin":
        # The coming Saturday's morning, from now on when it is today; once today's is over (a
        # Saturday afternoon), the next Saturday's.
        day = next_weekday(today, 5)
        if datetime.combine(day, MORNING[1]) <= now:
            day += timedelta(days=7)
        return OpenAt(windows=((max(datetime.combine(day, MORNING[0]), now), datetime.combine(day, MORNING[1])),), day=day)
    if shortcut == "soir":
        windows = []
        for offset in range(7):
            day = today + timedelta(days=offset)
            windows.append((datetime.combine(day, EVENING), datetime.combine(day + timedelta(days=1), time())))
        return OpenAt(windows=tuple(windows))
    if weekday != "" and weekday is not None:
        day = next_weekday(today, int(weekday))
        if at is None:  # from now on when the day is today
            return OpenAt(windows=((max(datetime.combine(day, time()), now), datetime.combine(day + timedelta(days=1), time())),), day=day)
        moment = datetime.combine(day, at)
        if moment < now:
            moment += timedelta(days=7)
        return OpenAt(windows=((moment, moment),), day=moment.date())
    if at is not None:
        moment = datetime.combine(today, at)
        if moment < now:
            moment += timedelta(days=1)
        return OpenAt(windows=((moment, moment),), day=moment.date())
    return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of a square around a point that contains the circle."""
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
