"""Issue 15 item 4, "feeding the observatory": what consortia answered and won per department
(calls answered, submitted, won, success rate, money raised), from the same selector as the hub's
view; a data table, an SVG chart and a formula-safe CSV; aggregates only (no consortium names,
private consortia left out of the public version); a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import Commune, Department
from content.models import ObservatorySettings
from content.observatory import chart_consortia_department
from funding import services
from funding.models import Consortium
from funding.selectors import consortium_outcomes
from tests.factories import OrganisationFactory, member_with
from tests.funding.factories import make_call

pytestmark = pytest.mark.django_db

KEY = "consortia_department"


def _lead(insee):
    return member_with(organisation=OrganisationFactory(commune=Commune.objects.get(insee=insee)))


def _consortium(lead, call=None, **kwargs):
    data = {"name": "Numérique en Bourgogne", **kwargs}
    return services.consortium_create(call=call or make_call(), actor=lead, **data)


def _decide(consortium, lead, status, granted=None):
    services.application_update(consortium=consortium, actor=lead, status="submitted", amount_asked=50000)
    if status != "submitted":
        services.application_update(consortium=consortium, actor=lead, status=status, amount_granted=granted)


@pytest.fixture
def network():
    """Côte-d'Or: one won (40,000 €), one lost, one preparing, one private won (10,000 €), two on
    the same call; Doubs: one submitted, waiting."""
    dijon, besancon = _lead("21231"), _lead("25056")
    call = make_call()
    won = _consortium(dijon, call=call, name="Projet gagnant")
    _decide(won, dijon, "won", 40000)
    _decide(_consortium(dijon, call=call, name="Projet perdu"), dijon, "lost")
    _consortium(dijon, name="Projet en cours")
    _decide(_consortium(dijon, name="Projet discret", visibility="private"), dijon, "won", 10000)
    _decide(_consortium(besancon, name="Projet du Doubs"), besancon, "submitted")
    return dijon, besancon


def test_outcomes_per_department_with_the_hub_rule(network):
    chart = chart_consortia_department(public=False)
    rows = {row[0]: row[1:] for row in chart.rows}
    # money, calls answered, submitted, won, success rate (won / (won + lost))
    assert rows["Côte-d'Or (21)"] == [50000, 3, 3, 2, 67]
    assert rows["Doubs (25)"] == [0, 1, 1, 0, None]
    assert chart.rows[0][0] == "Côte-d'Or (21)"  # most money first
    # one rule: the hub's view reads the same figures from the same selector
    hub = {t.code: t for t in consortium_outcomes().by_territory}
    assert (hub["21"].granted, hub["21"].won, hub["21"].success_rate) == (50000, 2, 67)
    # the public version leaves the private consortium out
    public = {row[0]: row[1:] for row in chart_consortia_department(public=True).rows}
    assert public["Côte-d'Or (21)"] == [40000, 2, 2, 1, 50]


def test_observatory_section_with_table_svg_and_csv_and_no_names(network, staff_client, client):
    text = staff_client.get("/observatoire/").text
    assert f'id="{KEY}"' in text and reverse("observatory:csv", args=[KEY]) in text
    section = text[text.index(f'<section id="{KEY}"') :]
    section = section[: section.index("</section>")]
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bar chart-wide"' in section and "50000 €</text>" in section
    assert "<caption>" in section and '<th scope="row">Doubs (25)</th>' in section and "<td>—</td>" in section
    assert "Projet" not in section and "Bourgogne" not in section
    csv = staff_client.get(reverse("observatory:csv", args=[KEY])).content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Département;Montant obtenu (€);Appels visés;Candidatures déposées")
    assert "Côte-d'Or (21);50000;3;3;2;67" in csv and "Doubs (25);0;1;1;0;\r" in csv
    assert "Projet" not in csv
    # visitors see it only once the hub publishes it, then without the private consortium
    assert client.get(reverse("observatory:csv", args=[KEY])).status_code == 404
    settings_row = ObservatorySettings.load()
    settings_row.public_charts = [KEY]
    settings_row.save()
    public_csv = client.get(reverse("observatory:csv", args=[KEY])).content.decode("utf-8-sig")
    assert "Côte-d'Or (21);40000;2;2;1;50" in public_csv and "Projet" not in public_csv
    # the hub's page shows the same table per territory and points to the observatory
    hub = staff_client.get("/financements/consortiums/bilan/").text
    assert "67 %" in hub and "50\xa0000 €" in hub and f"/observatoire/#{KEY}" in hub


def test_csv_is_safe_from_formula_injection(staff_client):
    Department.objects.filter(code="25").update(name='=HYPERLINK("http://x")')
    _consortium(_lead("25056"))
    body = staff_client.get(reverse("observatory:csv", args=[KEY])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body


def test_fixed_number_of_queries_at_5_and_50_consortia():
    leads = [_lead("21231"), _lead("25056")]
    call = make_call()
    counts = []
    for n in (5, 50):
        for i in range(Consortium.objects.count(), n):
            consortium = _consortium(leads[i % 2], call=call, name=f"Projet {i}")
            if i % 3 == 0:
                Consortium.objects.filter(pk=consortium.pk).update(status="won", amount_granted=1000)
        with CaptureQueriesContext(connection) as ctx:
            chart = chart_consortia_department(public=False)
            chart_consortia_department(public=True)
        counts.append(len(ctx))
        assert sum(row[4] for row in chart.rows) == len(range(0, n, 3))
        assert sum(row[1] for row in chart.rows) == 1000 * len(range(0, n, 3))
    assert counts[0] == counts[1] == 4, counts
