"""The installable app in Chromium: the manifest is linked and valid, the service worker registers
for the whole site and keeps the offline page (without the member's session) and the static files
in its cache, and the notification settings (grid with the push column, "Appareils") pass axe-core
at 1280 and 375 px."""

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, UserFactory

PUBLIC_KEY = "BB5gQVvr-8Qy3rc0arljgqTHH7W_Sm568RakKr9qEdE8lemuGLI4ap9VWFr6SxeD3SMnPz1LZej3qTDC1avWkDQ"
PRIVATE_KEY = "aOi-PlwxuW8FzHQEM51c2D_q_7r00gavwb25CLI7a_g"


def test_manifest_service_worker_offline_and_devices(browser, asgi_server, settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = PUBLIC_KEY, PRIVATE_KEY
    tag = uuid.uuid4().hex[:6]
    member = UserFactory(email=f"pwa-{tag}@exemple.fr", profile_data={"display_name": f"Paule {tag}"})
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, asgi_server, member.email, PASSWORD)

    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.evaluate("async (href) => (await fetch(href)).json()", href)
    assert manifest["short_name"] == "Maillage" and manifest["start_url"].startswith("/tableau-de-bord/")
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{asgi_server.url}/"

    page.goto(f"{asgi_server.url}/mes-notifications/preferences/")
    expect(page.get_by_role("columnheader", name="Push (appareils)")).to_be_visible()
    expect(page.get_by_role("heading", name="Appareils")).to_be_visible()
    expect(page.get_by_role("button", name="Recevoir les notifications sur cet appareil")).to_be_visible()
    assert_accessible(page, context="notification settings 1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page, context="notification settings 375")

    # the offline page and the core static files are in the service worker's cache, the page
    # without the member's session (fetched without cookies)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    cached = page.evaluate(
        """async () => {
          const hit = await caches.match("/hors-ligne/");
          return hit ? await hit.text() : "";
        }"""
    )
    assert "Vous êtes hors ligne" in cached and "account-name" not in cached
    assert page.evaluate("async () => Boolean(await caches.match(document.querySelector('link[rel=stylesheet]').href))")
    context.close()
