import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content import services
from content.models import Resource, ResourceReport, ResourceStatus
from groups.models import AccessMode, Group, Membership
from tests.content.factories import PDF, published_resource, submit_resource, theme
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _detail(resource):
    return reverse("content:resource_detail", args=[resource.slug])


def _download(resource):
    return reverse("content:resource_download", args=[resource.slug])


def test_visitor_sees_published_resource_and_downloads_it_as_attachment(client, published):
    assert client.get(reverse("content:resource_list")).status_code == 200
    response = client.get(_detail(published))
    assert response.status_code == 200 and "Atelier smartphone" in response.text
    response = client.get(_download(published))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["anonymous", "other_member"])
def test_draft_is_hidden_from_others(client, client_for, submitted, who, other_member):
    c = client if who == "anonymous" else client_for(other_member)
    assert c.get(_detail(submitted)).status_code == 404
    assert c.get(_download(submitted)).status_code == 404


def test_draft_is_visible_to_author_and_staff(member_client, staff_client, submitted):
    assert member_client.get(_detail(submitted)).status_code == 200
    assert member_client.get(_download(submitted)).status_code == 200
    response = staff_client.get(_detail(submitted))
    assert response.status_code == 200 and "Publier" in response.text


def test_resource_of_a_secret_group_is_hidden_from_outsiders(client, client_for, member, staff, other_member):
    group = Group.objects.create(name="Cercle secret", access=AccessMode.SECRET)
    Membership.objects.create(group=group, user=member)
    resource = published_resource(member, staff, group=group, title="Compte rendu secret")
    assert client.get(_detail(resource)).status_code == 404
    assert client_for(other_member).get(_detail(resource)).status_code == 404
    assert "Compte rendu secret" not in client.get(reverse("content:resource_list") + "?q=secret").text
    assert client_for(member).get(_detail(resource)).status_code == 200


def test_member_submits_from_the_site(member_client, member):
    response = member_client.post(
        reverse("content:resource_create"),
        {
            "title": "Fiche FranceConnect",
            "summary": "Pas à pas",
            "type": "guide",
            "licence": "etalab-2.0",
            "themes": [theme("sante").pk],
            "upload": SimpleUploadedFile("fiche.pdf", PDF),
            "rights": "on",
        },
    )
    resource = Resource.objects.get(title="Fiche FranceConnect")
    assert response.status_code == 302 and response["Location"] == _detail(resource)
    assert resource.status == ResourceStatus.SUBMITTED and resource.submitted_by == member
    assert list(resource.themes.values_list("slug", flat=True)) == ["sante"]


def test_submission_form_refuses_html_with_a_french_error(member_client):
    response = member_client.post(
        reverse("content:resource_create"),
        {
            "title": "Piège",
            "summary": "x",
            "type": "file",
            "licence": "cc-by",
            "upload": SimpleUploadedFile("a.pdf", b"<html></html>"),
            "rights": "on",
        },
    )
    assert response.status_code == 200 and "Format non accepté" in response.text
    assert not Resource.objects.exists()


def test_submission_needs_an_approved_member(client, pending_client):
    assert client.get(reverse("content:resource_create")).status_code == 302
    assert pending_client.get(reverse("content:resource_create")).status_code in (302, 403)


def test_publish_permissions(member_client, client_for, staff_client, submitted, other_member, member):
    url = reverse("content:resource_publish", args=[submitted.slug])
    assert client_for(other_member).post(url).status_code == 404  # cannot even see the draft
    assert member_client.post(url).status_code == 403  # the author sees it but may not publish
    assert staff_client.post(url).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ResourceStatus.PUBLISHED


def test_moderation_page(staff_client, member_client, submitted):
    response = staff_client.get(reverse("content:moderation"))
    assert response.status_code == 200 and submitted.title in response.text
    assert member_client.get(reverse("content:moderation")).status_code == 403
    response = staff_client.post(reverse("content:resource_reject", args=[submitted.slug]), {"note": "Doublon", "next": "moderation"})
    assert response["Location"] == reverse("content:moderation")


def test_vote_report_and_collect_from_the_page(client_for, published, other_member):
    c = client_for(other_member)
    c.post(reverse("content:resource_vote", args=[published.slug]))
    assert published.votes.count() == 1
    c.post(reverse("content:resource_report", args=[published.slug]), {"reason": "Lien cassé"})
    assert published.reports.count() == 1
    c.post(reverse("content:collection_add", args=[published.slug]), {"collection": "__new__", "new_title": "Ateliers"})
    collection = other_member.resource_collections.get()
    assert collection.title == "Ateliers" and collection.items.count() == 1


def test_anonymous_cannot_vote(client, published):
    response = client.post(reverse("content:resource_vote", args=[published.slug]))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
    assert published.votes.count() == 0


def test_private_collection_is_private(client, client_for, member, other_member, published):
    collection = services.collection_create(actor=member, title="Privée")
    services.collection_add(actor=member, collection=collection, resource=published)
    url = reverse("content:collection_detail", args=[collection.slug])
    assert client.get(url).status_code == 404
    assert client_for(other_member).get(url).status_code == 404
    assert client_for(member).get(url).status_code == 200
    services.collection_update(actor=member, collection=collection, title="Partagée", description="", is_public=True)
    response = client.get(url)
    assert response.status_code == 200 and published.title in response.text
    # A stranger cannot edit it, even when it is public.
    assert client_for(other_member).post(url, {"title": "Piratée"}).status_code == 403


def test_filters(client, member, staff):
    a = published_resource(member, staff, title="Guide santé", themes=[theme("sante")], type="guide")
    b = published_resource(member, staff, title="Vidéo emploi", type="video", with_file=False)
    url = reverse("content:resource_list")
    text = client.get(url, {"theme": "sante"}).text
    assert a.title in text and b.title not in text
    text = client.get(url, {"type": "video"}).text
    assert b.title in text and a.title not in text
    text = client.get(url, {"q": "emploi"}).text
    assert b.title in text and a.title not in text
    text = client.get(url, {"licence": "all-rights-reserved"}).text
    assert a.title not in text and b.title not in text
    for q in ("sante", "SANTÉ", "guide sante"):  # accents and case ignored
        text = client.get(url, {"q": q}).text
        assert a.title in text and b.title not in text, q


def test_report_is_rate_limited_with_a_french_429(client_for, published, other_member, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "2/h"}
    c = client_for(other_member)
    url = reverse("content:resource_report", args=[published.slug])
    for _ in range(2):
        assert c.post(url, {"reason": "Le lien est cassé"}).status_code == 302
    response = c.post(url, {"reason": "Le lien est cassé"})
    assert response.status_code == 429 and "Trop de demandes" in response.text and "enregistré" in response.text
    assert ResourceReport.objects.filter(resource=published).count() == 2


def _make(n, author, staff):
    t = theme("sante")
    for _ in range(n):
        r = published_resource(author, staff, themes=[t], with_file=False)
        services.resource_vote_toggle(actor=staff, resource=r)
    services.collection_add(actor=author, collection=_collection(author), resource=r)


def _collection(author):
    return author.resource_collections.first() or services.collection_create(actor=author, title="Tout", is_public=True)


@pytest.mark.parametrize(
    "url_name",
    ["content:resource_list", "content:moderation", "content:my_resources", "content:collection_list", "collection"],
)
def test_list_pages_cost_a_fixed_number_of_queries(client_for, member, staff, url_name):
    c = client_for(staff)
    counts = []
    for n in (10, 90):
        _make(n, member, staff)
        for _ in range(3):
            submit_resource(member)
        url = reverse(url_name) if url_name != "collection" else reverse("content:collection_detail", args=[_collection(member).slug])
        if url_name == "content:my_resources" or url_name == "content:collection_list":
            c = client_for(member)
        c.get(url)  # warm caches (site, settings)
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(url)
        assert response.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_detail_page_queries_do_not_grow_with_votes(client, member, staff):
    resource = published_resource(member, staff)
    counts = []
    for n in (10, 90):
        for _ in range(n):
            services.resource_vote_toggle(actor=UserFactory(), resource=resource)
        client.get(_detail(resource))
        with CaptureQueriesContext(connection) as ctx:
            client.get(_detail(resource))
        counts.append(len(ctx))
    assert counts[0] == counts[1]
