"""Photos of shared items (issue 14 item 4): several per item, added by the item's managers through
the upload guard (content judged, re-encoded, no EXIF, size and pixel caps), large + thumbnail in
JPEG and WebP; shown as the card's thumbnail and the item page's gallery; described, reordered and
removed; refused in French with nothing saved; files deleted with the photo and with the item."""

import html
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from sharing import selectors
from sharing.models import Item, ItemPhoto
from sharing.services import item_photo_add, item_photo_delete, item_photo_move, item_photo_update
from tests.factories import StaffFactory
from tests.sharing.factories import make_item

pytestmark = pytest.mark.django_db


def jpeg_upload(name="kit.jpg", size=(1200, 900), colour=(30, 120, 200)):
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010E] = "Chez moi, 47.32 N 5.04 E"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def not_an_image():
    return SimpleUploadedFile("notice.jpg", b"%PDF-1.4 pas une image", content_type="image/jpeg")


def fifty_megapixels():
    buffer = io.BytesIO()
    Image.new("1", (8000, 6250)).save(buffer, format="PNG")  # 50 MP in a few kilobytes
    return SimpleUploadedFile("enorme.png", buffer.getvalue(), content_type="image/png")


def _files(photo):
    return photo.file_names()


def test_owner_adds_a_photo_large_and_thumbnail_in_jpeg_and_webp_without_exif(client_for, owner, member, item):
    response = client_for(owner).post(reverse("sharing:item_photos", args=[item.pk]), {"image": jpeg_upload(), "alt": ""})
    assert response.status_code == 302
    photo = ItemPhoto.objects.get(item=item)
    with Image.open(photo.image.open("rb")) as large:
        assert large.format == "JPEG" and large.size == (1200, 900) and not large.getexif()
    with Image.open(photo.image_webp.open("rb")) as webp:
        assert webp.format == "WEBP" and webp.size == (1200, 900)
    with Image.open(photo.thumb.open("rb")) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (640, 360) and not thumb.getexif()
    with Image.open(photo.thumb_webp.open("rb")) as thumb_webp:
        assert thumb_webp.format == "WEBP"
    assert (photo.width, photo.height, photo.position) == (1200, 900, 0)
    # any member sees it: in the gallery with the item's name as alternative text, on the card as thumbnail
    page = client_for(member).get(item.get_absolute_url()).content.decode()
    assert f'href="{photo.image.url}"' in page and photo.image_webp.url in page
    assert 'alt="Valise de tablettes"' in page and "voir la photo en grand" in page
    listing = client_for(member).get(reverse("sharing:item_list")).content.decode()
    assert photo.thumb.url in listing and photo.thumb_webp.url in listing


def test_big_pictures_are_fitted_in_1600_pixels(owner, item):
    photo = item_photo_add(actor=owner, item=item, upload=jpeg_upload(size=(4000, 1000)))
    assert (photo.width, photo.height) == (1600, 400)


def test_alt_text_given_is_used_and_can_be_changed(client_for, owner, member, item):
    photo = item_photo_add(actor=owner, item=item, upload=jpeg_upload(), alt="La valise ouverte, huit tablettes")
    assert 'alt="La valise ouverte, huit tablettes"' in client_for(member).get(item.get_absolute_url()).content.decode()
    client_for(owner).post(reverse("sharing:photo_edit", args=[item.pk, photo.pk]), {"alt": "  Les chargeurs  "})
    assert ItemPhoto.objects.get(pk=photo.pk).alt == "Les chargeurs"
    client_for(owner).post(reverse("sharing:photo_edit", args=[item.pk, photo.pk]), {"alt": ""})
    assert 'alt="Valise de tablettes"' in client_for(member).get(item.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (not_an_image, "Ce fichier n'est pas une image valide."),
        (fifty_megapixels, "Cette image est trop grande : 40 mégapixels au plus."),
    ],
)
def test_bad_uploads_are_refused_in_french_and_nothing_saved(client_for, owner, item, upload, message):
    before = set(default_storage.listdir("partage")[1]) if default_storage.exists("partage") else set()
    response = client_for(owner).post(reverse("sharing:item_photos", args=[item.pk]), {"image": upload(), "alt": "x"})
    assert response.status_code == 200 and message in html.unescape(response.content.decode())
    assert not ItemPhoto.objects.exists()
    after = set(default_storage.listdir("partage")[1]) if default_storage.exists("partage") else set()
    assert after == before
    # the service refuses them too, not only the form
    with pytest.raises(ValidationError) as refused:
        item_photo_add(actor=owner, item=item, upload=upload())
    assert message in refused.value.message_dict["image"]


@override_settings(SHARING_MAX_PHOTOS=6)
def test_a_seventh_photo_is_refused_and_nothing_saved(client_for, owner, item):
    for n in range(6):
        item_photo_add(actor=owner, item=item, upload=jpeg_upload(f"{n}.jpg", size=(40, 30)))
    response = client_for(owner).post(reverse("sharing:item_photos", args=[item.pk]), {"image": jpeg_upload("7.jpg"), "alt": ""})
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and "Ce matériel a déjà 6 photos, le maximum : retirez-en une avant d'en ajouter." in body
    assert ItemPhoto.objects.filter(item=item).count() == 6
    page = html.unescape(client_for(owner).get(reverse("sharing:item_photos", args=[item.pk])).content.decode())
    assert "Le maximum de 6 photos est atteint" in page and 'type="file"' not in page


def test_only_the_items_managers_add_describe_move_or_remove(client_for, owner, member, item):
    photo = item_photo_add(actor=owner, item=item, upload=jpeg_upload())
    for call in (
        lambda: item_photo_add(actor=member, item=item, upload=jpeg_upload()),
        lambda: item_photo_update(actor=member, photo=photo, alt="intrus"),
        lambda: item_photo_move(actor=member, photo=photo, offset=1),
        lambda: item_photo_delete(actor=member, photo=photo),
    ):
        with pytest.raises(PermissionDenied):
            call()
    c = client_for(member)
    assert c.get(reverse("sharing:item_photos", args=[item.pk])).status_code == 403
    assert c.post(reverse("sharing:photo_delete", args=[item.pk, photo.pk])).status_code == 403
    assert ItemPhoto.objects.filter(pk=photo.pk, alt="").exists()
    # hub staff manage every item's photos
    item_photo_update(actor=StaffFactory(), photo=photo, alt="par l'équipe")
    # a photo reached through another item the owner manages: 404, untouched
    other = make_item(item.organisation, name="Salle")
    assert client_for(owner).post(reverse("sharing:photo_delete", args=[other.pk, photo.pk])).status_code == 404
    assert ItemPhoto.objects.filter(pk=photo.pk).exists()
    # no photo link for members who do not manage it
    assert reverse("sharing:item_photos", args=[item.pk]) not in c.get(item.get_absolute_url()).content.decode()


def test_reorder_and_remove_keep_positions_and_delete_files(client_for, owner, item, django_capture_on_commit_callbacks):
    a, b, c = (item_photo_add(actor=owner, item=item, upload=jpeg_upload(f"{n}.jpg", size=(40, 30)), alt=n) for n in "abc")
    client = client_for(owner)
    client.post(reverse("sharing:photo_move", args=[item.pk, c.pk]), {"sens": "avant"})
    assert [p.alt for p in selectors.item_photos(item=item)] == ["a", "c", "b"]
    client.post(reverse("sharing:photo_move", args=[item.pk, a.pk]), {"sens": "apres"})
    assert [p.alt for p in selectors.item_photos(item=item)] == ["c", "a", "b"]
    client.post(reverse("sharing:photo_move", args=[item.pk, c.pk]), {"sens": "avant"})  # already first: stays
    assert [(p.alt, p.position) for p in selectors.item_photos(item=item)] == [("c", 0), ("a", 1), ("b", 2)]
    names = _files(a)
    assert all(default_storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sharing:photo_delete", args=[item.pk, a.pk]))
    assert [(p.alt, p.position) for p in selectors.item_photos(item=item)] == [("c", 0), ("b", 1)]
    assert not any(default_storage.exists(n) for n in names)


def test_deleting_an_item_or_its_organisation_deletes_the_files(owner, item, django_capture_on_commit_callbacks):
    photos = [item_photo_add(actor=owner, item=item, upload=jpeg_upload(f"{n}.jpg", size=(40, 30))) for n in range(2)]
    names = [n for p in photos for n in _files(p)]
    assert len(names) == 8 and all(default_storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert not ItemPhoto.objects.exists() and not any(default_storage.exists(n) for n in names)
    other = make_item(owner.profile.organisation, name="Kit webcam")
    kept = _files(item_photo_add(actor=owner, item=other, upload=jpeg_upload(size=(40, 30))))
    with django_capture_on_commit_callbacks(execute=True):
        other.organisation.delete()
    assert not any(default_storage.exists(n) for n in kept)


def test_item_created_with_a_first_photo_or_not_at_all(client_for, owner, org):
    data = {"name": "Kit webcam", "kind": "materiel", "organisation": org.pk, "quantity": 2, "is_active": "on"}
    response = client_for(owner).post(reverse("sharing:item_create"), {**data, "photo": not_an_image()})
    assert response.status_code == 200 and "n&#x27;est pas une image valide" in response.content.decode()
    assert not Item.objects.filter(name="Kit webcam").exists()
    response = client_for(owner).post(reverse("sharing:item_create"), {**data, "photo": jpeg_upload(), "photo_alt": "Webcam et micro"})
    item = Item.objects.get(name="Kit webcam")
    assert response.status_code == 302 and [p.alt for p in item.photos.all()] == ["Webcam et micro"]
