"""The activity stream in Chromium: a new item appears live on the dashboard, the member likes and
comments it without reload, loads more, and axe-core finds no serious violation at 375 and 1280 px."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from community.activity import activity_record
from community.models import Activity, ActivityKind
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, UserFactory


def _record(title, actor, minutes_ago=0):
    with transaction.atomic():
        item = activity_record(
            verb="a publié un événement", title=title, url="/agenda/", audience="members", kind=ActivityKind.EVENTS, actor=actor
        )
    if minutes_ago:
        Activity.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return item


def test_stream_live_like_comment_and_load_more(browser, asgi_server):
    tag = uuid.uuid4().hex[:6]
    alice = UserFactory(email=f"alice-{tag}@exemple.fr", profile_data={"display_name": f"Alice {tag}"})
    bruno = UserFactory(email=f"bruno-{tag}@exemple.fr", profile_data={"display_name": f"Bruno {tag}"})
    for n in range(22):
        _record(f"Ancien {tag} {n:02d}", bruno, minutes_ago=600 + n)

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    login(page, asgi_server, alice.email, PASSWORD)
    page.goto(f"{asgi_server.url}/tableau-de-bord/")
    expect(page.get_by_role("heading", name="Mon réseau")).to_be_visible()
    assert_accessible(page, context="dashboard 1280")
    page.wait_for_timeout(800)  # the stream socket connects

    # Bruno publishes: the card appears at the top without reload.
    asgi_server.call(_record, f"Atelier live {tag}", bruno)
    card = page.locator(".stream-card", has_text=f"Atelier live {tag}")
    expect(card).to_be_visible(timeout=10000)
    expect(page.locator(".stream-card").first).to_contain_text(f"Atelier live {tag}")

    # Alice likes it, then comments, both without reload.
    like = card.get_by_role("button", name=f"J'aime : Atelier live {tag}")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true", timeout=10000)
    card = page.locator(".stream-card", has_text=f"Atelier live {tag}")
    expect(card.locator(".like-count")).to_have_text("1")
    card.locator("summary", has_text="Écrire un commentaire").click()
    card.get_by_label("Votre commentaire").fill("J'y serai avec deux collègues")
    card.get_by_role("button", name="Commenter").click()
    expect(card.locator(".comment")).to_contain_text("J'y serai avec deux collègues", timeout=10000)

    # "Voir plus" brings the older items in place.
    expect(page.get_by_role("link", name=f"Ancien {tag} 21")).to_have_count(0)
    page.get_by_role("link", name="Voir plus d'activité").click()
    expect(page.get_by_role("link", name=f"Ancien {tag} 21")).to_be_visible(timeout=10000)

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{asgi_server.url}/tableau-de-bord/?filtre=agenda")
    expect(page.locator('a[href="?filtre=agenda#fil"]')).to_have_attribute("aria-current", "page")
    assert_accessible(page, context="dashboard 375")
    page.goto(f"{asgi_server.url}{bruno.profile.get_absolute_url()}")
    page.get_by_role("button", name="Suivre").click()
    expect(page.get_by_role("button", name="Suivi")).to_be_visible()
    assert_accessible(page, context="profile 375")
    context.close()


def test_organisations_and_their_managers_on_a_phone(browser, asgi_server):
    """At 320 px the organisation list reflows (no sideways scrolling), the initials are not
    underlined, the header holds one row; a manager adds a co-manager from the edit page."""
    from community.services import organisation_create
    from tests.factories import member_with

    tag = uuid.uuid4().hex[:6]
    manager = UserFactory(email=f"gestion-{tag}@exemple.fr", profile_data={"display_name": f"Gaëlle {tag}"})
    org = organisation_create(actor=manager, name=f"Centre social aux noms très longs de Cosne-Cours-sur-Loire {tag}", type="centre_social")
    colleague = member_with(display_name=f"Hugo {tag}", organisation=org)
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    login(page, asgi_server, manager.email, PASSWORD)
    page.goto(f"{asgi_server.url}/membres/organisations/?q={tag}")
    expect(page.get_by_role("link", name=org.name)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    initials = page.locator(".org-card .avatar-logo-empty").first
    assert initials.evaluate("e => getComputedStyle(e).textDecorationLine") == "none"
    assert initials.evaluate("e => e.closest('a') === null")
    assert page.locator(".site-header").bounding_box()["height"] < 64  # one row
    assert_accessible(page, context="organisation list at 320 px")
    page.goto(f"{asgi_server.url}/membres/organisations/{org.slug}/modifier/")
    page.get_by_label("Un membre de l'organisation").select_option(label=f"Hugo {tag}")
    page.get_by_role("button", name="Ajouter comme gestionnaire").click()
    expect(page.locator(".messages")).to_contain_text(f"Hugo {tag} gère désormais")
    expect(page.locator("#gestionnaires")).to_contain_text(f"Hugo {tag}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert_accessible(page, context="organisation edit page with its managers at 320 px")
    assert colleague in org.managers.all()
    context.close()


def test_the_directory_filters_fold_on_a_phone_and_stay_in_one_row_on_a_wide_screen(browser, asgi_server):
    """At 375 px the keywords, then « Plus de critères » folded (opened by its summary, open on a
    chosen métier); at 1280 px, opened by nav.js, the filters stand in the row as before the fold."""
    tag = uuid.uuid4().hex[:6]
    member = UserFactory(email=f"annuaire-{tag}@exemple.fr")
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    login(page, asgi_server, member.email, PASSWORD)
    page.goto(f"{asgi_server.url}/membres/")
    expect(page.get_by_role("searchbox", name="Nom, compétence ou organisation")).to_be_visible()
    expect(page.locator("#id_metier")).to_be_hidden()
    page.get_by_text("Plus de critères").click()
    expect(page.locator("#id_metier")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert_accessible(page, context="directory with its filters unfolded at 375 px")
    page.goto(f"{asgi_server.url}/membres/?metier=mediateur")
    expect(page.locator("#id_metier")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{asgi_server.url}/membres/")
    expect(page.locator(".filters-fold > summary")).to_be_hidden()
    tops = [page.locator(f"#id_{name}").bounding_box()["y"] for name in ("q", "department", "metier", "organisation_type", "skill")]
    assert max(tops) - min(tops) < 4  # the keywords and the first filters in one row (a select and an input differ by a pixel)
    context.close()


def test_a_profile_shows_who_the_member_is_before_their_activity_on_a_phone(browser, asgi_server):
    """At 375 px the presentation and the skills come before the activity stream (they were under
    it, thousands of pixels down); at 1280 px the skills stand at the right, level with the top; at
    320 px a long e-mail address wraps instead of widening the page."""
    from tests.factories import member_with

    tag = uuid.uuid4().hex[:6]
    viewer = UserFactory(email=f"lecteur.avec.une.adresse.tres.longue-{tag}@mediatheque-intercommunale.exemple.fr")
    member = member_with(display_name=f"Inès {tag}", bio="Médiatrice en itinérance dans le Jura.", skills=["Pix", "Scratch"])
    for n in range(6):
        _record(f"Atelier {tag} {n}", member)
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="fr-FR")
    page = context.new_page()
    login(page, asgi_server, viewer.email, PASSWORD)
    page.goto(f"{asgi_server.url}{member.profile.get_absolute_url()}")
    skills = page.get_by_role("heading", name="Compétences")
    activity = page.get_by_role("heading", name="Activité", exact=True)
    expect(activity).to_be_visible()
    presentation = page.get_by_role("heading", name="Présentation")
    assert presentation.bounding_box()["y"] < skills.bounding_box()["y"] < activity.bounding_box()["y"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert_accessible(page, context="profile 375")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{asgi_server.url}{member.profile.get_absolute_url()}")
    assert skills.bounding_box()["x"] > activity.bounding_box()["x"] + 300  # the right column
    assert skills.bounding_box()["y"] < activity.bounding_box()["y"]
    assert_accessible(page, context="profile 1280")
    # The viewer's own page shows their long address: it wraps, the page stays 320 px wide.
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{asgi_server.url}{viewer.profile.get_absolute_url()}")
    expect(page.get_by_role("link", name=viewer.email)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    context.close()
