"""Group and forum services: memberships, posting rules, notifications, moderation, RGPD."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from notifications.models import Notification

from common.registry import registry
from community.models import MemberStatus, OutboundEmail
from community.services import member_decide
from groups import selectors, services
from groups.models import (
    AccessMode,
    Attachment,
    Group,
    GroupInvitation,
    Membership,
    MembershipStatus,
    ModerationLog,
    NotifyLevel,
    PostRevision,
    Reaction,
    ReportStatus,
    Role,
    TopicRead,
)
from tests.factories import StaffFactory, UserFactory
from tests.groups.factories import make_group, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def kinds_for(user):
    return [n.data.get("kind") for n in Notification.objects.filter(recipient=user)]


# --- Memberships ------------------------------------------------------------------------------
def test_open_group_join_is_immediate(open_group, member):
    membership = services.group_join(group=open_group, actor=member)
    assert membership.status == MembershipStatus.ACTIVE


def test_request_group_join_waits_for_admin_who_is_notified(owner, member):
    group = make_group(owner=owner, access=AccessMode.REQUEST)
    membership = services.group_join(group=group, actor=member)
    assert membership.status == MembershipStatus.REQUESTED
    assert "groups.membership" in kinds_for(owner)
    with pytest.raises(PermissionDenied):
        services.membership_request_decide(group=group, actor=member, user=member, accept=True)
    services.membership_request_decide(group=group, actor=owner, user=member, accept=True)
    assert Membership.objects.get(group=group, user=member).status == MembershipStatus.ACTIVE
    assert ModerationLog.objects.filter(group=group, action="request_accept").exists()


def test_refused_request_is_removed(owner, member):
    group = make_group(owner=owner, access=AccessMode.REQUEST)
    services.group_join(group=group, actor=member)
    services.membership_request_decide(group=group, actor=owner, user=member, accept=False)
    assert not Membership.objects.filter(group=group, user=member).exists()


def test_secret_group_cannot_be_joined_without_invitation(secret_group, member):
    with pytest.raises(PermissionDenied):
        services.group_join(group=secret_group, actor=member)


def test_secret_group_invitation_then_accept(secret_group, owner, member):
    services.group_invite(group=secret_group, actor=owner, user=member)
    assert Membership.objects.get(group=secret_group, user=member).status == MembershipStatus.INVITED
    assert "groups.membership" in kinds_for(member)
    services.group_join(group=secret_group, actor=member)
    assert Membership.objects.get(group=secret_group, user=member).status == MembershipStatus.ACTIVE


def test_plain_member_cannot_invite_into_secret_group(secret_group, member, other_member):
    Membership.objects.create(group=secret_group, user=member)
    with pytest.raises(PermissionDenied):
        services.group_invite(group=secret_group, actor=member, user=other_member)


def test_email_invitation_for_unknown_address_becomes_membership_on_approval(secret_group, owner):
    invitation = services.group_invite(group=secret_group, actor=owner, email="nouvelle@exemple.fr")
    assert isinstance(invitation, GroupInvitation)
    outbox = OutboundEmail.objects.get(to_email="nouvelle@exemple.fr")
    assert secret_group.name not in outbox.body_text  # a secret group's name never leaves by e-mail
    newcomer = UserFactory(email="nouvelle@exemple.fr", profile_data={"status": MemberStatus.PENDING})
    staff = StaffFactory()
    with TestCase.captureOnCommitCallbacks(execute=True):
        member_decide(actor=staff, profile=newcomer.profile, approve=True)
    assert Membership.objects.get(group=secret_group, user=newcomer).status == MembershipStatus.INVITED
    assert Membership.objects.filter(group__is_network=True, user=newcomer, status=MembershipStatus.ACTIVE).exists()


def test_banned_member_cannot_rejoin_nor_post(open_group, owner, member):
    services.group_join(group=open_group, actor=member)
    services.member_ban(group=open_group, actor=owner, user=member)
    with pytest.raises(PermissionDenied):
        services.group_join(group=open_group, actor=member)
    with pytest.raises(PermissionDenied):
        services.topic_create(group=open_group, actor=member, title="t", body="b")
    assert ModerationLog.objects.filter(action="member_ban", target_user=member).exists()
    services.member_unban(group=open_group, actor=owner, user=member)
    assert services.group_join(group=open_group, actor=member).is_active


def test_sole_owner_cannot_leave_and_group_keeps_an_owner(open_group, owner, member):
    with pytest.raises(ValidationError):
        services.group_leave(group=open_group, actor=owner)
    services.group_join(group=open_group, actor=member)
    services.member_set_role(group=open_group, actor=owner, user=member, role=Role.OWNER)
    services.group_leave(group=open_group, actor=owner)
    assert not Membership.objects.filter(group=open_group, user=owner).exists()


def test_admin_cannot_remove_owner_but_owner_can_remove_member(open_group, owner, member, other_member):
    Membership.objects.create(group=open_group, user=member, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.member_remove(group=open_group, actor=member, user=owner)
    services.group_join(group=open_group, actor=other_member)
    services.member_remove(group=open_group, actor=member, user=other_member)
    assert not Membership.objects.filter(group=open_group, user=other_member).exists()


def test_network_group_gets_every_approved_member():
    user = UserFactory()
    services.network_sync()
    network = Group.objects.get(is_network=True)
    assert network.access == AccessMode.OPEN
    assert Membership.objects.filter(group=network, user=user, status=MembershipStatus.ACTIVE).exists()
    with pytest.raises(ValidationError):
        services.group_leave(group=network, actor=user)


def test_member_approved_signal_adds_to_network():
    pending = UserFactory(profile_data={"status": MemberStatus.PENDING})
    with TestCase.captureOnCommitCallbacks(execute=True):
        member_decide(actor=StaffFactory(), profile=pending.profile, approve=True)
    assert Membership.objects.filter(group__is_network=True, user=pending).exists()


# --- Forum ------------------------------------------------------------------------------------
def test_topic_create_requires_active_membership(open_group, member):
    with pytest.raises(PermissionDenied):
        services.topic_create(group=open_group, actor=member, title="Bonjour", body="Texte")
    services.group_join(group=open_group, actor=member)
    topic = services.topic_create(group=open_group, actor=member, title="Bonjour", body="Texte", tags="CAF, Seniors, caf")
    assert topic.post_count == 0 or topic.posts.count() == 1
    topic.refresh_from_db()
    assert topic.post_count == 1 and topic.tags == ["caf", "seniors"]


def test_topic_create_validates_and_changes_nothing_on_error(open_group, owner):
    with pytest.raises(ValidationError):
        services.topic_create(group=open_group, actor=owner, title="Titre", body="   ")
    with pytest.raises(ValidationError):
        services.topic_create(
            group=open_group, actor=owner, title="Titre", body="ok", attachments=[pdf_upload(), png_upload(), _html_upload()]
        )
    assert open_group.topics.count() == 0


def _html_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("image.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")


def test_attachments_are_checked_by_content(open_group, owner):
    topic = services.topic_create(
        group=open_group, actor=owner, title="Pièces", body="voir", attachments=[pdf_upload("compte rendu.pdf"), png_upload()]
    )
    kinds = sorted(Attachment.objects.filter(post__topic=topic).values_list("kind", flat=True))
    assert kinds == ["image", "pdf"]
    assert Attachment.objects.get(kind="pdf").original_name == "compte rendu.pdf"


def test_attachments_live_in_the_private_storage_only(open_group, owner):
    from django.core.files.storage import default_storage, storages

    topic = services.topic_create(group=open_group, actor=owner, title="Pièces", body="voir", attachments=[pdf_upload()])
    attachment = Attachment.objects.get(post__topic=topic)
    assert attachment.file.storage is storages["private"]
    assert storages["private"].exists(attachment.file.name) and not default_storage.exists(attachment.file.name)


def test_files_stored_publicly_before_are_moved_to_the_private_storage(open_group, owner):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage, storages

    from common.storage import move_files_to_private

    topic = services.topic_create(group=open_group, actor=owner, title="Pièces", body="voir", attachments=[pdf_upload()])
    attachment = Attachment.objects.get(post__topic=topic)
    name = attachment.file.name
    legacy = default_storage.save("forum/ancien.pdf", ContentFile(b"%PDF-1.4 ancien"))
    storages["private"].delete(name)
    Attachment.objects.filter(pk=attachment.pk).update(file=legacy)
    assert move_files_to_private(Attachment) == 1
    assert not default_storage.exists(legacy) and storages["private"].open(legacy).read() == b"%PDF-1.4 ancien"
    assert move_files_to_private(Attachment) == 0  # idempotent


def test_locked_topic_refuses_replies_except_moderators(open_group, owner, member):
    services.group_join(group=open_group, actor=member)
    topic = services.topic_create(group=open_group, actor=member, title="t", body="b")
    services.topic_moderate(topic=topic, actor=owner, action="lock")
    with pytest.raises(PermissionDenied):
        services.post_create(topic=topic, actor=member, body="encore")
    services.post_create(topic=topic, actor=owner, body="clôture")
    assert ModerationLog.objects.filter(action="topic_lock").exists()


def test_edit_keeps_revision_and_marks_edited(open_group, owner, member):
    services.group_join(group=open_group, actor=member)
    topic = services.topic_create(group=open_group, actor=member, title="t", body="v1")
    post = topic.posts.get()
    services.post_edit(post=post, actor=member, body="v2")
    post.refresh_from_db()
    assert post.body == "v2" and post.edited_at is not None
    assert list(PostRevision.objects.filter(post=post).values_list("body", flat=True)) == ["v1"]
    with pytest.raises(PermissionDenied):
        services.post_edit(post=post, actor=UserFactory(), body="pirate")


def test_soft_delete_keeps_position(open_group, owner):
    topic = services.topic_create(group=open_group, actor=owner, title="t", body="1")
    second = services.post_create(topic=topic, actor=owner, body="2")
    third = services.post_create(topic=topic, actor=owner, body="3")
    services.post_delete(post=second, actor=owner)
    second.refresh_from_db()
    assert second.is_deleted and selectors.post_position(third) == 3


def test_reaction_toggles(open_group, owner):
    topic = services.topic_create(group=open_group, actor=owner, title="t", body="1")
    post = topic.posts.get()
    assert services.reaction_toggle(post=post, actor=owner, kind="like") is True
    assert services.reaction_toggle(post=post, actor=owner, kind="like") is False
    assert not Reaction.objects.exists()
    with pytest.raises(ValidationError):
        services.reaction_toggle(post=post, actor=owner, kind="hate")


def test_read_marker_only_moves_forward(open_group, owner, member):
    services.group_join(group=open_group, actor=member)
    topic = services.topic_create(group=open_group, actor=owner, title="t", body="1")
    p2 = services.post_create(topic=topic, actor=owner, body="2")
    services.topic_mark_read(topic=topic, actor=member, post_id=p2.pk)
    services.topic_mark_read(topic=topic, actor=member, post_id=1)
    assert TopicRead.objects.get(topic=topic, user=member).last_read_post_id == p2.pk
    p3 = services.post_create(topic=topic, actor=owner, body="3")
    assert selectors.first_unread_post_id(topic=topic, user=member) == p3.pk


# --- Notifications ----------------------------------------------------------------------------
def test_mention_reply_and_watching_notifications(open_group, owner):
    alice = UserFactory(profile_data={"display_name": "Alice Martin"})
    bob = UserFactory()
    carol = UserFactory()
    for user in (alice, bob, carol):
        services.group_join(group=open_group, actor=user)
    topic = services.topic_create(group=open_group, actor=bob, title="Question", body="Qui sait ?")
    services.membership_set_notify_default(group=open_group, actor=carol, level=NotifyLevel.WATCHING)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.post_create(topic=topic, actor=owner, body="Je pense que @Alice Martin sait.")
    assert kinds_for(alice) == ["groups.mention"]
    assert kinds_for(bob) == ["groups.reply"]
    assert kinds_for(carol) == ["groups.watching"]
    assert kinds_for(owner) == []


def test_muted_topic_gets_no_reply_notification(open_group, owner, member):
    services.group_join(group=open_group, actor=member)
    topic = services.topic_create(group=open_group, actor=member, title="t", body="b")
    services.topic_set_level(topic=topic, actor=member, level=NotifyLevel.MUTED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.post_create(topic=topic, actor=owner, body="réponse")
    assert kinds_for(member) == []


def test_mention_in_secret_group_never_reaches_outsider(secret_group, owner):
    outsider = UserFactory(profile_data={"display_name": "Zoé Dehors"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        topic = services.topic_create(group=secret_group, actor=owner, title="Secret", body="@Zoé Dehors regarde ça")
        services.post_create(topic=topic, actor=owner, body="@Zoé Dehors toujours")
    assert Notification.objects.filter(recipient=outsider).count() == 0
    assert not any(secret_group.name in m.body for m in mail.outbox if outsider.email in m.to)


# --- Moderation -------------------------------------------------------------------------------
def test_report_queue_hide_and_log(open_group, owner, member):
    moderator = UserFactory()
    Membership.objects.create(group=open_group, user=moderator, role=Role.MODERATOR)
    services.group_join(group=open_group, actor=member)
    topic = services.topic_create(group=open_group, actor=owner, title="t", body="vilain")
    post = topic.posts.get()
    report = services.post_report(post=post, actor=member, reason="Propos déplacés")
    assert "groups.moderation" in kinds_for(moderator)
    assert list(selectors.reports_for_group(group=open_group)) == [report]
    assert report in list(selectors.reports_hub_wide())
    with pytest.raises(PermissionDenied):
        services.report_decide(report=report, actor=member, status=ReportStatus.RESOLVED)
    services.report_decide(report=report, actor=moderator, status=ReportStatus.RESOLVED, hide=True)
    post.refresh_from_db()
    assert post.is_hidden
    assert set(ModerationLog.objects.filter(group=open_group).values_list("action", flat=True)) >= {"post_hide", "report_resolved"}


def test_hub_wide_queue_excludes_secret_groups(secret_group, owner):
    topic = services.topic_create(group=secret_group, actor=owner, title="t", body="b")
    services.post_report(post=topic.posts.get(), actor=owner, reason="test secret")
    assert list(selectors.reports_hub_wide()) == []


def test_staff_moderates_visible_groups_but_not_secret_ones(open_group, secret_group, owner):
    staff = StaffFactory()
    topic = services.topic_create(group=open_group, actor=owner, title="t", body="b")
    services.topic_moderate(topic=topic, actor=staff, action="pin")
    secret_topic = services.topic_create(group=secret_group, actor=owner, title="t", body="b")
    with pytest.raises(PermissionDenied):
        services.topic_moderate(topic=secret_topic, actor=staff, action="pin")


def test_topic_move_requires_rights_in_both_groups(open_group, owner, member):
    target = make_group(owner=member)
    topic = services.topic_create(group=open_group, actor=owner, title="t", body="b")
    with pytest.raises(PermissionDenied):
        services.topic_move(topic=topic, actor=owner, target=target)
    services.group_join(group=target, actor=owner)
    services.topic_move(topic=topic, actor=owner, target=target)
    topic.refresh_from_db()
    assert topic.group == target
    assert ModerationLog.objects.filter(action="topic_move").count() == 2


# --- RGPD and registry ------------------------------------------------------------------------
def test_export_and_erase(open_group, owner, member):
    services.group_join(group=open_group, actor=member)
    topic = services.topic_create(group=open_group, actor=member, title="Mon sujet", body="Mes mots")
    services.reaction_toggle(post=topic.posts.get(), actor=member, kind="like")
    data = registry.data_exporters["groups"](member)
    assert data["messages"][0]["texte"] == "Mes mots" and data["reactions"] and data["adhesions"]
    registry.account_erasers["groups"](member)
    assert not Membership.objects.filter(user=member).exists()
    assert not Reaction.objects.filter(user=member).exists()
    assert topic.posts.get().body == "Mes mots"  # the conversation keeps its meaning


def test_registry_entries():
    assert {"groups.mention", "groups.reply", "groups.watching", "groups.membership"} <= set(registry.notification_kinds)
    assert "groups.mine" in registry.dashboard_panels and "groups.activity" in registry.profile_panels
    assert "groups" in registry.demo_loaders


def test_attachment_refusals_stay_on_the_attachments_field(open_group, owner):
    """The forum uses the same attachment rule as private messages (``common.uploads``): a PDF
    over 10 Mo is refused on the form's field with its reason, and nothing is saved."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.topic_create(group=open_group, actor=owner, title="Titre", body="ok", attachments=[png_upload(), big])
    assert "gros.pdf" in exc.value.message_dict["attachments"][0] and "volumineux" in exc.value.message_dict["attachments"][0]
    assert open_group.topics.count() == 0 and not Attachment.objects.exists()
