"""Agenda flows in Chromium: a capped workshop with a custom form and a waiting list, then a
collective-intelligence session from proposal to live sub-group choice."""

import re
import uuid
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from events import services
from events.models import Event, Registration
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, StaffFactory, UserFactory


def _attachment_names(message):
    return [a[0] if isinstance(a, tuple) else a.filename for a in message.attachments]


def test_capped_workshop_with_form_waitlist_and_promotion(browser, asgi_server):
    staff, alice, bob = StaffFactory(), UserFactory(), UserFactory()
    title = f"Atelier Pix {uuid.uuid4().hex[:6]}"
    start = (timezone.localtime() + timedelta(days=5)).replace(hour=14, minute=0, second=0, microsecond=0)

    staff_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(staff_page, asgi_server, staff.email, PASSWORD)
    staff_page.goto(f"{asgi_server.url}/agenda/")
    staff_page.get_by_role("link", name="Créer un événement").click()
    staff_page.get_by_label("Titre").fill(title)
    staff_page.get_by_label(re.compile(r"^Type\s*:?$")).select_option("atelier")
    staff_page.get_by_label(re.compile(r"^Début")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    staff_page.get_by_label(re.compile(r"^Fin")).fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    staff_page.get_by_label(re.compile(r"^Public\s*:?$")).select_option("members")
    staff_page.get_by_label(re.compile(r"^État")).select_option("published")
    staff_page.get_by_label(re.compile(r"^Nombre de places")).fill("1")
    staff_page.get_by_role("button", name="Enregistrer").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Formulaire d'inscription")
    staff_page.get_by_label("Intitulé").fill("Votre structure")
    staff_page.get_by_label("Obligatoire").check()
    staff_page.get_by_role("button", name="Ajouter la question").click()
    expect(staff_page.get_by_role("heading", name="Questions posées")).to_be_visible()
    expect(staff_page.locator(".question-list")).to_contain_text("Votre structure")
    assert_accessible(staff_page, context="form builder")
    event = Event.objects.get(title=title)

    alice_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(alice_page, asgi_server, alice.email, PASSWORD)
    alice_page.goto(f"{asgi_server.url}/agenda/")
    alice_page.get_by_role("link", name=title).click()
    expect(alice_page.get_by_role("heading", level=1)).to_have_text(title)
    assert_accessible(alice_page, context="event page")
    alice_page.get_by_label(re.compile("Votre structure")).fill("Médiathèque de Dole")
    alice_page.get_by_role("button", name="Je m'inscris").click()
    expect(alice_page.get_by_role("status").first).to_contain_text("inscription est confirmée")
    sent = [m for m in mail.outbox if alice.email in m.to]
    assert sent and "evenement.ics" in _attachment_names(sent[-1])

    bob_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(bob_page, asgi_server, bob.email, PASSWORD)
    bob_page.goto(f"{asgi_server.url}{event.get_absolute_url()}")
    expect(bob_page.get_by_text("Complet : inscription sur liste d'attente")).to_be_visible()
    bob_page.get_by_label(re.compile("Votre structure")).fill("CCAS de Nevers")
    bob_page.get_by_role("button", name="M'inscrire sur la liste d'attente").click()
    expect(bob_page.get_by_text("Vous êtes sur la liste d'attente.", exact=True)).to_be_visible()

    alice_page.get_by_role("link", name="Annuler mon inscription").click()
    expect(alice_page.get_by_text("Votre place sera libérée")).to_be_visible()  # asked first
    assert_accessible(alice_page, context="unregister-confirm")
    alice_page.get_by_role("button", name="Oui, annuler mon inscription").click()
    expect(alice_page.get_by_text("Votre inscription est annulée.")).to_be_visible()
    assert Registration.objects.get(event=event, user=bob).status == "confirmed"
    bob_page.reload()
    expect(bob_page.get_by_text("Vous êtes inscrit·e.", exact=True)).to_be_visible()
    promoted = [m for m in mail.outbox if bob.email in m.to and "place s'est libérée" in m.subject]
    assert promoted and "evenement.ics" in _attachment_names(promoted[-1])

    staff_page.goto(f"{asgi_server.url}{event.get_absolute_url()}inscrits/")
    expect(staff_page.get_by_role("table")).to_contain_text("CCAS de Nevers")
    assert_accessible(staff_page, context="registrations")

    for view in ("liste", "mois", "semaine"):
        alice_page.goto(f"{asgi_server.url}/agenda/?vue={view}&date={start.date().isoformat()}&annee={start.year}&mois={start.month}")
        expect(alice_page.get_by_role("link", name=re.compile(re.escape(title))).first).to_be_visible()
        assert_accessible(alice_page, context=f"agenda {view}")


def test_proposal_becomes_breakout_and_choice_updates_live(browser, asgi_server):
    staff, host, guest = StaffFactory(), UserFactory(), UserFactory()
    title = f"Séance IC {uuid.uuid4().hex[:6]}"
    start = timezone.now() + timedelta(days=3)
    event = services.event_create(
        actor=staff,
        title=title,
        type="intelligence",
        start=start,
        end=start + timedelta(hours=3),
        state="published",
        audience="members",
        capacity=20,
        accepts_proposals=True,
    )
    services.registration_create(event=event, actor=host, answers={})
    services.registration_create(event=event, actor=guest, answers={})

    host_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(host_page, asgi_server, host.email, PASSWORD)
    host_page.goto(f"{asgi_server.url}{event.get_absolute_url()}")
    host_page.get_by_label("Titre de votre projet ou question").fill("Un bus numérique rural")
    host_page.get_by_label("Présentation").fill("Nous avons un minibus.")
    host_page.get_by_label("Ce que vous attendez du groupe").fill("Des partenaires")
    host_page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(host_page.get_by_text("votre proposition est transmise")).to_be_visible()

    staff_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(staff_page, asgi_server, staff.email, PASSWORD)
    staff_page.goto(f"{asgi_server.url}{event.get_absolute_url()}propositions/")
    assert_accessible(staff_page, context="proposals")
    staff_page.get_by_role("button", name=re.compile("^Retenir")).click()
    expect(staff_page.get_by_text("Décision enregistrée.")).to_be_visible()

    host_page.goto(f"{asgi_server.url}{event.get_absolute_url()}")
    host_page.get_by_role("link", name="Rejoindre la séance").click()
    expect(host_page.get_by_role("heading", name="Un bus numérique rural")).to_be_visible()
    assert_accessible(host_page, context="session")
    counter = host_page.locator("[data-count-for]").first
    expect(counter).to_have_text("0")
    host_page.wait_for_timeout(500)  # let the websocket connect

    breakout = event.breakouts.get()
    asgi_server.call(services.breakout_choose, actor=guest, breakout=breakout)
    expect(counter).to_have_text("1")  # live, without reload
    asgi_server.call(services.note_create, actor=guest, breakout=breakout, body="Et si on passait par les marchés ?")
    expect(host_page.locator(".notes")).to_contain_text("marchés")

    # The organiser starts the countdown from the session page; the host's page shows it live.
    expect(host_page.locator("[data-timer-clock]")).to_have_text("Pas de minuteur en cours")
    staff_page.goto(f"{asgi_server.url}{event.get_absolute_url()}seance/")
    staff_page.get_by_label("Durée").select_option("10")
    staff_page.get_by_label("Étape (facultatif)").fill("Idéation")
    staff_page.get_by_role("button", name="Lancer le minuteur").click()
    expect(staff_page.get_by_text("Minuteur lancé.")).to_be_visible()
    assert_accessible(staff_page, context="session with a countdown (organiser)")
    expect(host_page.locator("[data-timer-label]")).to_have_text("· Idéation")
    expect(host_page.locator("[data-timer-clock]")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))

    host_page.get_by_role("button", name=re.compile("^Rejoindre")).click()
    expect(counter).to_have_text("2")
    expect(host_page.locator("[data-timer-clock]")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))  # after reload too
    host_page.get_by_label(re.compile("^Restitution de")).fill("Deux partenaires trouvés.")
    host_page.get_by_role("button", name="Publier la restitution").click()
    host_page.goto(f"{asgi_server.url}{event.get_absolute_url()}")
    expect(host_page.get_by_role("heading", name="Restitutions")).to_be_visible()
    expect(host_page.get_by_text("Deux partenaires trouvés.")).to_be_visible()


def test_the_agenda_actions_line_up_at_1280_px_and_stay_touchable_on_phones(browser, asgi_server):
    """At 1280 px the secondary actions stand in one row (the iCal subscription sat alone under the
    second column); at 375 and 320 px every action is 44 px high at least, without sideways scrolling."""
    member = UserFactory(email=f"agenda-{uuid.uuid4().hex[:6]}@exemple.fr")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    login(page, asgi_server, member.email, PASSWORD)
    page.goto(f"{asgi_server.url}/agenda/")
    actions = page.locator(".events-actions .button")
    expect(actions.last).to_be_visible()
    assert len({round(box["y"]) for box in (actions.nth(i).bounding_box() for i in range(actions.count()))}) == 1
    for width in (375, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{asgi_server.url}/agenda/")
        page.get_by_text("Plus d’actions").click()
        buttons = page.locator(".events-head .button, .events-head summary")
        heights = [buttons.nth(i).bounding_box()["height"] for i in range(buttons.count())]
        assert min(heights) >= 44, heights
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    context.close()
