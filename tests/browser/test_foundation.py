"""Foundation flow in Chromium: sign up, verify, complete the profile, find oneself, live notification."""

import re
import uuid

from django.core import mail
from playwright.sync_api import expect

from community.models import HubSettings, SignupPolicy, User
from community.notifications import notification_send
from tests.browser.conftest import assert_accessible


def _open_signups():
    settings_row = HubSettings.load()
    settings_row.signup_policy = SignupPolicy.OPEN
    settings_row.save()


def test_signup_verify_profile_directory_and_live_notification(page, asgi_server):
    _open_signups()
    email = f"nouvelle-{uuid.uuid4().hex[:8]}@exemple.fr"
    password = "un-mot-de-passe-solide-42"

    page.goto(f"{asgi_server.url}/")
    assert_accessible(page, context="home")
    page.get_by_role("link", name="Rejoindre le réseau").first.click()
    page.get_by_label("Courriel").fill(email)
    page.get_by_label(re.compile(r"^Mot de passe\s*:?$")).fill(password)
    page.get_by_label("Mot de passe (confirmation)").fill(password)
    page.get_by_role("button", name="Création de compte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Vérifiez|adresse", re.I))

    verification = [m for m in mail.outbox if email in m.to]
    assert verification, "no verification e-mail was sent"
    link = re.search(r"http://\S+/compte/confirm-email/\S+/", verification[-1].body).group(0)
    page.goto(link.replace("http://127.0.0.1:8000", asgi_server.url).replace("http://testserver", asgi_server.url))
    page.get_by_role("button", name=re.compile("Confirmer", re.I)).click()

    # Logged in on e-mail confirmation, sent to complete an empty profile.
    expect(page).to_have_url(re.compile("/mon-profil/"))
    assert_accessible(page, context="profile edit")
    name = f"Élise Testeuse {uuid.uuid4().hex[:4]}"
    page.get_by_label("Nom affiché").fill(name)
    page.get_by_label(re.compile(r"^Métier\s*:?$")).select_option("mediateur")
    page.get_by_label(re.compile(r"^Aidants Connect\s*:?$")).select_option("confirmed")
    page.get_by_label("Autres compétences (hors référentiel)").fill("Pix")
    page.get_by_label(re.compile(r"^Commune\s*:?$")).select_option(label="Dijon (21000)")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main")).to_contain_text("Aidants Connect")
    expect(page.locator("main")).to_contain_text("Pix")
    assert_accessible(page, context="profile")

    page.get_by_role("link", name="Membres").click()
    page.get_by_label("Nom, compétence ou organisation").fill(name)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("status")).to_contain_text("1 membre trouvé")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page, context="directory")

    page.get_by_role("link", name="Mon réseau").click()
    assert_accessible(page, context="dashboard")
    badge = page.locator("[data-notification-counter] [data-count]")
    expect(badge).to_be_hidden()
    page.wait_for_function("() => document.querySelector('[data-notification-counter]').dataset.count !== undefined")

    user = User.objects.get(email=email)
    asgi_server.call(notification_send, recipient=user, kind="system", verb="Bienvenue dans le réseau !")
    expect(badge).to_have_text("1")
    expect(badge).to_be_visible()

    # The notification centre lists it; marking it read brings the counter back to zero.
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.locator("#notification-list")).to_contain_text("Bienvenue dans le réseau !")
    assert_accessible(page, context="notification centre")
    page.get_by_role("button", name="Tout marquer comme lu").click()
    expect(badge).to_be_hidden()


def test_layout_works_at_320px(page, asgi_server):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{asgi_server.url}/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"horizontal scroll at 320 px ({width}px)"
    # A visitor's header holds one row: menu, brand, the log-in icon (still named) and "Rejoindre"
    assert page.locator(".site-header").bounding_box()["height"] < 64
    expect(page.locator(".site-header").get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
