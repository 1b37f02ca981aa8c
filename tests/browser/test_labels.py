"""The label campaign in Chromium: apply, submit, assign, corrections, resubmit, evaluate, grant, verify."""

import json
import re
import uuid

from playwright.sync_api import expect

from labels.models import Application, ApplicationState, Assertion
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.labels.factories import make_referential
from tests.places.factories import make_place


def _page_for(browser, asgi_server, user):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, asgi_server, user.email, PASSWORD)
    return page


def test_label_workflow_from_application_to_verifiable_badge(browser, asgi_server):
    suffix = uuid.uuid4().hex[:6]
    make_referential()
    manager, reviewer, staff = UserFactory(), UserFactory(), StaffFactory()
    reviewer.profile.display_name = f"Évaluatrice {suffix}"
    reviewer.profile.save(update_fields=["display_name"])
    place = make_place(manager, nom=f"Espace numérique {suffix}")

    # The place manager applies, answers each criterion and submits.
    mp = _page_for(browser, asgi_server, manager)
    mp.goto(f"{asgi_server.url}/label/candidatures/")
    assert_accessible(mp, context="my applications")
    mp.get_by_label("Lieu").select_option(str(place.pk))
    mp.get_by_role("button", name="Commencer une candidature").click()
    expect(mp.get_by_role("heading", level=1)).to_contain_text("Répondre au référentiel")
    assert_accessible(mp, context="application edit")
    for area in mp.locator("textarea").all():
        area.fill("Nous accueillons toutes et tous, sans rendez-vous le mardi.")
    mp.get_by_role("button", name="Enregistrer et déposer").click()
    expect(mp.locator(".messages")).to_contain_text("Candidature déposée")
    application = Application.objects.get(place=place)
    assert application.state == ApplicationState.SUBMITTED
    assert_accessible(mp, context="application detail (applicant)")

    # Staff assign a reviewer.
    sp = _page_for(browser, asgi_server, staff)
    sp.goto(f"{asgi_server.url}/label/candidatures/{application.pk}/")
    sp.get_by_role("link", name="Affecter des évaluateur·rices").click()
    sp.get_by_label("Évaluateur·rices (1 à 3)").select_option(str(reviewer.pk))
    assert_accessible(sp, context="assign reviewers")
    sp.get_by_role("button", name="Affecter").click()
    expect(sp.locator(".messages")).to_contain_text("Évaluateur·rices affecté·es.")

    # The reviewer declares no conflict of interest, then asks for corrections.
    rp = _page_for(browser, asgi_server, reviewer)
    rp.goto(f"{asgi_server.url}/label/candidatures/{application.pk}/")
    rp.get_by_role("link", name=re.compile("conflit d'intérêts")).click()
    assert_accessible(rp, context="conflict of interest")
    rp.get_by_label(re.compile("Je déclare n'avoir aucun lien")).check()
    rp.get_by_role("button", name="Valider ma déclaration").click()
    expect(rp.get_by_role("heading", level=1)).to_contain_text("Évaluation")
    rp.get_by_role("link", name="Retour à la candidature").click()
    rp.get_by_label("Corrections attendues").fill("Joignez votre charte d'accueil.")
    rp.get_by_role("button", name="Demander des corrections").click()
    expect(rp.locator(".messages")).to_contain_text("Corrections demandées : la candidature retourne au lieu.")

    # The applicant sees the request and resubmits.
    mp.reload()
    expect(mp.locator(".application-summary")).to_contain_text("Corrections demandées")
    expect(mp.get_by_role("table").last).to_contain_text("Joignez votre charte d'accueil.")
    mp.get_by_role("button", name="Redéposer la candidature").click()
    expect(mp.locator(".application-summary")).to_contain_text("En instruction")

    # The reviewer scores every criterion and hands in the evaluation.
    rp.goto(f"{asgi_server.url}/label/candidatures/{application.pk}/evaluation/")
    assert_accessible(rp, context="review form")
    for select in rp.locator("select[name^=score_]").all():
        select.select_option("2")
    rp.get_by_role("button", name="Rendre mon évaluation").click()
    expect(rp.locator(".messages")).to_contain_text("Évaluation rendue.")

    # The committee grants the label.
    sp.goto(f"{asgi_server.url}/label/equipe/comite/")
    assert_accessible(sp, context="committee")
    sp.get_by_role("link", name=f"Décider pour {place.nom}").click()
    sp.get_by_label("Label accordé", exact=True).check()
    sp.get_by_label("Motif de la décision").fill("Accueil et accompagnement conformes au référentiel.")
    assert_accessible(sp, context="decision")
    sp.get_by_role("button", name="Enregistrer la décision").click()
    expect(sp.locator(".messages")).to_contain_text("Décision enregistrée.")
    expect(sp.locator(".scores-table")).to_contain_text(reviewer.profile.display_name)
    assert_accessible(sp, context="application detail (staff)")
    # On a phone a wide table (here the history) scrolls in its frame, which nav.js makes a named,
    # focusable region (axe: scrollable-region-focusable).
    sp.set_viewport_size({"width": 320, "height": 800})
    sp.reload()
    assert sp.evaluate("() => document.documentElement.scrollWidth") <= 320
    frames = sp.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')].map(f => ({
            scrolls: f.scrollWidth > f.clientWidth, tabindex: f.getAttribute('tabindex'),
            role: f.getAttribute('role'), label: f.getAttribute('aria-label')}))"""
    )
    assert any(f["scrolls"] for f in frames)
    assert all(f["tabindex"] == "0" and f["role"] == "region" and f["label"] for f in frames if f["scrolls"])
    assert_accessible(sp, context="application detail (staff) at 320 px")

    # Anyone can verify the label, and the badge JSON carries the spec's required fields.
    assertion = Assertion.objects.get(label__application=application)
    visitor = browser.new_context(locale="fr-FR").new_page()
    visitor.goto(f"{asgi_server.url}/label/verifier/{assertion.uid}/")
    expect(visitor.locator("#verify-status")).to_have_text("Label valide")
    expect(visitor.get_by_role("main")).to_contain_text(place.nom)
    assert_accessible(visitor, context="verification page")
    response = visitor.request.get(f"{asgi_server.url}/label/assertions/{assertion.uid}.json")
    assert response.headers["content-type"].startswith("application/ld+json")
    data = json.loads(response.text())
    assert data["@context"] == "https://w3id.org/openbadges/v2"
    assert data["type"] == "Assertion"
    assert {"id", "recipient", "badge", "verification", "issuedOn", "expires"} <= data.keys()
    assert (
        data["recipient"]["type"] == "email" and data["recipient"]["hashed"] is True and data["recipient"]["identity"].startswith("sha256$")
    )
    assert data["verification"]["type"] == "hosted"
    badge = json.loads(visitor.request.get(f"{asgi_server.url}/label/badges/{assertion.badge_class.slug}/badge.json").text())
    assert {"name", "description", "image", "criteria", "issuer"} <= badge.keys()
