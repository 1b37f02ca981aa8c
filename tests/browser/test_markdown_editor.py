"""The Markdown editor in Chromium: the toolbar formats the selection, the preview shows what the
server will render (sanitised), and the text is kept when going back to writing."""

import uuid

from django.urls import reverse
from playwright.sync_api import expect

from groups.models import AccessMode, Group, Membership
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, UserFactory


def test_toolbar_and_preview_on_a_new_topic(browser, asgi_server):
    tag = uuid.uuid4().hex[:6]
    alice = UserFactory(email=f"alice-md-{tag}@exemple.fr")
    group = Group.objects.create(name=f"Éditeur {tag}", slug=f"editeur-{tag}", access=AccessMode.OPEN)
    Membership.objects.create(group=group, user=alice)
    page = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800}).new_page()
    login(page, asgi_server, alice.email, PASSWORD)
    page.goto(f"{asgi_server.url}{reverse('groups:topic_create', args=[group.slug])}")

    body = page.get_by_label("Message")
    body.fill("Atelier demain")
    body.evaluate("area => area.setSelectionRange(0, 7)")  # select "Atelier"
    page.get_by_role("button", name="Gras").click()
    expect(body).to_have_value("**Atelier** demain")
    body.press("End")
    body.type(" <script>alert(1)</script>")

    page.get_by_role("button", name="Aperçu").click()
    preview = page.locator(".markdown-preview")
    expect(preview.locator("strong")).to_have_text("Atelier")
    expect(preview.locator("script")).to_have_count(0)
    assert_accessible(page, context="markdown preview")
    page.get_by_role("button", name="Aperçu").click()  # back to writing: the text is intact
    expect(body).to_be_visible()
    expect(body).to_have_value("**Atelier** demain <script>alert(1)</script>")
