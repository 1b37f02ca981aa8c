"""Issue 16 item 3: profile photos (square, small, no EXIF, JPEG + WebP), clear French refusals,
initials avatars, organisation logos, the one ``{% avatar %}`` tag."""

import html
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from community import services
from community.models import Organisation, OrganisationType, Profile
from community.rgpd import account_erase, personal_data_export
from community.templatetags.community_tags import initials

pytestmark = pytest.mark.django_db


def _upload(name="photo.jpg", size=(1200, 800), fmt="JPEG", exif=True):
    image = Image.new("RGB", size, (200, 40, 40))
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Appareil-espion"  # Make
        data[0x010E] = "Chez moi, 47.32 N 5.04 E"  # ImageDescription
        kwargs["exif"] = data
    image.save(buffer, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def _edit(client, profile, **files):
    data = {
        "display_name": profile.display_name,
        "metier": "",
        **{f"visibility_{k}": "members" for k in ("photo", "metier", "organisation", "territory", "bio", "skills", "links", "email")},
    }
    return client.post(reverse("community:profile_edit"), {**data, **files})


def test_photo_is_square_small_without_exif_in_jpeg_and_webp(member, member_client, django_capture_on_commit_callbacks):
    response = _edit(member_client, member.profile, photo=_upload())
    assert response.status_code == 302
    profile = Profile.objects.get(pk=member.profile.pk)
    with Image.open(profile.photo.open("rb")) as jpeg:
        assert jpeg.format == "JPEG" and jpeg.size == (256, 256)
        assert not jpeg.getexif() and "exif" not in jpeg.info
    with Image.open(profile.photo_webp.open("rb")) as webp:
        assert webp.format == "WEBP" and webp.size == (256, 256)
    first_files = [profile.photo.name, profile.photo_webp.name]
    with django_capture_on_commit_callbacks(execute=True):
        _edit(member_client, profile, photo=_upload(size=(300, 900), fmt="PNG", exif=False))
    profile.refresh_from_db()
    assert profile.photo.name not in first_files
    assert not any(default_storage.exists(name) for name in first_files)  # replaced files are deleted
    body = member_client.get(reverse("community:profile_detail", args=[profile.pk])).content.decode()
    assert profile.photo_webp.url in body and 'type="image/webp"' in body


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("cv.jpg", b"%PDF-1.4 pas une image", content_type="image/jpeg"), "image valide"),
        (SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"), "image"),
    ],
)
def test_non_images_are_refused_in_french(member, member_client, upload, message):
    response = _edit(member_client, member.profile, photo=upload)
    assert response.status_code == 200 and message in html.unescape(response.content.decode())
    assert not Profile.objects.get(pk=member.profile.pk).photo


def test_a_50_megapixel_image_is_refused_clearly(member, member_client):
    buffer = io.BytesIO()
    Image.new("1", (8000, 6250)).save(buffer, format="PNG")  # 50 MP, a few kilobytes
    upload = SimpleUploadedFile("enorme.png", buffer.getvalue(), content_type="image/png")
    response = _edit(member_client, member.profile, photo=upload)
    body = response.content.decode()
    assert response.status_code == 200 and "trop grande" in body and "mégapixels au plus" in body
    assert not Profile.objects.get(pk=member.profile.pk).photo


def test_initials_avatar_and_photo_visibility(member, other_member):
    assert initials("Éloïse Le Gall") == "ÉG" and initials("") == "?" and initials("marc") == "M"
    template = Template("{% load community_tags %}{% avatar person 40 %}")
    html = template.render(Context({"person": other_member, "user": member}))
    assert "avatar-tone-" in html and initials(other_member.public_name) in html and 'aria-hidden="true"' in html
    services.profile_update(actor=other_member, profile=other_member.profile, data={"photo": _upload()})
    other_member.profile.refresh_from_db()
    shown = template.render(Context({"person": other_member.profile, "user": member}))
    assert other_member.profile.photo.url in shown and 'alt=""' in shown
    other_member.profile.visibility = {**other_member.profile.visibility, "photo": "private"}
    other_member.profile.save()
    hidden = template.render(Context({"person": other_member.profile, "user": member}))
    assert other_member.profile.photo.url not in hidden


def test_organisation_logo(member, member_client):
    response = member_client.post(
        reverse("community:organisation_create"),
        {"name": "Médiathèque de Beaune", "type": OrganisationType.MEDIATHEQUE, "logo": _upload("logo.png", (900, 300), "PNG", False)},
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Médiathèque de Beaune")
    with Image.open(org.logo.open("rb")) as logo:
        assert max(logo.size) == 256
    assert org.logo.url in member_client.get(org.get_absolute_url()).content.decode()
    refused = member_client.post(
        reverse("community:organisation_create"),
        {"name": "Autre", "type": OrganisationType.ASSOCIATION, "logo": SimpleUploadedFile("l.png", b"nope", content_type="image/png")},
    )
    assert refused.status_code == 200 and not Organisation.objects.filter(name="Autre").exists()


def test_photos_in_rgpd_export_and_erased(member):
    services.profile_update(actor=member, profile=member.profile, data={"photo": _upload()})
    profile = Profile.objects.get(pk=member.profile.pk)
    names = [profile.photo.name, profile.photo_webp.name]
    assert profile.photo_webp.name in personal_data_export(user=member)
    account_erase(user=member)
    profile.refresh_from_db()
    assert not profile.photo and not profile.photo_webp
    assert names[0] and not any(default_storage.exists(name) for name in names)


OLD_AVATAR_TEMPLATE = """{% if photo %}<picture class="avatar avatar-s{{ size }}">{% if photo_webp %}<source srcset="{{ photo_webp.url }}"
    type="image/webp">{% endif %}<img src="{{ photo.url }}" alt="" width="{{ size }}" height="{{ size }}" loading="lazy"
    decoding="async"></picture>{% else %}<span class="avatar avatar-s{{ size }} avatar-tone-{{ tone }}"
    aria-hidden="true">{{ initials|default:"?" }}</span>{% endif %}
"""


def test_the_avatar_tag_writes_what_its_template_wrote(member, other_member):
    """The tag's markup, written in Python, is the included template's, case by case."""
    from community.faces import AVATAR_TONES
    from community.faces import avatar_size as _size

    def old(person, viewer, size):
        profile = getattr(person, "profile", person) if person is not None else None
        user = getattr(profile, "user", None) if profile is not None else None
        erased = user is not None and user.erased_at
        photo = None
        if profile is not None and not erased and profile.photo and profile.shown_fields(viewer).get("photo"):
            photo = profile.photo
        context = {
            "photo": photo,
            "photo_webp": getattr(profile, "photo_webp", None) if photo else None,
            "initials": "" if erased else initials(user.public_name if user is not None else ""),
            "size": _size(size),
            "tone": (profile.user_id or 0) % AVATAR_TONES if profile is not None else 0,
        }
        return Template(OLD_AVATAR_TEMPLATE).render(Context(context))

    tag = Template("{% load community_tags %}{% avatar person size %}")

    def check(person, viewer, size=40):
        new = tag.render(Context({"person": person, "user": viewer, "size": size}))
        assert new == old(person, viewer, size), (new, old(person, viewer, size))
        return new

    assert "avatar-tone-" in check(other_member, member) and "?" in check(None, member, 30)
    services.profile_update(actor=other_member, profile=other_member.profile, data={"photo": _upload()})
    other_member.profile.refresh_from_db()
    assert "<source" in check(other_member.profile, member, 64) and "<picture" in check(other_member, member, 100)
    other_member.profile.photo_webp = ""
    assert "<source" not in check(other_member.profile, member) and "<picture" in check(other_member.profile, member)
    other_member.profile.visibility = {**other_member.profile.visibility, "photo": "private"}
    assert "<picture" not in check(other_member.profile, member) and "<picture" in check(other_member.profile, other_member)
    other_member.profile.user.erased_at = timezone.now()
    assert ">?</span>" in check(other_member.profile, member)
