"""Follow-up actions in Chromium: a group admin adds an action from the group page, the owner
finds it in "Mes actions" and marks it done; axe-core is clean at 375 and 1280 px."""

import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action, ActionStatus
from groups import services
from groups.models import AccessMode, Membership
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, UserFactory


def _check_both_widths(page, context):
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, context=f"{context} at {width} px")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_create_an_action_then_the_owner_marks_it_done(browser, asgi_server):
    tag = uuid.uuid4().hex[:6]
    admin = UserFactory(email=f"admin-{tag}@exemple.fr", profile_data={"display_name": f"Admin {tag}"})
    owner = UserFactory(email=f"owner-{tag}@exemple.fr", profile_data={"display_name": f"Océane {tag}"})
    group = services.group_create(actor=admin, name=f"Groupe suivi {tag}", access=AccessMode.OPEN)
    Membership.objects.create(group=group, user=owner)

    ctx_a, ctx_o = browser.new_context(locale="fr-FR"), browser.new_context(locale="fr-FR")
    page, page_o = ctx_a.new_page(), ctx_o.new_page()
    login(page, asgi_server, admin.email, PASSWORD)
    page.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    page.get_by_role("link", name="Ajouter une action").click()
    _check_both_widths(page, "action form")
    page.get_by_label("Action à mener").fill(f"Envoyer le compte rendu {tag}")
    page.get_by_label(f"Océane {tag}").check()
    page.get_by_label("Échéance").fill((timezone.localdate() + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Créer l'action").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Envoyer le compte rendu {tag}")
    _check_both_widths(page, "action page")

    login(page_o, asgi_server, owner.email, PASSWORD)
    page_o.goto(f"{asgi_server.url}/actions/")
    expect(page_o.get_by_role("link", name=f"Envoyer le compte rendu {tag}")).to_be_visible()
    _check_both_widths(page_o, "my actions")
    page_o.get_by_role("button", name=f"Fait : Envoyer le compte rendu {tag}").click()
    expect(page_o.get_by_text("Statut : Fait.")).to_be_visible()
    assert Action.objects.get(description=f"Envoyer le compte rendu {tag}").status == ActionStatus.DONE
    page_o.goto(f"{asgi_server.url}/actions/tableau/group:{group.pk}/?statut=all")
    expect(page_o.locator(".action-item.is-closed")).to_have_count(1)
    _check_both_widths(page_o, "group board")
    ctx_a.close()
    ctx_o.close()
