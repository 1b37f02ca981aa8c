"""Resource library and observatory in Chromium: submit, publish, find by filter, download; charts."""

import re
import uuid
from pathlib import Path

from playwright.sync_api import expect

from content.models import ObservatorySettings, Resource
from tests.browser.conftest import assert_accessible, login
from tests.content.factories import PDF
from tests.factories import PASSWORD, StaffFactory, UserFactory


def test_submit_publish_find_and_download(page, asgi_server, browser, tmp_path):
    tag = uuid.uuid4().hex[:6]
    member = UserFactory(email=f"contrib-{tag}@exemple.fr", username=f"contrib-{tag}")
    staff = StaffFactory(email=f"equipe-{tag}@exemple.fr", username=f"equipe-{tag}")
    title = f"Kit atelier cybersécurité {tag}"

    page.goto(f"{asgi_server.url}/")
    assert_accessible(page, context="home")

    # A member proposes a resource with a PDF.
    login(page, asgi_server, member.email, PASSWORD)
    page.goto(f"{asgi_server.url}/ressources/")
    page.get_by_role("link", name="Proposer une ressource").click()
    assert_accessible(page, context="resource form")
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Résumé").fill("Un kit complet pour animer un atelier.")
    page.get_by_label("Type de ressource").select_option("workshop")
    page.get_by_label(re.compile(r"^Licence")).select_option("etalab-2.0")
    page.get_by_label("Cybersécurité").check()
    pdf = tmp_path / "kit.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("Fichier").set_input_files(str(pdf))
    page.get_by_label(re.compile("Je confirme avoir le droit")).check()
    page.get_by_role("button", name="Envoyer ma ressource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("En attente de relecture").first).to_be_visible()
    page.context.clear_cookies()

    # Staff publish it from the moderation page.
    login(page, asgi_server, staff.email, PASSWORD)
    page.goto(f"{asgi_server.url}/ressources/moderation/")
    assert_accessible(page, context="moderation")
    card = page.get_by_role("article").filter(has_text=title)
    card.get_by_role("button", name=re.compile("^Publier")).click()
    expect(page.get_by_text("Ressource publiée.")).to_be_visible()
    assert Resource.objects.get(title=title).is_published
    page.context.clear_cookies()

    # A visitor finds it by filter and downloads it.
    page.goto(f"{asgi_server.url}/ressources/")
    page.get_by_label("Type").select_option("workshop")
    page.get_by_label("Licence").select_option("etalab-2.0")
    page.get_by_role("textbox", name="Rechercher").fill(tag)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status")).to_contain_text("1 ressource")
    assert_accessible(page, context="library")
    page.get_by_role("link", name=title).click()
    assert_accessible(page, context="resource page")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Télécharger")).click()
    download = info.value
    assert download.suggested_filename == "kit.pdf"
    assert Path(download.path()).read_bytes() == PDF


def test_staff_see_charts_and_tables_public_sees_subset(page, asgi_server):
    tag = uuid.uuid4().hex[:6]
    staff = StaffFactory(email=f"obs-{tag}@exemple.fr", username=f"obs-{tag}")
    row = ObservatorySettings.load()
    row.public_charts = ["members_metier"]
    row.save()

    page.goto(f"{asgi_server.url}/observatoire/")
    expect(page.get_by_role("heading", name="Membres par métier")).to_be_visible()
    expect(page.get_by_role("heading", name="Membres par département")).to_have_count(0)
    assert_accessible(page, context="public observatory")

    login(page, asgi_server, staff.email, PASSWORD)
    page.goto(f"{asgi_server.url}/observatoire/")
    expect(page.get_by_role("heading", name="Membres par département")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Membres par département"))).to_be_visible()
    expect(page.get_by_role("table", name="Membres par département")).to_be_visible()
    # At 320 px a wide chart or table scrolls in its frame, which nav.js makes a named, focusable
    # region (the skills census, a matrix, is wider than a phone); the page keeps the screen's width.
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    expect(page.locator("#skills_census > figure")).to_have_attribute("tabindex", "0")
    frames = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap, .chart-figure')].map(f => ({
            scrolls: f.scrollWidth > f.clientWidth, tabindex: f.getAttribute('tabindex'),
            role: f.getAttribute('role'), label: f.getAttribute('aria-label') || ''}))"""
    )
    assert all(f["tabindex"] == "0" and f["role"] == "region" and f["label"] for f in frames if f["scrolls"])
    # a bar chart's labels stay readable on a phone: its narrow picture is shown, text near 13 px
    # (the wide picture, shrunk to the screen, drew it at about 6 px)
    expect(page.locator("#members_department .chart-wide")).to_be_hidden()
    label_px = page.evaluate(
        "() => document.querySelector('#members_department .chart-narrow .chart-label').getBoundingClientRect().height"
    )
    assert label_px >= 10, label_px
    assert_accessible(page, context="staff observatory at 320 px")
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("link", name=re.compile("Télécharger les données \\(CSV\\)")).first).to_be_visible()
    assert_accessible(page, context="staff observatory")
