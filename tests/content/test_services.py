import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from notifications.models import Notification

from community.rgpd import account_erase, personal_data_export
from content import services
from content.forms import clean_resource_file
from content.models import Collection, Resource, ResourceReport, ResourceStatus, ResourceVote
from groups.models import AccessMode, Group, Membership, Role
from tests.content.factories import published_resource, submit_resource
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_member_submission_waits_and_notifies_staff(member, staff):
    resource = submit_resource(member)
    assert resource.status == ResourceStatus.SUBMITTED
    assert resource.file_name.endswith(".pdf") and resource.file_type == "application/pdf"
    assert Notification.objects.filter(recipient=staff, verb__icontains="proposé").exists()


def test_staff_submission_is_published_at_once(staff):
    resource = submit_resource(staff)
    assert resource.status == ResourceStatus.PUBLISHED and resource.published_at


def test_submission_needs_link_or_file(member):
    with pytest.raises(ValidationError):
        submit_resource(member, with_file=False, url="")
    assert not Resource.objects.exists()


def test_publish_notifies_author_and_only_moderators_may(member, other_member, staff):
    resource = submit_resource(member)
    with pytest.raises(PermissionDenied):
        services.resource_publish(actor=other_member, resource=resource)
    services.resource_publish(actor=staff, resource=resource)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED
    assert Notification.objects.filter(recipient=member, verb__icontains="publié").exists()


def test_group_moderator_publishes_group_resources_only(member, staff):
    group = Group.objects.create(name="Seniors connectés")
    moderator = UserFactory()
    Membership.objects.create(group=group, user=member)
    Membership.objects.create(group=group, user=moderator, role=Role.MODERATOR)
    in_group = submit_resource(member, group=group)
    outside = submit_resource(member)
    assert Notification.objects.filter(recipient=moderator, verb__icontains="proposé").count() == 1
    services.resource_publish(actor=moderator, resource=in_group)
    with pytest.raises(PermissionDenied):
        services.resource_publish(actor=moderator, resource=outside)


def test_cannot_attach_resource_to_group_one_does_not_belong_to(member):
    group = Group.objects.create(name="Groupe fermé", access=AccessMode.SECRET)
    with pytest.raises(PermissionDenied):
        submit_resource(member, group=group)


def test_reject_needs_a_reason_and_tells_the_author(member, staff):
    resource = submit_resource(member)
    with pytest.raises(ValidationError):
        services.resource_reject(actor=staff, resource=resource, note=" ")
    services.resource_reject(actor=staff, resource=resource, note="Licence à préciser")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.REJECTED and resource.moderation_note == "Licence à préciser"
    assert Notification.objects.filter(recipient=member, description="Licence à préciser").exists()


def test_vote_toggles_and_is_unique(published, other_member):
    assert services.resource_vote_toggle(actor=other_member, resource=published) is True
    assert ResourceVote.objects.filter(resource=published).count() == 1
    assert services.resource_vote_toggle(actor=other_member, resource=published) is False
    assert not ResourceVote.objects.exists()


def test_vote_on_unpublished_is_refused(submitted, other_member):
    with pytest.raises(PermissionDenied):
        services.resource_vote_toggle(actor=other_member, resource=submitted)


def test_report_notifies_staff(published, other_member, staff):
    with pytest.raises(ValidationError):
        services.resource_report(actor=other_member, resource=published, reason="")
    services.resource_report(actor=other_member, resource=published, reason="Le lien est cassé")
    assert ResourceReport.objects.filter(resource=published).count() == 1
    assert Notification.objects.filter(recipient=staff, verb__icontains="signalé").exists()


def test_collections_belong_to_their_owner(published, member, other_member, submitted):
    collection = services.collection_create(actor=member, title="Pour mes ateliers")
    services.collection_add(actor=member, collection=collection, resource=published)
    services.collection_add(actor=member, collection=collection, resource=published)  # idempotent
    assert collection.items.count() == 1
    with pytest.raises(PermissionDenied):
        services.collection_add(actor=other_member, collection=collection, resource=published)
    with pytest.raises(PermissionDenied):  # a draft cannot be collected by someone who cannot see it
        services.collection_add(
            actor=other_member, collection=services.collection_create(actor=other_member, title="x"), resource=submitted
        )
    services.collection_remove(actor=member, collection=collection, resource=published)
    assert collection.items.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("doc.pdf", b"%PDF-1.7 rest", True),
        ("doc.odt", b"PK\x03\x04rest", True),
        ("notes.csv", "nom;ville\nÉlise;Dijon\n".encode(), True),
        ("page.pdf", b"<html><script>alert(1)</script></html>", False),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", False),
        ("page.txt", b"<!doctype html><html></html>", False),
        ("prog.exe", b"MZ\x90\x00", False),
    ],
)
def test_files_are_judged_by_content(name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        cleaned = clean_resource_file(upload)
        assert cleaned.name != name and cleaned.original_name.rsplit(".", 1)[0] == name.rsplit(".", 1)[0]
    else:
        with pytest.raises(ValidationError):
            clean_resource_file(upload)


def test_file_size_is_limited(monkeypatch):
    monkeypatch.setattr("content.forms.MAX_RESOURCE_BYTES", 10)
    with pytest.raises(ValidationError):
        clean_resource_file(SimpleUploadedFile("a.pdf", b"%PDF-1.4 more than ten bytes"))


def test_rgpd_export_and_erase(member, staff):
    resource = published_resource(member, staff, title="Mon guide")
    other = published_resource(staff, staff)
    services.resource_vote_toggle(actor=member, resource=other)
    private = services.collection_create(actor=member, title="Privée")
    public = services.collection_create(actor=member, title="Publique", is_public=True)
    services.collection_add(actor=member, collection=public, resource=other)
    export = personal_data_export(user=member)
    assert "Mon guide" in export and "Publique" in export
    account_erase(user=member)
    resource.refresh_from_db()
    assert resource.submitted_by.public_name == "ancien membre"
    assert not ResourceVote.objects.filter(user=member).exists()
    assert not Collection.objects.filter(pk=private.pk).exists()
    public.refresh_from_db()
    assert public.owner is None


def test_published_resource_enters_the_stream_with_its_pages_audience(member, other_member, staff):
    from community.models import Activity, ActivityKind

    public = published_resource(member, staff, title="Guide ouvert à toutes et tous")
    item = Activity.objects.get(object_ref=f"content.resource:{public.pk}")
    assert (item.audience, item.kind, item.actor, item.title) == ("public", ActivityKind.RESOURCES, member, public.title)
    secret = Group.objects.create(name="Cellule de crise", access=AccessMode.SECRET)
    Membership.objects.create(group=secret, user=member)
    hidden = published_resource(member, staff, title="Compte rendu confidentiel", group=secret)
    assert Activity.objects.get(object_ref=f"content.resource:{hidden.pk}").audience == f"group:{secret.pk}"
    assert not Activity.objects.filter(object_ref=f"content.resource:{submit_resource(member).pk}").exists()  # not published yet
    services.resource_reject(actor=staff, resource=public, note="Licence à préciser")
    assert not Activity.objects.filter(object_ref=f"content.resource:{public.pk}").exists()
