"""The public site: home page blocks, static pages and news, readable without an account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.demo import load_content_demo
from content.models import HomePage, NewsIndexPage, NewsPage, StandardPage
from tests.content.factories import published_resource

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/", "Le réseau en chiffres"),
        ("/le-hub/", "Le hub"),
        ("/missions/", "Nos missions"),
        ("/partenaires/", "Partenaires"),
        ("/mentions-legales/", "Mentions légales"),
        ("/accessibilite/", "partiellement conforme"),
        ("/actualites/", "Actualités"),
    ],
)
def test_public_pages_need_no_account(client, url, text):
    response = client.get(url)
    assert response.status_code == 200
    assert text in response.text
    assert 'href="/ressources/"' in response.text  # public navigation


def _add_news(n):
    index = NewsIndexPage.objects.get()
    for i in range(n):
        page = NewsPage(title=f"Nouvelle {index.get_children().count()}-{i}", intro="Une nouvelle.")
        index.add_child(instance=page)


def test_home_shows_news_resources_and_figures(client, member, staff):
    _add_news(2)
    resource = published_resource(member, staff, title="Guide du réseau")
    text = client.get("/").text
    assert "Nouvelle" in text and resource.title in text
    assert "ressources partagées" in text


def test_home_and_news_cost_a_fixed_number_of_queries(client, member, staff):
    counts = {"/": [], "/actualites/": []}
    for n in (10, 90):
        _add_news(n)
        for _ in range(n // 10):
            published_resource(member, staff)
        for url, values in counts.items():
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            values.append(len(ctx))
    assert counts["/"][0] == counts["/"][1], counts
    assert counts["/actualites/"][0] == counts["/actualites/"][1], counts


def test_initial_pages_are_under_the_home_page():
    home = HomePage.objects.get()
    slugs = set(StandardPage.objects.child_of(home).values_list("slug", flat=True))
    assert {"le-hub", "missions", "partenaires", "mentions-legales", "accessibilite"} <= slugs


def test_demo_loader_is_idempotent(member, staff):
    load_content_demo()
    from content.models import Licence, Resource

    count = Resource.objects.count()
    assert count >= 30
    assert set(Resource.objects.values_list("licence", flat=True)) == set(Licence.values)
    load_content_demo()
    assert Resource.objects.count() == count
    assert NewsPage.objects.count() == 4
