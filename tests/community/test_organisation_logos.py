"""Issue 16 item 3: organisation logos — its managers (staff, the creator and members staff add) change
or remove the logo through the upload guard; others get 403; old files deleted."""

import html
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from community import services
from community.activity import activity_record
from community.models import Organisation, OrganisationType
from tests.caches import clear_cache
from tests.factories import OrganisationFactory, member_with

pytestmark = pytest.mark.django_db


def _png(size=(900, 300)):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "Chez moi, 47.32 N 5.04 E"
    Image.new("RGB", size, (20, 90, 160)).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("logo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _form(org, **extra):
    data = {"name": org.name, "type": org.type, "siret": org.siret, "commune": org.commune_id or "", "website": "", "description": ""}
    return {**data, **extra}


@pytest.fixture
def org(member):
    organisation = OrganisationFactory(name="Médiathèque de Beaune", type=OrganisationType.MEDIATHEQUE)
    member.profile.organisation = organisation
    member.profile.save()
    organisation.managers.add(member)
    return organisation


def test_a_member_of_the_organisation_replaces_then_removes_its_logo(member_client, org, django_capture_on_commit_callbacks):
    url = reverse("community:organisation_edit", args=[org.slug])
    assert member_client.get(url).status_code == 200
    assert url in member_client.get(org.get_absolute_url()).content.decode()  # the edit link shows to managers
    with django_capture_on_commit_callbacks(execute=True):
        assert member_client.post(url, _form(org, logo=_png())).status_code == 302
    org.refresh_from_db()
    first = org.logo.name
    with Image.open(org.logo.open("rb")) as logo:
        assert max(logo.size) == 256 and not logo.getexif()
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url, _form(org, logo=_png((300, 300))))
    org.refresh_from_db()
    assert org.logo.name != first and default_storage.exists(org.logo.name)
    assert not default_storage.exists(first)  # the replaced file is deleted
    second = org.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        assert member_client.post(url, _form(org, **{"logo-clear": "on"})).status_code == 302
    org.refresh_from_db()
    assert not org.logo and not default_storage.exists(second)


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("cv.png", b"%PDF-1.4 pas une image", content_type="image/png"), "image valide"),
        (SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"), "image"),
    ],
)
def test_a_bad_upload_is_refused_in_french_and_nothing_is_saved(member_client, org, upload, message):
    url = reverse("community:organisation_edit", args=[org.slug])
    response = member_client.post(url, _form(org, name="Nom changé", logo=upload))
    assert response.status_code == 200 and message in html.unescape(response.content.decode())
    org.refresh_from_db()
    assert org.name == "Médiathèque de Beaune" and not org.logo


def test_a_50_megapixel_logo_is_refused(member_client, org):
    buffer = io.BytesIO()
    Image.new("1", (8000, 6250)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("enorme.png", buffer.getvalue(), content_type="image/png")
    response = member_client.post(reverse("community:organisation_edit", args=[org.slug]), _form(org, logo=upload))
    assert response.status_code == 200 and "mégapixels au plus" in response.content.decode()
    org.refresh_from_db()
    assert not org.logo


def test_a_member_of_another_organisation_gets_403(other_member, client_for, org):
    other_member.profile.organisation = OrganisationFactory()
    other_member.profile.save()
    client = client_for(other_member)
    url = reverse("community:organisation_edit", args=[org.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, _form(org, name="Piraté", logo=_png())).status_code == 403
    org.refresh_from_db()
    assert org.name == "Médiathèque de Beaune" and not org.logo
    assert url not in client.get(org.get_absolute_url()).content.decode()
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=other_member, organisation=org, data={"name": "Piraté"})


def test_naming_an_organisation_in_ones_profile_does_not_make_one_its_manager(other_member, client_for, org):
    other_member.profile.organisation = org
    other_member.profile.save()
    url = reverse("community:organisation_edit", args=[org.slug])
    assert client_for(other_member).post(url, _form(org, name="Piraté")).status_code == 403
    org.refresh_from_db()
    assert org.name == "Médiathèque de Beaune"


def test_the_member_who_creates_an_organisation_manages_it(other_member):
    created = services.organisation_create(actor=other_member, name="Tiers-lieu de Lons", type=OrganisationType.ASSOCIATION)
    assert list(created.managers.all()) == [other_member]
    updated = services.organisation_update(actor=other_member, organisation=created, data={"name": "Tiers-lieu de Lons-le-Saunier"})
    assert updated.name == "Tiers-lieu de Lons-le-Saunier"


def test_staff_may_edit_any_organisation(staff_client, org):
    url = reverse("community:organisation_edit", args=[org.slug])
    assert staff_client.post(url, _form(org, website="https://mediatheque.example", logo=_png())).status_code == 302
    org = Organisation.objects.get(pk=org.pk)
    assert org.website == "https://mediatheque.example" and org.logo


# --- Where logos show -------------------------------------------------------------------------
def _with_logo(org, name="organisations/logo-test.png"):
    Organisation.objects.filter(pk=org.pk).update(logo=name)
    org.refresh_from_db()
    return org


def test_logo_or_neutral_initials_in_list_directory_and_stream(member, member_client, org):
    _with_logo(org)
    bare = OrganisationFactory(name="Centre social Les Tilleuls")
    listing = member_client.get(reverse("community:organisation_list")).content.decode()
    assert f'src="{org.logo.url}" alt=""' in listing
    assert 'avatar-logo-empty avatar-s40" aria-hidden="true">CT</span>' in listing
    directory = member_client.get(reverse("community:directory")).content.decode()
    assert f'<p class="org-line"><img class="avatar avatar-logo avatar-s24" src="{org.logo.url}" alt=""' in directory
    activity_record(verb="a publié", title="Guide Pix", url="/ressources/", audience="members", kind="resources", organisation=org)
    activity_record(verb="a publié", title="Guide sans logo", url="/ressources/", audience="members", kind="resources", organisation=bare)
    stream = member_client.get(reverse("community:stream")).content.decode()
    assert f'src="{org.logo.url}" alt=""' in stream and f'href="{org.get_absolute_url()}">Médiathèque de Beaune</a>' in stream
    assert 'avatar-logo-empty avatar-s24" aria-hidden="true">CT</span>' in stream


def test_organisation_list_is_a_list_of_cards_with_initials_outside_the_links(member_client, org):
    """At 375 px the table overflowed and the initials were underlined as part of the link: the
    list is now cards (a ``ul``, no table), the initials beside the name's link, not in it."""
    OrganisationFactory(name="Centre social Les Tilleuls")
    listing = member_client.get(reverse("community:organisation_list")).content.decode()
    assert "<table" not in listing and 'class="grid org-cards"' in listing
    card = listing[listing.index('aria-hidden="true">CT</span>') :]
    card = card[: card.index("</li>")]
    assert card.index("</span>") < card.index("<a ")  # the initials close before the link opens
    assert (
        f'<a href="{Organisation.objects.get(name="Centre social Les Tilleuls").get_absolute_url()}">Centre social Les Tilleuls</a>' in card
    )
    assert "0 membre" in card


def _list_queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_organisation_list_directory_and_stream_query_counts_do_not_grow_with_logos(member, member_client):
    def add(n):
        for i in range(n):
            org = _with_logo(OrganisationFactory(), f"organisations/l{Organisation.objects.count()}.png")
            member_with(display_name=f"Membre {i}", organisation=org)
            activity_record(verb="a publié", title=f"Ressource {i}", url="/r/", audience="members", kind="resources", organisation=org)

    add(3)
    clear_cache()  # both rounds measured cold (settings and facets are cached)
    counts = [
        _list_queries(member_client, reverse(name)) for name in ("community:organisation_list", "community:directory", "community:stream")
    ]
    add(21)  # 24 organisations: the list's, the directory's and the stream's first pages full
    clear_cache()
    again = [
        _list_queries(member_client, reverse(name)) for name in ("community:organisation_list", "community:directory", "community:stream")
    ]
    assert counts == again, (counts, again)
