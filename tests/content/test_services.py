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
        services.resource_publish(resource=resource, moderator=other_member)
    services.resource_publish(resource=resource, moderator=staff)
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
    services.resource_publish(resource=in_group, moderator=moderator)
    with pytest.raises(PermissionDenied):
        services.resource_publish(resource=outside, moderator=moderator)


def test_cannot_attach_resource_to_group_one_does_not_belong_to(member):
    group = Group.objects.create(name="Groupe fermé", access=AccessMode.SECRET)
    with pytest.raises(PermissionDenied):
        submit_resource(member, group=group)


def test_reject_needs_a_reason_and_tells_the_author(member, staff):
    resource = submit_resource(member)
    with pytest.raises(ValidationError):
        services.resource_reject(resource=resource, moderator=staff, note=" ")
    services.resource_reject(resource=resource, moderator=staff, note="Licence à préciser")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.REJECTED and resource.moderation_note == "Licence à préciser"
    assert Notification.objects.filter(recipient=member, description="Licence à préciser").exists()


def test_vote_toggles_and_is_unique(published, other_member):
    assert services.resource_vote_toggle(resource=published, user=other_member) is True
    assert ResourceVote.objects.filter(resource=published).count() == 1
    assert services.resource_vote_toggle(resource=published, user=other_member) is False
    assert not ResourceVote.objects.exists()


def test_vote_on_unpublished_is_refused(submitted, other_member):
    with pytest.raises(PermissionDenied):
        services.resource_vote_toggle(resource=submitted, user=other_member)


def test_report_notifies_staff(published, other_member, staff):
    with pytest.raises(ValidationError):
        services.resource_report(resource=published, reporter=other_member, reason="")
    services.resource_report(resource=published, reporter=other_member, reason="Le lien est cassé")
    assert ResourceReport.objects.filter(resource=published).count() == 1
    assert Notification.objects.filter(recipient=staff, verb__icontains="signalé").exists()


def test_collections_belong_to_their_owner(published, member, other_member, submitted):
    collection = services.collection_create(owner=member, title="Pour mes ateliers")
    services.collection_add(collection=collection, resource=published, user=member)
    services.collection_add(collection=collection, resource=published, user=member)  # idempotent
    assert collection.items.count() == 1
    with pytest.raises(PermissionDenied):
        services.collection_add(collection=collection, resource=published, user=other_member)
    with pytest.raises(PermissionDenied):  # a draft cannot be collected by someone who cannot see it
        services.collection_add(collection=services.collection_create(owner=other_member, title="x"), resource=submitted, user=other_member)
    services.collection_remove(collection=collection, resource=published, user=member)
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
    services.resource_vote_toggle(resource=other, user=member)
    private = services.collection_create(owner=member, title="Privée")
    public = services.collection_create(owner=member, title="Publique", is_public=True)
    services.collection_add(collection=public, resource=other, user=member)
    export = personal_data_export(user=member)
    assert "Mon guide" in export and "Publique" in export
    account_erase(user=member)
    resource.refresh_from_db()
    assert resource.submitted_by.public_name == "ancien membre"
    assert not ResourceVote.objects.filter(user=member).exists()
    assert not Collection.objects.filter(pk=private.pk).exists()
    public.refresh_from_db()
    assert public.owner is None
