"""Places in Chromium: a manager creates a place; map and place pages pass axe-core; the list
works without JavaScript and without map tiles."""

import re
import uuid

from playwright.sync_api import expect

from places.models import Place
from places.services import place_create
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.places.factories import place_data


def _block_tiles(page):
    page.route(re.compile(r"https?://[^/]*tile[^/]*/.*"), lambda route: route.abort())


def _published_places(n=3):
    tag = uuid.uuid4().hex[:6]
    staff = StaffFactory(email=f"equipe-{tag}@exemple.fr", username=f"equipe-{tag}")
    return [place_create(actor=staff, data=place_data(nom=f"Espace {tag} n°{i}"), publish=True) for i in range(n)], tag


def test_manager_creates_a_place_from_the_site(page, asgi_server):
    tag = uuid.uuid4().hex[:6]
    member = UserFactory(email=f"gestion-{tag}@exemple.fr", username=f"gestion-{tag}")
    _block_tiles(page)
    login(page, asgi_server, member.email, PASSWORD)
    page.goto(f"{asgi_server.url}/lieux/")
    page.get_by_role("link", name="Référencer un lieu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Référencer un lieu")
    assert_accessible(page, context="place form")
    page.fill("#id_nom", f"Fabrique {tag}")
    page.fill("#id_pivot", "43493312300029")
    page.fill("#id_adresse", "3 rue des Forges")
    page.fill("#id_code_postal", "21000")
    page.fill("#id_commune", "Dijon")
    page.fill("#id_code_insee", "21231")
    page.fill("#id_telephone", "03 80 12 34 56")
    page.fill("#id_horaires", "Mo-Fr 9h-12h")
    page.get_by_label("Aide aux démarches administratives").check()
    page.get_by_label("Gratuit", exact=True).check()
    page.get_by_role("button", name="Créer le lieu").click()
    # A readable error on the opening hours, the rest of the form kept.
    expect(page.locator(".form-errors")).to_be_visible()
    # the page opens on the summary (keyboard and screen reader there); its link leads to the field
    expect(page.locator(".form-errors")).to_be_focused()
    page.locator(".form-errors a[href='#id_horaires']").click()
    expect(page.locator("#id_horaires")).to_be_in_viewport()
    expect(page.locator(".form-errors").get_by_text("Horaires au format OpenStreetMap invalides")).to_be_visible()
    assert page.input_value("#id_nom") == f"Fabrique {tag}"
    assert_accessible(page, context="place form with errors")
    page.fill("#id_horaires", "Mo-Fr 09:00-12:00; PH off")
    page.get_by_role("button", name="Créer le lieu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fabrique {tag}")
    expect(page.get_by_text("Non publié")).to_be_visible()
    expect(page.locator(".place-week")).to_contain_text("9 h – 12 h")
    expect(page.get_by_role("link", name="03 80 12 34 56")).to_be_visible()
    assert_accessible(page, context="new place page")
    place = asgi_server.call(lambda: Place.objects.get(nom=f"Fabrique {tag}"))
    assert place.telephone == "+33380123456" and not place.is_published
    assert asgi_server.call(lambda: list(place.managers.values_list("email", flat=True))) == [member.email]


def test_map_page_and_place_page_are_accessible(page, asgi_server):
    places, tag = _published_places()
    _block_tiles(page)
    page.goto(f"{asgi_server.url}/lieux/?q={tag}")
    expect(page.get_by_role("heading", name=re.compile("3 lieux"))).to_be_visible()
    expect(page.locator(".leaflet-container")).to_be_visible()
    # The three neighbouring places are one cluster that says how many it holds; opening it
    # (zoom, then spread at the deepest zoom) shows the three markers.
    cluster = page.locator(".marker-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("3")
    expect(cluster).to_have_attribute("aria-label", "3 lieux : zoomer sur ce groupe")
    # the count is drawn in the hub's colours, not the plugin's pale ones (its sheet is loaded last)
    colours = cluster.locator("div").evaluate("d => [getComputedStyle(d).backgroundColor, getComputedStyle(d).color]")
    assert colours == ["rgb(7, 63, 97)", "rgb(255, 255, 255)"], colours
    assert_accessible(page, context="map page")
    markers = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
    for _ in range(4):
        if markers.count() == 3:
            break
        cluster.first.click()
        page.wait_for_timeout(600)  # the zoom and spread animations
    expect(markers).to_have_count(3)
    markers.first.click()
    expect(page.locator(".leaflet-popup-content a")).to_contain_text(tag)
    page.locator("#place-results").get_by_role("link", name=places[0].nom).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(places[0].nom)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    assert_accessible(page, context="place page")


def test_list_works_without_javascript(browser, asgi_server):
    places, tag = _published_places(2)
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{asgi_server.url}/lieux/?q={tag}")
    for place in places:
        expect(page.get_by_role("link", name=place.nom)).to_be_visible()
    expect(page.locator("#places-map")).to_be_hidden()
    page.get_by_text("Plus de critères").click()  # the finder folds its rarer criteria (a <details>, no JS needed)
    page.get_by_label("Frais").select_option("Payant")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("Aucun lieu ne correspond")).to_be_visible()
    context.close()
