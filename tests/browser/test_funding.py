"""Funding watch in Chromium: staff collects a local feed and publishes from the review queue; a
member saves a search, confirms e-mail alerts, receives a digest with exactly the new calls and
unsubscribes in one click without logging in."""

import functools
import http.server
import re
import socket
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from funding import services
from funding.models import FundingCall
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, StaffFactory, UserFactory

FIXTURES = Path(__file__).resolve().parents[1] / "funding" / "fixtures"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(FIXTURES), **kwargs)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def feed_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Handler))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/region.xml"
    server.shutdown()


def _local(url, asgi_server):
    return re.sub(r"^https?://[^/]+", asgi_server.url, url)


def _digest_titles(message):
    return {line[2:].split(" (")[0] for line in message.body.splitlines() if line.startswith("- ")}


def test_staff_collects_feed_and_member_gets_exact_digest(browser, asgi_server, feed_url, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the fixture feed is local: refused otherwise
    tag = uuid.uuid4().hex[:6]
    staff = StaffFactory(email=f"equipe-{tag}@exemple.fr", username=f"equipe-{tag}")
    member = UserFactory(email=f"veille-{tag}@exemple.fr", username=f"veille-{tag}")

    # --- Staff: add the feed, collect it, publish from the review queue ----------------------
    staff_page = browser.new_page()
    login(staff_page, asgi_server, staff.email, PASSWORD)
    staff_page.goto(f"{asgi_server.url}/financements/sources/nouvelle/")
    staff_page.get_by_label("Nom").fill(f"Région {tag}")
    staff_page.get_by_label("Format").select_option("feed")
    staff_page.get_by_label("Adresse du flux").fill(feed_url)
    staff_page.get_by_label("Financeur par défaut").fill("Région Exemple")
    staff_page.get_by_role("button", name="Enregistrer").click()
    assert_accessible(staff_page, context="sources")
    staff_page.get_by_role("button", name=f"Collecter maintenant « Région {tag} »").click()
    expect(staff_page.locator(".messages")).to_contain_text("2 nouvel(s) appel(s)")
    expect(staff_page.get_by_role("row", name=re.compile(f"Région {tag}"))).to_contain_text("2 nouveaux")
    staff_page.get_by_role("link", name="Appels à relire").click()
    assert_accessible(staff_page, context="review queue")
    title = "Appel à projets Inclusion numérique des seniors 2027"
    staff_page.get_by_role("button", name=f"Publier « {title} »").click()
    expect(staff_page.locator(".messages")).to_contain_text("publié")
    assert FundingCall.objects.get(title=title).state == "published"

    # --- Member: search, save the search with daily e-mails, confirm -------------------------
    page = browser.new_page()
    login(page, asgi_server, member.email, PASSWORD)
    page.goto(f"{asgi_server.url}/financements/")
    page.get_by_label("Mots-clés").fill("seniors")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("status")).to_contain_text("1 appel trouvé")
    assert_accessible(page, context="call list")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".deadline time")).to_have_attribute("datetime", "2027-02-15")
    expect(page.locator(".deadline")).to_contain_text("plus que")
    assert_accessible(page, context="call detail")
    page.get_by_role("button", name="Ça m'intéresse").click()
    expect(page.get_by_role("button", name="Ça m'intéresse")).to_have_attribute("aria-pressed", "true")
    page.go_back()
    page.go_back()
    page.goto(f"{asgi_server.url}/financements/?q=seniors")
    page.get_by_label("Nom de l'alerte").fill(f"Seniors {tag}")
    page.get_by_label("Recevoir les nouveaux appels").select_option("daily")
    mail.outbox.clear()
    page.get_by_role("button", name="Créer l'alerte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Seniors {tag}")
    expect(page.locator("main")).to_contain_text("en attente de confirmation")
    assert_accessible(page, context="watch detail")
    confirmation = [m for m in mail.outbox if member.email in m.to and "Confirmez" in m.subject]
    assert confirmation, "no confirmation e-mail"
    link = re.search(r"https?://\S+/financements/alertes/confirmer/\S+/", confirmation[-1].body).group(0)
    page.goto(_local(link, asgi_server))
    page.get_by_role("button", name="Confirmer mon alerte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerte confirmée")

    # --- New calls are published; the digest lists exactly the matching new ones ---------------
    services.call_create(data={"title": f"Seniors connectés {tag}", "funders": "Fondation A", "kind": "subvention"}, publish=True)
    services.call_create(data={"title": f"Ateliers seniors ruraux {tag}", "funders": "Fondation B", "kind": "prix"}, publish=True)
    services.call_create(data={"title": f"Équipement des écoles {tag}", "funders": "Fondation C", "kind": "subvention"}, publish=True)
    mail.outbox.clear()
    services.alerts_run(frequencies=["daily"], now=timezone.now() + timedelta(minutes=5))
    digests = [m for m in mail.outbox if member.email in m.to]
    assert len(digests) == 1
    assert _digest_titles(digests[0]) == {f"Seniors connectés {tag}", f"Ateliers seniors ruraux {tag}"}
    mail.outbox.clear()
    services.alerts_run(frequencies=["daily"], now=timezone.now() + timedelta(minutes=10))
    assert not [m for m in mail.outbox if member.email in m.to], "a call was sent twice"

    # --- One-click unsubscribe, logged out ----------------------------------------------------
    unsubscribe = digests[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in digests[0].body
    anonymous = browser.new_context().new_page()
    anonymous.goto(_local(unsubscribe, asgi_server))
    anonymous.get_by_role("button", name="Me désabonner").click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Désabonnement confirmé")
    assert_accessible(anonymous, context="unsubscribed")
    page.goto(f"{asgi_server.url}/financements/alertes/")
    expect(page.get_by_role("row", name=re.compile(f"Seniors {tag}"))).to_contain_text("désabonné")
    page.goto(f"{asgi_server.url}/tableau-de-bord/")
    expect(page.locator("#panel-funding-watches")).to_be_visible()
    assert_accessible(page, context="dashboard with funding panels")
