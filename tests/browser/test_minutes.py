"""Minutes in Chromium (issue 13, item 10 from the meeting on): the secretary writes the minutes
and adds two actions, a participant proposes a text, the secretary accepts it, closes the round and
publishes; the owner of an action finds it in "Mes actions" and marks it done. axe-core is clean
on every page, at 375 and 1280 px."""

import re
import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action, ActionStatus
from events import services as event_services
from events.minutes import services as minutes_services
from events.minutes.selectors import minutes_template
from events.models import Audience, Minutes, MinutesState
from groups.models import AccessMode
from tests.browser.conftest import assert_accessible, login
from tests.events.factories import make_event
from tests.factories import PASSWORD, UserFactory
from tests.groups.factories import make_group


def _check_both_widths(page, context):
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, context=f"{context} at {width} px")
    page.set_viewport_size({"width": 1280, "height": 900})


def _add_action(page, description, owner_name, days):
    page.get_by_role("link", name="Ajouter une action").click()
    page.get_by_label("Action à mener").fill(description)
    page.get_by_label(owner_name).check()
    page.get_by_label("Échéance").fill((timezone.localdate() + timedelta(days=days)).isoformat())
    page.get_by_role("button", name="Créer l'action").click()
    expect(page).to_have_url(re.compile(r"/compte-rendu/$"))  # back on the minutes
    expect(page.locator(".origin-actions")).to_contain_text(description)


def test_minutes_written_amended_published_and_an_action_done(browser, asgi_server):
    tag = uuid.uuid4().hex[:6]
    admin = UserFactory(email=f"orga-{tag}@exemple.fr", profile_data={"display_name": f"Orga {tag}"})
    secretary = UserFactory(email=f"secr-{tag}@exemple.fr", profile_data={"display_name": f"Sacha {tag}"})
    alice = UserFactory(email=f"alice-{tag}@exemple.fr", profile_data={"display_name": f"Łucja Nguyễn {tag}"})
    bob = UserFactory(email=f"bob-{tag}@exemple.fr", profile_data={"display_name": f"Bertrand {tag}"})
    group = make_group(owner=admin, access=AccessMode.OPEN, name=f"Groupe CR {tag}", members=[secretary, alice, bob])
    event = make_event(
        by=admin,
        title=f"Réunion mensuelle {tag}",
        audience=Audience.GROUP,
        audience_group=group,
        organiser_group=group,
        start=timezone.now() - timedelta(hours=3),
    )
    for user in (secretary, alice, bob):
        event_services.registration_add(actor=admin, event=event, member=user, answers={})
    # the organiser names the secretary (the text starts from the template)
    minutes_services.minutes_save(
        actor=admin, event=event, body=minutes_template(viewer=admin, event=event), secretary=secretary, set_secretary=True
    )

    ctx_s, ctx_a, ctx_b = (browser.new_context(locale="fr-FR") for _ in range(3))
    page, page_a, page_b = ctx_s.new_page(), ctx_a.new_page(), ctx_b.new_page()

    # the secretary writes the decisions and adds two actions
    login(page, asgi_server, secretary.email, PASSWORD)
    page.goto(f"{asgi_server.url}{event.get_absolute_url()}")
    page.get_by_role("link", name="Ouvrir le compte rendu").click()
    page.get_by_role("link", name="Modifier le texte").click()
    _check_both_widths(page, "minutes form")
    body = page.get_by_label("Texte du compte rendu")
    text = body.input_value().replace("## Décisions\n\n- …", f"## Décisions\n\n- Atelier tablettes en janvier {tag}")
    body.fill(text)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Compte rendu enregistré (version 2).")).to_be_visible()
    _add_action(page, f"Réserver la salle {tag}", f"Bertrand {tag}", 5)
    _add_action(page, f"Écrire à la mairie {tag}", f"Łucja Nguyễn {tag}", 10)
    page.get_by_label("Relecture ouverte jusqu'au").fill((timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Ouvrir la relecture").click()
    expect(page.get_by_text("Relecture ouverte : les participant·es sont prévenu·es.")).to_be_visible()
    _check_both_widths(page, "minutes in review (secretary)")

    # a participant proposes a new text for the decisions
    login(page_a, asgi_server, alice.email, PASSWORD)
    page_a.goto(f"{asgi_server.url}{event.get_absolute_url()}compte-rendu/")
    _check_both_widths(page_a, "minutes in review (participant)")
    page_a.get_by_label("Proposition de texte").check()
    page_a.get_by_label("Section concernée").select_option("Décisions")
    page_a.get_by_label("Commentaire ou texte proposé").fill(f"- Atelier tablettes le 14 janvier {tag}, à la médiathèque")
    page_a.get_by_role("button", name="Envoyer").click()
    expect(page_a.get_by_text("Merci : votre contribution est transmise")).to_be_visible()

    # the secretary accepts it, closes the round and publishes
    page.reload()
    page.get_by_role("button", name="Accepter et appliquer").click()
    expect(page.get_by_text("Proposition acceptée : le texte est mis à jour.")).to_be_visible()
    expect(page.locator(".minutes-text")).to_contain_text("le 14 janvier")
    page.get_by_role("button", name="Clore la relecture maintenant").click()
    page.get_by_role("button", name="Valider et publier le compte rendu").click()
    expect(page.get_by_text("Compte rendu validé et publié")).to_be_visible()
    _check_both_widths(page, "published minutes")
    assert Minutes.objects.get(event=event).state == MinutesState.PUBLISHED

    # the owner sees the action in "Mes actions" and marks it done
    login(page_b, asgi_server, bob.email, PASSWORD)
    page_b.goto(f"{asgi_server.url}{event.get_absolute_url()}")
    expect(page_b.locator("#compte-rendu")).to_contain_text("le 14 janvier")
    page_b.goto(f"{asgi_server.url}/actions/")
    expect(page_b.get_by_role("link", name=f"Réserver la salle {tag}")).to_be_visible()
    _check_both_widths(page_b, "my actions")
    page_b.get_by_role("button", name=f"Fait : Réserver la salle {tag}").click()
    expect(page_b.get_by_text("Statut : Fait.")).to_be_visible()
    assert Action.objects.get(description=f"Réserver la salle {tag}").status == ActionStatus.DONE
    for ctx in (ctx_s, ctx_a, ctx_b):
        ctx.close()


def _say(page, asgi_server, event, intention, message=""):
    page.goto(f"{asgi_server.url}{event.get_absolute_url()}")
    form = page.locator("form.intention-form")
    form.get_by_label(intention, exact=True).check()
    if message:
        form.get_by_label("Message pour l'organisation (facultatif)").fill(message)
    form.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(page.get_by_text("Merci, votre réponse est enregistrée.")).to_be_visible()
    expect(page.locator("form.intention-form")).to_contain_text(f"Vous avez annoncé : {intention}")


def test_members_say_present_or_excused_and_the_list_and_minutes_show_it(browser, asgi_server):
    """Issue 13 item 10, before the meeting: two members answer "Serez-vous là ?" on the event page,
    one present, one excused with a message; the organiser's attendance list and the minutes
    template show them so."""
    tag = uuid.uuid4().hex[:6]
    admin = UserFactory(email=f"orga-{tag}@exemple.fr", profile_data={"display_name": f"Orga {tag}"})
    alice = UserFactory(email=f"alice-{tag}@exemple.fr", profile_data={"display_name": f"Łucja Nguyễn {tag}"})
    bob = UserFactory(email=f"bob-{tag}@exemple.fr", profile_data={"display_name": f"Bertrand {tag}"})
    group = make_group(owner=admin, access=AccessMode.OPEN, name=f"Groupe présences {tag}", members=[alice, bob])
    event = make_event(
        by=admin, title=f"Réunion de janvier {tag}", audience=Audience.GROUP, audience_group=group, organiser_group=group, days=3
    )
    for user in (alice, bob):
        event_services.registration_add(actor=admin, event=event, member=user, answers={})
    ctx_o, ctx_a, ctx_b = (browser.new_context(locale="fr-FR") for _ in range(3))
    page_o, page_a, page_b = ctx_o.new_page(), ctx_a.new_page(), ctx_b.new_page()

    login(page_a, asgi_server, alice.email, PASSWORD)
    _say(page_a, asgi_server, event, "Présent·e")
    _check_both_widths(page_a, "event page, present")
    login(page_b, asgi_server, bob.email, PASSWORD)
    _say(page_b, asgi_server, event, "Excusé·e", f"En formation ce jour-là {tag}")
    _check_both_widths(page_b, "event page, excused")
    regs = {r.user_id: r for r in event.registrations.all()}
    assert regs[alice.pk].intention == "present" and regs[bob.pk].intention == "excused"
    assert regs[bob.pk].intention_message == f"En formation ce jour-là {tag}"

    # the organiser's attendance list
    login(page_o, asgi_server, admin.email, PASSWORD)
    page_o.goto(f"{asgi_server.url}{event.get_absolute_url()}inscrits/")
    expect(page_o.get_by_role("row", name=re.compile(f"Łucja Nguyễn {tag}"))).to_contain_text("Annoncé·e présent·e")
    bob_row = page_o.get_by_role("row", name=re.compile(f"Bertrand {tag}"))
    expect(bob_row).to_contain_text("Excusé·e")
    expect(bob_row).to_contain_text(f"En formation ce jour-là {tag}")
    _check_both_widths(page_o, "attendance list")

    # the minutes start from a template that lists them (presence confirmed by check-in on the day)
    page_o.goto(f"{asgi_server.url}{event.get_absolute_url()}compte-rendu/rediger/")
    text = page_o.get_by_label("Texte du compte rendu").input_value()
    present, _, rest = text.partition("## Excusés")
    excused = rest.partition("## Absents")[0]
    assert f"Łucja Nguyễn {tag}" in present.partition("## Présents")[2]
    assert f"- Bertrand {tag} (En formation ce jour-là {tag})" in excused
    assert "Bertrand" not in present
    _check_both_widths(page_o, "minutes form with the attendance")
    for ctx in (ctx_o, ctx_a, ctx_b):
        ctx.close()
