"""Issue 14 in Chromium: a prescriber finds a place open Saturday morning for a need, sends a
fiche d'orientation, the receiver accepts it; axe-core on every page at 375 and 1280 px."""

import re
import uuid

from playwright.sync_api import expect

from places.services import place_create
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.places.factories import place_data

NEED = "Aide aux démarches administratives"


def _block_tiles(page):
    page.route(re.compile(r"https?://[^/]*tile[^/]*/.*"), lambda route: route.abort())


def _accessible_at_both_widths(page, context):
    for width, height in ((375, 800), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page, context=f"{context} at {width} px")


def test_prescriber_finds_a_saturday_place_and_the_receiver_accepts(browser, page, asgi_server, browser_context_args):
    tag = uuid.uuid4().hex[:6]
    staff = StaffFactory(email=f"equipe-{tag}@exemple.fr", username=f"equipe-{tag}")
    receiver = UserFactory(email=f"accueil-{tag}@exemple.fr", username=f"accueil-{tag}", first_name="Awa", last_name="Diallo")
    prescriber = UserFactory(email=f"prescriptrice-{tag}@exemple.fr", username=f"prescriptrice-{tag}")
    saturday = place_create(
        actor=staff,
        data=place_data(nom=f"France services {tag}", horaires="Mo-Fr 14:00-17:00; Sa 09:00-12:00", services=[NEED]),
        publish=True,
    )
    saturday.managers.add(receiver)
    place_create(actor=staff, data=place_data(nom=f"Mairie {tag}", horaires="Mo-Fr 09:00-12:00", services=[NEED]), publish=True)
    place_create(
        actor=staff,
        data=place_data(nom=f"Fablab {tag}", horaires="Sa 09:00-12:00", services=["Loisirs et créations numériques"]),
        publish=True,
    )

    # The prescriber searches: need + open Saturday morning, without touching the map.
    _block_tiles(page)
    login(page, asgi_server, prescriber.email, PASSWORD)
    page.goto(f"{asgi_server.url}/lieux/")
    page.get_by_label("Nom, commune ou code postal").fill(tag)
    page.locator("#id_services").select_option(NEED)
    page.locator("#id_ouvert").select_option("samedi_matin")
    page.get_by_role("button", name="Rechercher").click()
    results = page.locator("#place-results")
    expect(results.get_by_role("heading", level=2)).to_contain_text("1 lieu")
    expect(results.get_by_role("link", name=f"France services {tag}")).to_be_visible()
    expect(results.get_by_text(f"Mairie {tag}")).to_have_count(0)
    expect(results.get_by_text(f"Fablab {tag}")).to_have_count(0)
    _accessible_at_both_widths(page, "finder results")

    # The place page: the week's hours in French, and the way to refer someone.
    results.get_by_role("link", name=f"France services {tag}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"France services {tag}")
    expect(page.locator(".place-week")).to_contain_text("9 h – 12 h")
    _accessible_at_both_widths(page, "place page")
    page.get_by_role("link", name="Orienter une personne ici").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche d'orientation")
    _accessible_at_both_widths(page, "referral form")
    page.locator("#id_need").select_option(NEED)
    page.get_by_label("Dans la semaine").check()
    page.get_by_label("Téléphone", exact=True).check()
    page.locator("#id_recipient").select_option(label="Awa Diallo")
    page.get_by_label("Nom ou prénom de la personne").fill("Mme Martin")
    page.get_by_label("Téléphone ou courriel de la personne").fill("06 12 34 56 78")
    # Without the consent box: refused, nothing lost.
    page.get_by_role("button", name="Envoyer la fiche").click()
    expect(page.get_by_text("la personne doit avoir donné son accord")).to_be_visible()
    assert page.input_value("#id_person_name") == "Mme Martin"
    _accessible_at_both_widths(page, "referral form with errors")
    page.get_by_label("La personne est d'accord").check()
    page.get_by_role("button", name="Envoyer la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Orientation vers France services {tag}")
    expect(page.locator(".status-tag").first).to_contain_text("Envoyée")
    referral_url = page.url
    _accessible_at_both_widths(page, "referral sent")

    # The receiver opens it from their list and accepts.
    context = browser.new_context(**browser_context_args)
    other = context.new_page()
    login(other, asgi_server, receiver.email, PASSWORD)
    other.goto(f"{asgi_server.url}/orientation/")
    _accessible_at_both_widths(other, "my referrals")
    other.get_by_role("link", name=re.compile(f"France services {tag}")).click()
    expect(other.get_by_text("Mme Martin")).to_be_visible()
    other.get_by_label("J'accepte : nous contactons la personne").check()
    other.get_by_label("Message au prescripteur").fill("Nous l'appelons lundi.")
    other.get_by_role("button", name="Enregistrer la réponse").click()
    expect(other.locator(".status-tag").first).to_contain_text("Acceptée")
    _accessible_at_both_widths(other, "referral accepted")
    context.close()

    # The prescriber sees the answer.
    page.goto(referral_url)
    expect(page.locator(".status-tag").first).to_contain_text("Acceptée")
    expect(page.get_by_text("Nous l'appelons lundi.")).to_be_visible()
