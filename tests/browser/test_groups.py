"""Groups in Chromium: a topic started in the browser appears live for another member, replies
arrive without reload, a mention lights the header counter live, a secret group is 404 to an
outsider, and axe-core finds no serious violation on the group and topic pages."""

import re
import uuid

from playwright.sync_api import expect

from groups import services
from groups.models import AccessMode, Membership
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, UserFactory


def _people():
    tag = uuid.uuid4().hex[:6]
    alice = UserFactory(email=f"alice-{tag}@exemple.fr", profile_data={"display_name": f"Alice {tag}"})
    bruno = UserFactory(email=f"bruno-{tag}@exemple.fr", profile_data={"display_name": f"Bruno {tag}"})
    return tag, alice, bruno


def test_topic_and_replies_live_between_two_members(browser, asgi_server):
    tag, alice, bruno = _people()
    group = services.group_create(actor=alice, name=f"Groupe de travail {tag}", kind="working", access=AccessMode.OPEN)
    Membership.objects.create(group=group, user=bruno)

    ctx_a, ctx_b = browser.new_context(locale="fr-FR"), browser.new_context(locale="fr-FR")
    page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
    login(page_a, asgi_server, alice.email, PASSWORD)
    login(page_b, asgi_server, bruno.email, PASSWORD)

    # Bruno watches the group page; Alice starts a topic from the browser.
    page_b.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    assert_accessible(page_b, context="group page")
    page_b.wait_for_timeout(500)
    page_a.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    page_a.get_by_role("link", name="Nouveau sujet").click()
    page_a.get_by_label("Titre du sujet").fill(f"Atelier smartphone {tag}")
    page_a.get_by_label("Message").fill("Qui anime un **atelier** cette semaine ?")
    page_a.get_by_role("button", name="Publier le sujet").click()
    expect(page_a.get_by_role("heading", level=1)).to_have_text(f"Atelier smartphone {tag}")
    assert_accessible(page_a, context="topic page")

    # Without reload, the new topic shows up on Bruno's group page; he opens it.
    new_topic = page_b.locator(".topic-title", has_text=f"Atelier smartphone {tag}")  # the topic list, not the activity panel
    expect(new_topic).to_be_visible(timeout=10000)
    new_topic.click()
    expect(page_b.locator(".post")).to_have_count(1)
    expect(page_b.locator("[data-topic][data-synced='1']")).to_have_count(1, timeout=15000)

    # Alice replies; Bruno sees the reply appear without reloading.
    page_a.get_by_label("Votre réponse").fill("Moi, jeudi à la médiathèque.")
    page_a.get_by_role("button", name="Publier la réponse").click()
    expect(page_b.locator(".post")).to_have_count(2, timeout=10000)
    expect(page_b.get_by_text("Moi, jeudi à la médiathèque.")).to_be_visible()

    # Bruno types: Alice sees the typing indicator; he replies, she sees it live.
    expect(page_a.locator("[data-topic][data-synced='1']")).to_have_count(1, timeout=15000)
    page_b.get_by_label("Votre réponse").fill("Je viens avec deux bénévoles.")
    expect(page_a.locator("[data-typing]")).to_contain_text(f"Bruno {tag} est en train d'écrire", timeout=10000)
    page_b.get_by_role("button", name="Publier la réponse").click()
    expect(page_a.get_by_text("Je viens avec deux bénévoles.")).to_be_visible(timeout=10000)
    ctx_a.close()
    ctx_b.close()


def test_mention_notification_arrives_live(browser, asgi_server):
    tag, alice, bruno = _people()
    group = services.group_create(actor=alice, name=f"Groupe mentions {tag}", access=AccessMode.OPEN)
    Membership.objects.create(group=group, user=bruno)
    topic = services.topic_create(group=group, actor=alice, title=f"Question {tag}", body="Bonjour")

    ctx_a, ctx_b = browser.new_context(locale="fr-FR"), browser.new_context(locale="fr-FR")
    page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
    login(page_a, asgi_server, alice.email, PASSWORD)
    login(page_b, asgi_server, bruno.email, PASSWORD)
    page_b.goto(f"{asgi_server.url}/groupes/")
    badge = page_b.locator("[data-notification-counter] [data-count]")
    expect(badge).to_be_hidden()
    page_b.wait_for_timeout(500)

    page_a.goto(f"{asgi_server.url}{topic.get_absolute_url()}")
    page_a.get_by_label("Votre réponse").fill(f"@Bruno {tag} tu peux regarder ?")
    page_a.get_by_role("button", name="Publier la réponse").click()
    expect(badge).to_have_text("1", timeout=10000)
    page_b.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page_b.get_by_role("link", name=re.compile(f"Alice {tag} vous a mentionné"))).to_be_visible()
    ctx_a.close()
    ctx_b.close()


def test_secret_group_is_404_to_another_account(browser, asgi_server):
    tag, alice, bruno = _people()
    group = services.group_create(actor=alice, name=f"Cercle secret {tag}", access=AccessMode.SECRET)
    topic = services.topic_create(group=group, actor=alice, title=f"Confidentiel {tag}", body="chut")

    ctx_a, ctx_b = browser.new_context(locale="fr-FR"), browser.new_context(locale="fr-FR")
    page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
    login(page_a, asgi_server, alice.email, PASSWORD)
    response = page_a.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    assert response.status == 200
    assert_accessible(page_a, context="secret group page (owner)")

    login(page_b, asgi_server, bruno.email, PASSWORD)
    for url in (group.get_absolute_url(), topic.get_absolute_url()):
        response = page_b.goto(f"{asgi_server.url}{url}")
        assert response.status == 404
        expect(page_b.get_by_text(f"Cercle secret {tag}")).to_have_count(0)
    page_b.goto(f"{asgi_server.url}/groupes/")
    expect(page_b.get_by_text(f"Cercle secret {tag}")).to_have_count(0)
    ctx_a.close()
    ctx_b.close()
