"""Issue 14 item 4 in Chromium: a member books a tablet kit, the owner approves, a second
overlapping booking is refused with the nearest free slot, which books in one click; axe-core on
every page at 375 and 1280 px."""

import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.sharing.factories import make_item


def _accessible_at_both_widths(page, context):
    for width, height in ((375, 800), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page, context=f"{context} at {width} px")


def test_member_books_owner_approves_overlap_gets_nearest_slot(browser, page, asgi_server, browser_context_args):
    tag = uuid.uuid4().hex[:6]
    org = OrganisationFactory(name=f"Médiathèque {tag}")
    owner = UserFactory(email=f"pret-{tag}@exemple.fr", username=f"pret-{tag}", profile_data={"organisation": org})
    borrower = UserFactory(email=f"emprunt-{tag}@exemple.fr", username=f"emprunt-{tag}", first_name="Inès", last_name="Bernard")
    second = UserFactory(email=f"second-{tag}@exemple.fr", username=f"second-{tag}")
    make_item(org, name=f"Valise de tablettes {tag}", description="Retrait **à l'accueil**.")
    day = timezone.localdate() + timedelta(days=5)

    # The borrower finds the kit and asks for it.
    login(page, asgi_server, borrower.email, PASSWORD)
    page.goto(f"{asgi_server.url}/partage/")
    _accessible_at_both_widths(page, "item list")
    page.get_by_role("link", name=f"Valise de tablettes {tag}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Valise de tablettes {tag}")
    _accessible_at_both_widths(page, "item page")
    page.fill("#id_start", f"{day.isoformat()}T09:00")
    page.fill("#id_end", f"{day.isoformat()}T12:00")
    page.get_by_label("Message à la structure").fill("Atelier seniors")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".status-tag").first).to_contain_text("Demandée")
    booking_url = page.url
    _accessible_at_both_widths(page, "booking requested")

    # The owner approves it from their list.
    context = browser.new_context(**browser_context_args)
    other = context.new_page()
    login(other, asgi_server, owner.email, PASSWORD)
    other.goto(f"{asgi_server.url}/partage/reservations/")
    _accessible_at_both_widths(other, "my bookings (owner)")
    other.get_by_role("link", name=f"Valise de tablettes {tag}").first.click()
    other.get_by_label("Un mot pour l'emprunteur·se").fill("Passez à l'accueil")
    other.get_by_role("button", name="Accepter").click()
    expect(other.locator(".status-tag").first).to_contain_text("Acceptée")
    _accessible_at_both_widths(other, "booking accepted")
    context.close()
    page.goto(booking_url)
    expect(page.locator(".status-tag").first).to_contain_text("Acceptée")
    expect(page.get_by_text("Passez à l'accueil")).to_be_visible()

    # A second member asks for an overlapping slot: refused, the nearest free slot is offered.
    third = browser.new_context(**browser_context_args)
    p2 = third.new_page()
    login(p2, asgi_server, second.email, PASSWORD)
    p2.goto(f"{asgi_server.url}/partage/")
    p2.get_by_role("link", name=f"Valise de tablettes {tag}").click()
    expect(p2.locator(".share-month .booked").first).to_be_visible()
    p2.fill("#id_start", f"{day.isoformat()}T10:00")
    p2.fill("#id_end", f"{day.isoformat()}T11:00")
    p2.get_by_role("button", name="Envoyer la demande").click()
    expect(p2.get_by_text("Ce créneau est déjà réservé.")).to_be_visible()
    expect(p2.get_by_role("alert")).to_contain_text("12:00")
    _accessible_at_both_widths(p2, "overlap refused")
    p2.get_by_role("link", name="Réserver ce créneau").click()
    assert p2.input_value("#id_start") == f"{day.isoformat()}T12:00"
    p2.get_by_role("button", name="Envoyer la demande").click()
    expect(p2.locator(".status-tag").first).to_contain_text("Demandée")
    third.close()


def test_owner_adds_a_photo_that_shows_on_the_item_page(page, asgi_server, tmp_path):
    import io

    from PIL import Image

    tag = uuid.uuid4().hex[:6]
    org = OrganisationFactory(name=f"Centre social {tag}")
    owner = UserFactory(email=f"photo-{tag}@exemple.fr", username=f"photo-{tag}", profile_data={"organisation": org})
    make_item(org, name=f"Kit webcam {tag}")
    picture = tmp_path / "kit.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 110, 180)).save(buffer, format="JPEG")
    picture.write_bytes(buffer.getvalue())

    login(page, asgi_server, owner.email, PASSWORD)
    page.goto(f"{asgi_server.url}/partage/")
    page.get_by_role("link", name=f"Kit webcam {tag}").click()
    page.get_by_role("link", name="Photos (0)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Photos de Kit webcam {tag}")
    _accessible_at_both_widths(page, "photos page (empty)")
    page.locator("input[type=file]").set_input_files(str(picture))
    page.locator("#id_alt").fill("La webcam sur son trépied")
    page.get_by_role("button", name="Ajouter la photo").click()
    expect(page.get_by_text("La photo est ajoutée.")).to_be_visible()
    expect(page.get_by_label("Description de la photo 1")).to_have_value("La webcam sur son trépied")
    _accessible_at_both_widths(page, "photos page (one photo)")

    page.get_by_role("link", name=f"Kit webcam {tag}").first.click()
    gallery = page.locator(".share-gallery")
    expect(gallery.get_by_role("img", name="La webcam sur son trépied")).to_be_attached()
    link = gallery.get_by_role("link", name="La webcam sur son trépied (voir la photo en grand)")
    link.focus()
    expect(link).to_be_focused()  # keyboard reachable, no script needed
    _accessible_at_both_widths(page, "item page with a photo")
    page.goto(f"{asgi_server.url}/partage/")
    expect(page.locator(".share-card picture img").first).to_be_attached()
