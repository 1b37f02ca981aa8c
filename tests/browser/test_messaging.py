"""Private messages in Chromium: a member writes to a colleague from the directory, the colleague's
header badge lights up live, they answer and the first sees it without reload (typing shown too),
then the first blocks them and the blocked one gets a clear French error. axe-core finds no
serious violation on the inbox, the new-conversation page and the conversation, at 375 and 1280 px."""

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, UserFactory

WIDTHS = (375, 1280)


def _check_widths(page, context):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, context=f"{context} at {width} px")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_conversation_from_the_directory_live_then_block(browser, asgi_server):
    tag = uuid.uuid4().hex[:6]
    alice = UserFactory(email=f"alice-pm-{tag}@exemple.fr", profile_data={"display_name": f"Alice {tag}"})
    bruno = UserFactory(email=f"bruno-pm-{tag}@exemple.fr", profile_data={"display_name": f"Bruno {tag}"})
    ctx_a, ctx_b = browser.new_context(locale="fr-FR"), browser.new_context(locale="fr-FR")
    page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
    login(page_a, asgi_server, alice.email, PASSWORD)
    login(page_b, asgi_server, bruno.email, PASSWORD)

    # Bruno is on his (empty) inbox; its header badge listens.
    page_b.goto(f"{asgi_server.url}/messages/")
    _check_widths(page_b, "empty inbox")
    badge_b = page_b.locator("[data-message-counter] [data-count]")
    expect(badge_b).to_be_hidden()

    # Alice finds Bruno in the directory and writes to him.
    page_a.goto(f"{asgi_server.url}/membres/?q=Bruno+{tag}")
    page_a.get_by_role("link", name=f"Écrire à Bruno {tag}").click()
    expect(page_a.get_by_label(f"Bruno {tag}")).to_be_checked()
    _check_widths(page_a, "new conversation")
    page_a.get_by_label("Votre message").fill("Bonjour Bruno, tu as **5 minutes** pour parler de l'atelier ?")
    page_a.get_by_role("button", name="Envoyer").click()
    expect(page_a.get_by_role("heading", level=1)).to_have_text(f"Bruno {tag}")
    expect(page_a.locator(".msg strong")).to_have_text("5 minutes")
    expect(page_a.locator("[data-conversation][data-synced='1']")).to_have_count(1, timeout=15000)

    # Without reload, Bruno's badge shows one unread conversation; he opens it from the inbox.
    expect(badge_b).to_have_text("1", timeout=10000)
    page_b.locator("[data-message-counter]").click()
    expect(page_b.locator(".pm-row.is-unread")).to_have_count(1)
    _check_widths(page_b, "inbox")
    page_b.get_by_role("link", name=f"Alice {tag}").first.click()
    expect(page_b.get_by_text("pour parler de l'atelier")).to_be_visible()
    expect(page_b.locator("[data-conversation][data-synced='1']")).to_have_count(1, timeout=15000)
    expect(badge_b).to_be_hidden(timeout=10000)
    _check_widths(page_b, "conversation")

    # Bruno types, Alice sees it; he answers, she sees the answer live.
    page_b.get_by_label("Votre message").fill("Oui, ")
    expect(page_a.locator("[data-typing]")).to_contain_text(f"Bruno {tag} est en train d'écrire", timeout=10000)
    page_b.get_by_label("Votre message").fill("Oui, à 14 h ?")
    page_b.get_by_role("button", name="Envoyer").click()
    expect(page_b.locator(".msg")).to_have_count(2)
    expect(page_a.get_by_text("Oui, à 14 h ?")).to_be_visible(timeout=10000)
    expect(page_a.locator(".msg")).to_have_count(2)

    # Alice blocks Bruno: his next message is refused with a clear French error, nothing is sent.
    page_a.get_by_text("Options").click()
    page_a.get_by_role("button", name=f"Bloquer Bruno {tag}").click()
    expect(page_a.get_by_text(f"Bruno {tag} ne peut plus vous écrire.")).to_be_visible()
    page_b.get_by_label("Votre message").fill("Tu es là ?")
    page_b.get_by_role("button", name="Envoyer").click()
    expect(page_b.get_by_role("alert")).to_contain_text("a choisi de ne plus recevoir vos messages")
    expect(page_b.locator(".msg")).to_have_count(2)
    ctx_a.close()
    ctx_b.close()
