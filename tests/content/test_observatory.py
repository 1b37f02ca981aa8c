import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import Department, Skill, Visibility
from content.charts import CHART_LABELS
from content.models import ObservatorySettings
from content.observatory import chart_members_department, chart_skills_census, chart_skills_missing
from tests.factories import member_with

pytestmark = pytest.mark.django_db

URL = "/observatoire/"


def _publish(*keys):
    row = ObservatorySettings.load()
    row.public_charts = list(keys)
    row.save()


def _members(n):
    doubs = Department.objects.get(code="25")
    for i in range(n):
        member_with(department=doubs, metier="mediateur" if i % 2 else "conseiller", skills=["Pix"] if i % 3 else ["Aidants Connect"])


def test_staff_see_every_chart_with_table_and_csv(staff_client):
    _members(3)
    response = staff_client.get(URL)
    assert response.status_code == 200
    text = response.text
    for key in ("members_department", "members_metier", "skills_census", "skills_missing"):
        assert f'id="{key}"' in text
        assert reverse("observatory:csv", args=[key]) in text
    assert "<svg" in text and "<table" in text and "<caption>" in text
    assert 'style="' not in text  # the CSP forbids inline styles
    csv = staff_client.get(reverse("observatory:csv", args=["members_department"]))
    assert csv["Content-Type"].startswith("text/csv")
    assert "Doubs (25);3" in csv.content.decode("utf-8-sig")


def test_without_public_charts_the_observatory_is_hidden(client, member_client):
    assert client.get(URL).status_code == 404
    assert member_client.get(URL).status_code == 404
    assert client.get(reverse("observatory:csv", args=["members_department"])).status_code == 404


def test_public_subset_only(client):
    _members(2)
    _publish("members_metier")
    text = client.get(URL).text
    assert 'id="members_metier"' in text and 'id="members_department"' not in text and 'id="skills_census"' not in text
    assert client.get(reverse("observatory:csv", args=["members_metier"])).status_code == 200
    assert client.get(reverse("observatory:csv", args=["skills_census"])).status_code == 404


def test_public_figures_leave_out_private_fields():
    member = member_with(department=Department.objects.get(code="21"))
    member.profile.visibility = {**member.profile.visibility, "territory": Visibility.PRIVATE}
    member.profile.save()
    member_with(department=Department.objects.get(code="21"))
    assert ["Côte-d'Or (21)", 2] in chart_members_department(public=False).rows
    assert ["Côte-d'Or (21)", 1] in chart_members_department(public=True).rows


def test_census_counts_and_missing_skills():
    # "Aidants Connect" is in the seeded référentiel; "Pix" is a free skill
    _members(3)
    census = chart_skills_census()
    doubs_col = next(i for i, c in enumerate(census.columns) if "(25)" in c)
    aidants = next(r for r in census.rows if r[0] == "Aidants Connect")
    assert aidants[doubs_col] == 1
    missing = {row[0]: row for row in chart_skills_missing().rows}
    doubs = next(v for k, v in missing.items() if "(25)" in k)
    assert "Bureautique" in doubs[2] and "Aidants Connect" not in doubs[2]


def test_skills_charts_show_only_the_referential_and_count_free_skills_apart(staff_client):
    """Free skills (typed by members, ``in_referential=False``) are neither in the charts nor in
    their tables and CSV; one line says how many there are."""
    doubs = Department.objects.get(code="25")
    member_with(department=doubs, skills=["Pix", "Fablab", "Aidants Connect"])
    member_with(department=doubs, skills=["Pix", "Impression 3D"])
    Skill.objects.get_or_create(slug="jamais-declaree", defaults={"name": "Jamais déclarée"})  # free, nobody: not counted
    assert not Skill.objects.get(name="Pix").in_referential
    referential = set(Skill.objects.filter(in_referential=True).values_list("name", flat=True))
    census, missing = chart_skills_census(), chart_skills_missing()
    assert {row[0] for row in census.rows} == referential
    assert not any(name in row[2] for row in missing.rows for name in ("Pix", "Fablab", "Impression 3D"))
    note = "3 compétences hors référentiel (saisies librement par les membres) ne sont pas comptées ici."
    assert census.note == note and missing.note == note
    _publish("skills_census", "skills_missing")
    page = staff_client.get(URL).content.decode()
    assert page.count("3 compétences hors référentiel") == 2 and ">Pix<" not in page and "Fablab" not in page
    for key, chart in (("skills_census", census), ("skills_missing", missing)):
        body = staff_client.get(reverse("observatory:csv", args=[key])).content.decode("utf-8-sig")
        lines = [line for line in body.splitlines() if line]
        assert len(lines) == 1 + len(chart.rows)  # the header and the table's rows, nothing else
        assert "Pix" not in body and "Fablab" not in body and "hors référentiel" not in body
    assert "Aidants Connect" in staff_client.get(reverse("observatory:csv", args=["skills_census"])).content.decode("utf-8-sig")


@pytest.mark.parametrize("kind", ["bar", "matrix"])
def test_charts_are_svg_from_templates_with_escaped_labels(kind):
    from content.charts import Chart

    chart = Chart(key="x", title="<b>", description="d", columns=["a", "b", "c"], rows=[["<script>", 1, 3], ["Deux", 4, 0]], kind=kind)
    svg = render_to_string(chart.template, {"chart": chart})
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    if kind == "bar":  # the longest bar is the largest value; numbers are written with a dot whatever the language
        wide, narrow = svg.split("</svg>")[:2]
        assert 'width="340.0"' in wide and 'width="85.0"' in wide
        # the phone's picture: the same bars, each label on its own line above its bar, both
        # pictures named by their own title (ids not shared)
        assert 'viewBox="0 0 360 92"' in narrow and 'width="270.0"' in narrow and 'width="67.5"' in narrow
        assert narrow.count('class="chart-label"') == 2 and 'text-anchor="end"' not in narrow
        assert 'id="chart-x-title-n"' in narrow and 'id="chart-x-title"' in wide
    else:  # every cell carries its number, an empty one a dash
        assert svg.count('class="chart-cell-text ') == 4 and ">–</text>" in svg


def test_observatory_costs_a_fixed_number_of_queries(staff_client):
    counts = []
    for n in (10, 90):
        _members(n)
        staff_client.get(URL)
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(URL).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_every_chart_key_has_a_label():
    from content.observatory import BUILDERS

    assert set(BUILDERS) <= set(CHART_LABELS)


def test_figures_are_cached_for_a_while(staff_client, settings):
    settings.OBSERVATORY_CACHE_SECONDS = 60
    staff_client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        staff_client.get(URL)
    assert not [q for q in ctx.captured_queries if "community_profile_skills" in q["sql"]]


def test_staff_may_choose_public_charts_in_the_cms(staff):
    assert staff.has_perm("content.change_observatorysettings")
