"""Issue 15 in Chromium: a member reports a call, staff publish it, another member opens a
consortium on it, a partner asks to join and is accepted, a partner suggested to the lead (another
department, a skill the team lacks) is invited from the suggestion and accepts from their
notification, and they track the application to "déposé" then "retenu". axe-core runs on each
page, at 375 px and 1280 px on the consortium."""

import re
import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from community.models import Commune, Skill
from community.services import profile_skills_set
from funding.models import Consortium, ConsortiumMember, FundingCall
from groups.services import group_create
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, OrganisationFactory, StaffFactory, UserFactory


def _member(tag, name):
    user = UserFactory(email=f"{name}-{tag}@exemple.fr", username=f"{name}-{tag}")
    user.profile.organisation = OrganisationFactory(name=f"Structure {name} {tag}")
    user.profile.save()
    return user


def test_report_publish_consortium_join_and_track(browser, asgi_server):
    tag = uuid.uuid4().hex[:6]
    reporter, lead, partner = _member(tag, "veilleur"), _member(tag, "porteur"), _member(tag, "partenaire")
    staff = StaffFactory(email=f"equipe-{tag}@exemple.fr", username=f"equipe-{tag}")
    title = f"Appel tiers-lieux numériques {tag}"

    # --- A member reports a call ---------------------------------------------------------------
    page = browser.new_page()
    login(page, asgi_server, reporter.email, PASSWORD)
    page.goto(f"{asgi_server.url}/financements/signaler/")
    assert_accessible(page, context="report form")
    page.get_by_label("Lien vers l'appel").fill(f"https://financeur.exemple/{tag}")
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Financeur(s)").fill("Fondation Exemple")
    page.get_by_label("Date limite").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Envoyer à l'équipe du hub").click()
    expect(page.locator(".messages")).to_contain_text("Merci")
    expect(page.get_by_role("row", name=re.compile(title))).to_contain_text("En relecture")
    assert_accessible(page, context="my reports")

    # --- Staff publish it from the review queue ------------------------------------------------
    staff_page = browser.new_page()
    login(staff_page, asgi_server, staff.email, PASSWORD)
    staff_page.goto(f"{asgi_server.url}/financements/relecture/")
    expect(staff_page.get_by_role("row", name=re.compile(title))).to_contain_text("Signalé par")
    assert_accessible(staff_page, context="review queue with a report")
    staff_page.get_by_role("button", name=f"Publier « {title} »").click()
    expect(staff_page.locator(".messages")).to_contain_text("publié")
    call = FundingCall.objects.get(title=title)
    assert call.state == "published" and call.reported_by == reporter

    # --- Another member opens a consortium -----------------------------------------------------
    lead_page = browser.new_page()
    login(lead_page, asgi_server, lead.email, PASSWORD)
    group_create(actor=lead, name=f"Groupe du porteur {tag}")  # the call page then offers to share it too
    lead_page.goto(f"{asgi_server.url}{call.get_absolute_url()}")
    expect(lead_page.get_by_text(re.compile("Appel signalé par"))).to_be_visible()
    # three forms with a "message" field (share, partner search, help): one id each
    duplicate_ids = lead_page.evaluate(
        "() => { const n = {}; document.querySelectorAll('[id]').forEach(e => { n[e.id] = (n[e.id] || 0) + 1; });"
        " return Object.keys(n).filter(k => n[k] > 1); }"
    )
    assert duplicate_ids == []
    expect(lead_page.get_by_label("Message (facultatif)")).to_have_count(1)
    assert_accessible(lead_page, context="call page with its forms")
    lead_page.get_by_role("link", name="Monter un consortium").click()
    lead_page.get_by_label("Nom du projet").fill(f"Tiers-lieux en réseau {tag}")
    lead_page.get_by_label("Partenaires recherchés").fill("Une structure du Jura")
    lead_page.get_by_role("button", name="Ouvrir le consortium").click()
    expect(lead_page.locator(".messages")).to_contain_text("consortium est ouvert")
    consortium = Consortium.objects.get(call=call)

    # --- A partner asks to join; the lead accepts ----------------------------------------------
    partner_page = browser.new_page()
    login(partner_page, asgi_server, partner.email, PASSWORD)
    partner_page.goto(f"{asgi_server.url}{consortium.get_absolute_url()}")
    assert_accessible(partner_page, context="consortium seen by a non-member")
    partner_page.get_by_label("Le rôle que vous proposez").fill("Accompagnement administratif")
    partner_page.get_by_role("button", name="Demander à rejoindre").click()
    expect(partner_page.locator(".messages")).to_contain_text("chef de file")
    lead_page.goto(f"{asgi_server.url}{consortium.get_absolute_url()}")
    lead_page.get_by_role("button", name=f"Accepter {partner.public_name}").click()
    expect(lead_page.locator(".messages")).to_contain_text("acceptée")
    expect(lead_page.get_by_role("row", name=re.compile(partner.public_name))).to_contain_text("Accompagnement administratif")

    # --- A suggested partner joins through the suggestion ---------------------------------------
    # every factory structure sits in the first commune (the lead's department is covered): this
    # one works elsewhere and brings a skill of the référentiel the team lacks
    lead_department = lead.profile.organisation.commune.department
    commune = Commune.objects.select_related("department").exclude(department=lead_department).order_by("insee").first()
    suggested = _member(tag, "suggere")
    suggested.profile.organisation.commune = commune
    suggested.profile.organisation.save()
    skill = Skill.objects.filter(in_referential=True).order_by("name").first()
    profile_skills_set(actor=suggested, profile=suggested.profile, levels={skill.pk: "expert"})
    lead_page.goto(f"{asgi_server.url}{consortium.get_absolute_url()}")
    suggestions = lead_page.get_by_role("region", name="Partenaires suggérés")
    expect(suggestions.get_by_role("listitem").filter(has_text=suggested.public_name)).to_contain_text(
        f"couvre {commune.department.name}, compétence : {skill.name}"
    )
    assert_accessible(lead_page, context="consortium with partner suggestions")
    suggestions.get_by_role("button", name=f"Inviter {suggested.public_name}").click()
    expect(lead_page.locator(".messages")).to_contain_text("Invitation envoyée")
    expect(lead_page.get_by_role("button", name=f"Inviter {suggested.public_name}")).to_have_count(0)
    suggested_page = browser.new_page()
    login(suggested_page, asgi_server, suggested.email, PASSWORD)
    suggested_page.goto(f"{asgi_server.url}/mes-notifications/")
    suggested_page.get_by_role("link", name=re.compile("vous invite dans le consortium")).first.click()
    expect(suggested_page.get_by_role("heading", name="Vous êtes invité·e")).to_be_visible()
    assert_accessible(suggested_page, context="consortium seen by an invited partner")
    suggested_page.get_by_role("button", name="Rejoindre le consortium").click()
    expect(suggested_page.locator(".messages")).to_contain_text("Bienvenue dans le consortium")
    assert ConsortiumMember.objects.get(consortium=consortium, user=suggested).status == "active"
    lead_page.goto(f"{asgi_server.url}{consortium.get_absolute_url()}")
    expect(lead_page.get_by_role("row", name=re.compile(suggested.public_name))).to_contain_text(suggested.profile.organisation.name)
    expect(lead_page.get_by_text("Territoires couverts")).to_contain_text(commune.department.name)

    # --- They track the application to "déposé" then "retenu" ---------------------------------
    lead_page.get_by_label("État de la candidature").select_option("submitted")
    lead_page.get_by_label("Montant demandé (€)").fill("45000")
    lead_page.get_by_role("button", name="Enregistrer le suivi").click()
    expect(lead_page.locator(".messages")).to_contain_text("Suivi de la candidature enregistré")
    partner_page.goto(f"{asgi_server.url}{consortium.get_absolute_url()}")
    partner_page.get_by_label("État de la candidature").select_option("won")
    partner_page.get_by_label("Montant obtenu (€)").fill("40000")
    partner_page.get_by_role("button", name="Enregistrer le suivi").click()
    expect(partner_page.locator("#candidature")).to_contain_text("Retenu")
    consortium.refresh_from_db()
    assert consortium.status == "won" and consortium.amount_granted == 40000
    for width in (320, 375, 1280):
        partner_page.set_viewport_size({"width": width, "height": 900})
        # The members' table scrolls in its own frame, which nav.js makes focusable; the page keeps
        # the screen's width.
        assert partner_page.evaluate("() => document.documentElement.scrollWidth") <= width
        if width == 320:
            expect(partner_page.get_by_role("region", name="Membres du consortium")).to_have_attribute("tabindex", "0")
        assert_accessible(partner_page, context=f"consortium page at {width} px")
    for p in (page, staff_page, lead_page, partner_page, suggested_page):
        p.close()
