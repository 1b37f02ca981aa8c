"""The design system's template tags: relative times, breadcrumbs, icons."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from common.templatetags.common_tags import relative_time

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 3, 15, 30, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (timedelta(seconds=5), "à l'instant"),
        (timedelta(seconds=59), "à l'instant"),
        (timedelta(minutes=1), "il y a 1 min"),
        (timedelta(minutes=5), "il y a 5 min"),
        (timedelta(hours=3), "il y a 3 h"),
        (timedelta(hours=15, minutes=25), "il y a 15 h"),  # 00:05 the same day
        (timedelta(hours=16), "hier, 23:30"),
        (timedelta(days=3), "lundi, 15:30"),
        (timedelta(days=20), "13 nov."),
        (timedelta(days=400), "29 oct. 2025"),
    ],
)
def test_relative_time_reads_as_people_say_it(ago, expected, settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert relative_time(NOW - ago, now=NOW) == expected


def test_relative_time_never_says_zero_minutes_and_dates_the_future(settings):
    for seconds in range(0, 120, 7):
        assert "0 min" not in relative_time(NOW - timedelta(seconds=seconds), now=NOW)
    assert relative_time(NOW + timedelta(days=2), now=NOW) == "5 déc. 2026, 15:30"


def test_when_filter_gives_a_time_element_with_the_full_date():
    html = Template("{{ d|when }}").render(Context({"d": datetime(2024, 1, 2, 9, 5, tzinfo=PARIS)}))
    assert html.startswith('<time datetime="2024-01-02T09:05:00+01:00" title="mardi 2 janvier 2024, 09:05">')
    assert ">2 jan. 2024</time>" in html  # Django's French abbreviations, never "2 Jan 2024"
    assert Template("{{ d|when }}").render(Context({"d": None})) == ""


def test_breadcrumbs_link_every_step_but_the_current_page():
    template = Template('{% breadcrumbs "Groupes" "/groupes/" name "/groupes/jura/" "Sujet" %}')
    html = template.render(Context({"name": "Jura <numérique>"}))  # member text is escaped
    assert '<a href="/groupes/">Groupes</a>' in html and '<a href="/groupes/jura/">Jura &lt;numérique&gt;</a>' in html
    assert '<li aria-current="page">Sujet</li>' in html and 'aria-label="Fil d’Ariane"' in html


def test_icons_are_decorative_and_unknown_names_render_nothing():
    html = Template('{% icon "bell" 22 %}').render(Context())
    assert 'aria-hidden="true"' in html and 'width="22"' in html and "<path" in html
    assert Template('{% icon "nope" %}').render(Context()) == ""


def test_app_stylesheets_take_their_colours_from_the_design_tokens():
    """Dark mode works only if app stylesheets use the tokens of maillage.css; a fixed colour needs
    a comment on its line saying why it must not follow the theme (QR code, data palette…)."""
    css_dir = Path(__file__).resolve().parents[2] / "static" / "css"
    offenders = []
    for sheet in sorted(css_dir.glob("*.css")):
        if sheet.name == "maillage.css":
            continue
        lines = sheet.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            explained = "/*" in line or (number > 1 and lines[number - 2].lstrip().startswith("/*"))
            if re.search(r"#[0-9a-fA-F]{3,6}\b|rgba?\(", line) and not explained:
                offenders.append(f"{sheet.name}:{number}: {line.strip()}")
    assert not offenders, "hard-coded colours outside the design tokens:\n" + "\n".join(offenders)


def test_kept_date_formats_follow_the_language_and_the_zone():
    from django.template.defaultfilters import date as django_date

    from common.templatetags.common_tags import date_format

    moment = datetime(2026, 12, 3, 15, 30, tzinfo=PARIS)
    elsewhere = moment.astimezone(ZoneInfo("America/Cayenne"))  # the same instant, another zone
    with translation.override("fr"):
        assert date_format(moment, "l j F Y, H:i") == django_date(moment, "l j F Y, H:i") == "jeudi 3 décembre 2026, 15:30"
        assert date_format(elsewhere, "l j F Y, H:i") == django_date(elsewhere, "l j F Y, H:i") == "jeudi 3 décembre 2026, 11:30"
    with translation.override("en"):
        assert date_format(moment, "l j F Y, H:i") == django_date(moment, "l j F Y, H:i") == "Thursday 3 December 2026, 15:30"


@pytest.mark.parametrize("fmt", ["M", "j", "D", "c", "l j F Y, H:i", "H:i"])
def test_local_date_filter_writes_what_djangos_date_filter_writes(fmt, settings):
    """In the current zone, like ``date`` (aware moments converted; ``{% localtime off %}`` honoured)."""
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime(2026, 12, 3, 23, 30, tzinfo=ZoneInfo("UTC"))  # already Friday in Paris
    context = Context({"moment": moment, "day": moment.date()})
    with translation.override("fr"):
        for body in ("{{ moment|%s:'%s' }}", "{%% localtime off %%}{{ moment|%s:'%s' }}{%% endlocaltime %%}", "{{ day|%s:'%s' }}"):
            if "day" in body and fmt in ("c", "H:i", "l j F Y, H:i"):  # time specifiers: an error for dates, both ways
                continue
            ours = Template("{% load common_tags tz %}" + body % ("local_date", fmt)).render(context)
            djangos = Template("{% load common_tags tz %}" + body % ("date", fmt)).render(context)
            assert ours == djangos and ours
    with translation.override("fr"):
        assert Template("{% load common_tags %}{{ moment|local_date:'D j' }}").render(context) == "ven 4"
