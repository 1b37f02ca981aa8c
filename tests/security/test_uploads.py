"""Hostile files at every upload point: each is refused, or stored in a form that cannot hurt.

Upload points (found from ``common/uploads.py`` and the forms): profile photo, event image, group
avatar, forum attachments, label evidence, resource-library files, and the two CSV imports
(places, funding calls). "Neutralised" means: what is stored is a re-encoded image (no script, no
appended HTML, no EXIF GPS) or a file that is never opened server-side and only served as an
attachment under a sandboxing CSP.
"""

import functools
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pytestmark = pytest.mark.django_db

MARKUP = (b"<script", b"<svg", b"<html", b"onload", b"alert(")


# --- hostile files -----------------------------------------------------------------------------
def _image(fmt="PNG", size=(40, 30), mode="RGB", **save):
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else 0).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _gps_jpeg():
    exif = Image.Exif()
    exif[0x010F] = "Appareil photo"
    exif[0x8825] = {1: "N", 2: (47.0, 19.0, 21.0), 3: "E", 4: (5.0, 2.0, 29.0)}  # GPS IFD: Dijon
    data = _image("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "fixture lost its GPS"
    return data


def _zip_bomb(megabytes=64):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (megabytes * 1024 * 1024))
    return buffer.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

HOSTILE = {
    "svg_script": lambda: ("logo.svg", SVG),
    "svg_renamed_png": lambda: ("logo.png", SVG),
    "html_renamed_jpg": lambda: ("photo.jpg", HTML),
    "gif_js_polyglot": lambda: ("anim.gif", b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1);//" + _image("GIF")[13:]),
    "gif_with_html_appended": lambda: ("anim.gif", _image("GIF") + b"<html><script>alert(1)</script></html>"),
    "jpeg_with_html_appended": lambda: ("photo.jpg", _image("JPEG") + b"<html><script>alert(1)</script></html>"),
    "png_with_html_appended": lambda: ("photo.png", _image("PNG") + b"<svg onload=alert(1)>"),
    "huge_dimensions_png": lambda: ("bombe.png", _image("PNG", size=(30000, 30000), mode="1")),
    "gap_dimensions_png": lambda: ("bombe.png", _image("PNG", size=(8000, 6000), mode="1")),  # 48 Mpx: Pillow only warns
    "path_traversal_name": lambda: ("../../../../etc/cron.d/x.png", _image("PNG")),
    "backslash_traversal_name": lambda: ("..\\..\\windows\\system32\\x.png", _image("PNG")),
    "exif_gps_jpeg": lambda: ("vacances.jpg", _gps_jpeg()),
    "zip_bomb": lambda: ("classeur.xlsx", _zip_bomb()),
}


@functools.cache
def _hostile(key):
    """Each hostile file is built once per run (the bombs take a second to compress)."""
    return HOSTILE[key]()


def _upload(key):
    name, data = _hostile(key)
    return SimpleUploadedFile(name, data, content_type="image/png")


def _oversize(limit):
    return SimpleUploadedFile("grosse.png", _image("PNG") + b"\0" * (limit + 1), content_type="image/png")


# --- upload points: each returns (stored bytes, stored name, original name kept) or raises ------
def _read(field_file):
    field_file.open("rb")
    try:
        return field_file.read()
    finally:
        field_file.close()


def profile_photo(upload):
    from community.forms import ProfileForm

    form = ProfileForm()
    form.cleaned_data = {"photo": upload}
    clean = form.clean_photo()
    clean.seek(0)
    return clean.read(), clean.name, ""


def event_image(upload):
    from events.forms import EventForm

    form = EventForm()
    form.cleaned_data = {"image": upload}
    clean = form.clean_image()
    clean.seek(0)
    return clean.read(), clean.name, ""


def group_avatar(upload):
    from groups.services import group_create
    from tests.factories import UserFactory

    group = group_create(actor=UserFactory(), name="Groupe avatar", avatar=upload)
    return _read(group.avatar), group.avatar.name, ""


def forum_attachment(upload):
    from groups.services import topic_create
    from tests.factories import UserFactory
    from tests.groups.factories import make_group

    owner = UserFactory()
    topic = topic_create(group=make_group(owner=owner), actor=owner, title="t", body="b", attachments=[upload])
    att = topic.posts.get().attachments.get()
    return _read(att.file), att.file.name, att.original_name


def label_evidence(upload):
    from labels import services
    from labels.models import Criterion
    from tests.labels.factories import make_application, make_referential

    make_referential()
    app = make_application()
    criterion = Criterion.objects.filter(axis__referential=app.referential_id).first()
    ev = services.evidence_add(actor=app.applicant, application=app, criterion=criterion, upload=upload)
    return _read(ev.file), ev.file.name, ev.original_name


def resource_file(upload):
    from content.forms import clean_resource_file
    from tests.content.factories import submit_resource

    clean = clean_resource_file(upload)
    resource = submit_resource(_author(), with_file=False)
    _attach(resource, clean)
    return _read(resource.file), resource.file.name, resource.file_name


def _author():
    from tests.factories import UserFactory

    return UserFactory()


def _attach(resource, clean):
    """What ``content.services.resource_submit`` does with a cleaned upload."""
    resource.file.save(clean.name, clean, save=False)
    resource.file_name, resource.file_type = clean.original_name, clean.content_type
    resource.save()


IMAGE_POINTS = {
    "profile_photo": profile_photo,
    "event_image": event_image,
    "group_avatar": group_avatar,
    "forum_attachment": forum_attachment,
    "label_evidence": label_evidence,
    "resource_file": resource_file,
}
LIMITS = {  # the documented maximum of each point
    "profile_photo": 5 * 1024 * 1024,
    "event_image": 5 * 1024 * 1024,
    "group_avatar": 5 * 1024 * 1024,
    "forum_attachment": 5 * 1024 * 1024,
    "label_evidence": 10 * 1024 * 1024,
    "resource_file": 20 * 1024 * 1024,
}


def _assert_neutral(point, key, stored, stored_name, original):
    # the stored name is ours: random, no directory part from the client, no traversal
    base = stored_name.rsplit("/", 1)[-1]
    assert ".." not in stored_name and "\\" not in stored_name, stored_name
    assert "cron" not in stored_name and "system32" not in stored_name and "etc" not in stored_name.split("/"), stored_name
    assert "/" not in original and "\\" not in original and not original.startswith("."), original
    if key == "zip_bomb":
        # accepted only where archives are a legitimate resource; never unpacked, stored as sent
        assert point == "resource_file", f"{point} accepted an archive"
        assert stored == _hostile(key)[1] and len(stored) < 1024 * 1024, "the archive was expanded or altered"
        return
    assert not any(marker in stored.lower() for marker in MARKUP), f"{point}/{key}: markup survived in the stored file"
    image = Image.open(io.BytesIO(stored))
    assert image.format in ("PNG", "JPEG"), image.format
    assert base.rsplit(".", 1)[-1] in ("png", "jpg"), base
    exif = image.getexif()
    assert not exif.get_ifd(0x8825) and 0x8825 not in exif, f"{point}/{key}: GPS kept"
    assert "exif" not in image.info, f"{point}/{key}: EXIF kept"


# Hostile files that must be refused everywhere (they are not images a person meant to send).
MUST_REFUSE = {"svg_script", "svg_renamed_png", "html_renamed_jpg", "huge_dimensions_png", "gap_dimensions_png"}


@pytest.mark.parametrize("key", sorted(HOSTILE))
@pytest.mark.parametrize("point", sorted(IMAGE_POINTS))
def test_hostile_upload_is_refused_or_neutralised(point, key):
    upload = _upload(key)
    try:
        stored, stored_name, original = IMAGE_POINTS[point](upload)
    except ValidationError:
        return  # refused
    assert key not in MUST_REFUSE, f"{point} accepted {key}"
    _assert_neutral(point, key, stored, stored_name, original)


@pytest.mark.parametrize("point", sorted(IMAGE_POINTS))
def test_oversize_upload_is_refused(point):
    with pytest.raises(ValidationError):
        IMAGE_POINTS[point](_oversize(LIMITS[point]))


def test_exif_gps_is_stripped_and_the_photo_kept():
    """The photo itself survives (a member's real holiday picture is accepted), its position does not."""
    for point in ("profile_photo", "event_image", "label_evidence", "resource_file"):
        stored, _name, _original = IMAGE_POINTS[point](_upload("exif_gps_jpeg"))
        image = Image.open(io.BytesIO(stored))
        assert image.size == (40, 30) and not image.getexif().get_ifd(0x8825), point


def test_csv_imports_refuse_binary_archives_and_oversize():
    from funding.forms import CsvImportForm
    from places.forms import PlaceImportForm

    bomb = _hostile("zip_bomb")[1]
    for data, name in ((bomb, "lieux.csv"), (bomb, "lieux.xlsx"), (_image("GIF") + b"<script>alert(1)</script>", "lieux.csv")):
        form = PlaceImportForm(data={"mode": "all"}, files={"file": SimpleUploadedFile(name, data)})
        assert not form.is_valid() and "file" in form.errors, name
    big = SimpleUploadedFile("lieux.csv", b"nom\n" + b"a\n" * (5 * 1024 * 1024 + 10))
    assert "file" in PlaceImportForm(data={"mode": "all"}, files={"file": big}).errors
    assert (
        "file" in CsvImportForm(data={}, files={"file": SimpleUploadedFile("appels.csv", b"titre\n" + b"a\n" * (1024 * 1024 + 10))}).errors
    )


def test_funding_csv_import_of_a_zip_bomb_imports_nothing():
    from funding.models import FundingCall
    from funding.services import calls_import_csv
    from tests.factories import StaffFactory

    before = FundingCall.objects.count()
    try:
        report = calls_import_csv(content=_zip_bomb(8), actor=StaffFactory())
    except (ValidationError, UnicodeDecodeError, ValueError):
        report = None
    assert FundingCall.objects.count() == before, report


def test_resource_archive_is_served_as_a_sandboxed_attachment(client, member, staff):
    from content.forms import clean_resource_file
    from tests.content.factories import published_resource

    resource = published_resource(member, staff, title="Classeur piégé")
    clean = clean_resource_file(_upload("zip_bomb"))
    _attach(resource, clean)
    response = client.get(f"/ressources/{resource.slug}/telecharger/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == _hostile("zip_bomb")[1]


def test_evidence_and_attachments_never_served_as_html(client_for, member):
    """Downloads carry nosniff and a non-HTML type, whatever the original name said."""
    from groups.services import topic_create
    from tests.groups.factories import make_group

    group = make_group(owner=member)
    upload = SimpleUploadedFile("page.html", _image("PNG"), content_type="text/html")
    topic = topic_create(group=group, actor=member, title="t", body="b", attachments=[upload])
    att = topic.posts.get().attachments.get()
    response = client_for(member).get(f"/groupes/{group.slug}/pieces-jointes/{att.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/png", "image/jpeg")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert not att.original_name.endswith(".html") or response["Content-Type"] != "text/html"
