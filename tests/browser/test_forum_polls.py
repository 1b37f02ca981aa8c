"""Forum polls in Chromium: a member creates a topic with a poll, another votes (htmx, live
results for pages allowed to see them), the author closes it and the result is recorded."""

from playwright.sync_api import expect

from groups import services
from groups.models import AccessMode, Membership
from tests.browser.conftest import assert_accessible, login
from tests.browser.test_groups import _people
from tests.factories import PASSWORD


def test_a_member_creates_a_poll_another_votes_and_both_see_the_results(browser, asgi_server):
    tag, alice, bruno = _people()
    group = services.group_create(actor=alice, name=f"Groupe sondage {tag}", access=AccessMode.OPEN)
    Membership.objects.create(group=group, user=bruno)

    ctx_a, ctx_b = browser.new_context(locale="fr-FR"), browser.new_context(locale="fr-FR")
    page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
    login(page_a, asgi_server, alice.email, PASSWORD)
    login(page_b, asgi_server, bruno.email, PASSWORD)

    # Alice starts a topic with a poll (the poll fields fold away under "Ajouter un sondage").
    page_a.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    page_a.get_by_role("link", name="Nouveau sujet").click()
    page_a.get_by_label("Titre du sujet").fill(f"Date de l'atelier {tag}")
    page_a.get_by_label("Message").fill("Votez pour le jour qui vous convient.")
    page_a.get_by_text("Ajouter un sondage").click()
    page_a.get_by_label("Question du sondage").fill("Quel jour ?")
    page_a.get_by_label("Réponses possibles").fill("Mardi\nJeudi")
    assert_accessible(page_a, context="topic form with poll")
    page_a.get_by_role("button", name="Publier le sujet").click()
    expect(page_a.get_by_role("heading", level=1)).to_have_text(f"Date de l'atelier {tag}")
    poll = page_a.locator("#sondage")
    expect(poll).to_contain_text("Quel jour ?")
    expect(page_a.locator("[data-topic][data-synced='1']")).to_have_count(1, timeout=15000)

    # Bruno votes (htmx swaps the poll in place) and sees the results; Alice has not voted yet.
    page_b.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    page_b.locator(".topic-title", has_text=f"Date de l'atelier {tag}").click()
    assert_accessible(page_b, context="topic page with a poll")
    page_b.get_by_label("Jeudi").check()
    page_b.get_by_role("button", name="Voter").click()
    expect(page_b.locator("#sondage")).to_contain_text("1 voix · 100 %", timeout=10000)
    expect(page_b.get_by_role("button", name="Changer mon vote")).to_be_visible()
    assert_accessible(page_b, context="poll results")
    expect(page_a.locator("[data-poll-results]")).to_contain_text("1 votant·e", timeout=10000)  # live, counts hidden

    # Alice votes too, then closes the poll: the recorded result shows.
    page_a.get_by_label("Mardi").check()
    page_a.get_by_role("button", name="Voter").click()
    expect(page_a.locator("#sondage")).to_contain_text("2 votant·es", timeout=10000)
    page_a.get_by_role("button", name="Clore le sondage").click()
    expect(page_a.locator("#sondage")).to_contain_text("Résultat :")
    expect(page_b.locator("[data-poll-results]")).to_contain_text("Résultat :", timeout=10000)
    ctx_a.close()
    ctx_b.close()
