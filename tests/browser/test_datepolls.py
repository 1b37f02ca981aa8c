"""Date polls in Chromium: a group admin proposes three slots from the group page, three
members answer (the tally updates live on the admin's page), the admin turns the winning slot
into an event in one step; axe-core is clean at 375 and 1280 px on every page."""

import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from events.models import DatePoll, Event
from groups import services
from groups.models import AccessMode, Membership
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, UserFactory


def _check_both_widths(page, context):
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, context=f"{context} at {width} px")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_group_admin_polls_three_members_and_makes_the_event(browser, asgi_server):
    tag = uuid.uuid4().hex[:6]
    admin = UserFactory(email=f"admin-{tag}@exemple.fr", profile_data={"display_name": f"Admin {tag}"})
    members = [UserFactory(email=f"m{i}-{tag}@exemple.fr", profile_data={"display_name": f"Membre{i} {tag}"}) for i in range(3)]
    group = services.group_create(actor=admin, name=f"Groupe dates {tag}", access=AccessMode.OPEN)
    for m in members:
        Membership.objects.create(group=group, user=m)

    ctx = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = ctx.new_page()
    login(page, asgi_server, admin.email, PASSWORD)
    page.goto(f"{asgi_server.url}{group.get_absolute_url()}")
    page.get_by_role("link", name="Proposer des dates au groupe").click()
    _check_both_widths(page, "date poll form")
    page.get_by_label("Objet de la réunion").fill(f"Réunion mensuelle {tag}")
    base = timezone.localdate() + timedelta(days=10)
    for i, hour in enumerate(("10:00", "14:00", "09:30")):
        page.locator(f"#id_form-{i}-day").fill((base + timedelta(days=i)).isoformat())
        page.locator(f"#id_form-{i}-start").fill(hour)
    page.get_by_role("button", name="Créer le sondage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Réunion mensuelle {tag}")
    poll = DatePoll.objects.get(title=f"Réunion mensuelle {tag}")
    slots = list(poll.slots.all())
    assert len(slots) == 3
    _check_both_widths(page, "date poll page (organiser)")

    # three members answer; the second slot wins
    answers = [("yes", "yes", "no"), ("no", "yes", "maybe"), ("maybe", "yes", "no")]
    labels = {"yes": "Oui", "maybe": "Si nécessaire", "no": "Non"}
    for member, choice in zip(members, answers, strict=True):
        mctx = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
        mpage = mctx.new_page()
        login(mpage, asgi_server, member.email, PASSWORD)
        mpage.goto(f"{asgi_server.url}{poll.get_absolute_url()}")
        for fieldset, value in zip(mpage.locator("fieldset.slot-choice").all(), choice, strict=True):
            fieldset.get_by_text(labels[value], exact=True).click()
        mpage.get_by_role("button", name="Envoyer ma réponse").click()
        expect(mpage.get_by_text("Réponse enregistrée")).to_be_visible()
        if member is members[0]:
            _check_both_widths(mpage, "date poll page (member)")
        mctx.close()

    # the organiser's page shows the tally live, then turns the best slot into the event
    expect(page.locator("#datepoll-tally .is-best")).to_have_count(1, timeout=10000)
    expect(page.locator("#datepoll-tally .is-best")).to_contain_text("3 oui")
    page.reload()
    page.locator(".datepoll-manage").get_by_label(slots[1].label, exact=False).check()
    page.get_by_role("button", name="Créer l'événement").click()
    event = Event.objects.get(title=f"Réunion mensuelle {tag}")
    assert event.start == slots[1].start and event.audience_group_id == group.pk
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Réunion mensuelle {tag}")
    ctx.close()
