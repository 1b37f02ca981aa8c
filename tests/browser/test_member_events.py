"""Members' events in Chromium: a group admin creates an event from the group page; a member
proposes one to the hub agenda, the staff ask for changes, the member resubmits, the staff publish."""

import re
import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, EventState
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.groups.factories import make_group


def _fill_event(page, title, start):
    page.get_by_label("Titre").fill(title)
    page.get_by_label(re.compile(r"^Début")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(re.compile(r"^Fin")).fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))


def test_group_admin_and_member_events_through_the_approval_queue(browser, asgi_server):
    staff, admin, member = StaffFactory(), UserFactory(), UserFactory()
    group = make_group(owner=admin, members=[member], name=f"Groupe aidants {uuid.uuid4().hex[:4]}")
    start = (timezone.localtime() + timedelta(days=6)).replace(hour=10, minute=0, second=0, microsecond=0)

    admin_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(admin_page, asgi_server, admin.email, PASSWORD)
    admin_page.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    admin_page.get_by_role("link", name="Créer un événement du groupe").click()
    expect(admin_page.get_by_role("heading", level=1)).to_contain_text(group.name)
    assert_accessible(admin_page, context="group event form")
    group_title = f"Réunion mensuelle {uuid.uuid4().hex[:4]}"
    _fill_event(admin_page, group_title, start)
    admin_page.get_by_label(re.compile(r"^État")).select_option("published")
    admin_page.get_by_role("button", name="Enregistrer").click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Formulaire d'inscription")
    assert Event.objects.get(title=group_title).state == EventState.PUBLISHED

    member_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(member_page, asgi_server, member.email, PASSWORD)
    member_page.goto(f"{asgi_server.url}/agenda/")
    member_page.get_by_role("link", name="Proposer un événement").click()
    title = f"Café numérique {uuid.uuid4().hex[:4]}"
    _fill_event(member_page, title, start + timedelta(days=1))
    member_page.get_by_label(re.compile(r"^État")).select_option("published")
    member_page.get_by_role("button", name="Enregistrer").click()
    expect(member_page.get_by_role("status").first).to_contain_text("transmis à l'équipe du hub")
    event = Event.objects.get(title=title)
    assert event.state == EventState.PENDING

    staff_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(staff_page, asgi_server, staff.email, PASSWORD)
    staff_page.goto(f"{asgi_server.url}/agenda/validation/")
    item = staff_page.get_by_role("article").filter(has_text=title)
    assert_accessible(staff_page, context="review queue")
    item.get_by_label("Demander des modifications").check()
    item.get_by_role("button", name="Enregistrer la décision").click()
    expect(staff_page.get_by_text("Expliquez à la personne")).to_be_visible()
    item = staff_page.get_by_role("article").filter(has_text=title)
    item.get_by_label("Demander des modifications").check()
    item.get_by_label("Message à la personne").fill("Indiquez l'adresse, s'il vous plaît.")
    item.get_by_role("button", name="Enregistrer la décision").click()
    expect(staff_page.get_by_text("la personne est prévenue")).to_be_visible()

    member_page.goto(f"{asgi_server.url}{event.get_absolute_url()}")
    expect(member_page.get_by_text("Indiquez l'adresse, s'il vous plaît.")).to_be_visible()
    member_page.get_by_role("link", name="Modifier").click()
    member_page.get_by_label(re.compile(r"^Adresse")).fill("3 place de la Mairie")
    member_page.get_by_role("button", name="Enregistrer").click()
    expect(member_page.get_by_text("En attente de validation")).to_be_visible()

    staff_page.goto(f"{asgi_server.url}/agenda/validation/")
    item = staff_page.get_by_role("article").filter(has_text=title)
    item.get_by_label("Publier").check()
    item.get_by_role("button", name="Enregistrer la décision").click()
    expect(staff_page.get_by_text("Aucun événement n'attend de décision.")).to_be_visible()
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED and event.address == "3 place de la Mairie"
