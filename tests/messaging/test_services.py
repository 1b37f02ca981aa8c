"""Services of private messaging: who may write, what is written, and what follows."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from notifications.models import Notification

from community.models import DigestItem, NotificationPreference, OutboundEmail
from community.rgpd import account_erase, personal_data_export
from messaging import services
from messaging.models import Block, Conversation, Message, MessageReport, Participant, ReportStatus
from messaging.selectors import inbox_for, unread_conversations_count
from tests.factories import StaffFactory, UserFactory
from tests.messaging.factories import make_conversation, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def test_one_to_one_conversation_is_reused_and_counts_unread(member, other_member):
    conv = make_conversation(member, other_member, body="Bonjour **toi**")
    again = make_conversation(member, other_member, body="Encore moi")
    assert again.pk == conv.pk
    assert Participant.objects.filter(conversation=conv).count() == 2
    assert unread_conversations_count(user_id=other_member.pk) == 1
    assert unread_conversations_count(user_id=member.pk) == 0  # one's own messages are read
    services.conversation_mark_read(actor=other_member, conversation=Conversation.objects.get(pk=conv.pk))
    assert unread_conversations_count(user_id=other_member.pk) == 0
    # the answer is unread for the first one
    services.message_send(actor=other_member, conversation=conv, body="Réponse")
    assert unread_conversations_count(user_id=member.pk) == 1


def test_group_conversation_up_to_twenty_people(member):
    nineteen = [UserFactory() for _ in range(19)]
    conv = make_conversation(member, *nineteen, subject="Atelier")
    assert conv.participants.count() == 20
    with pytest.raises(ValidationError) as exc:
        make_conversation(member, *nineteen, UserFactory(), subject="Trop")
    assert "20 personnes au maximum" in str(exc.value)
    assert Conversation.objects.filter(subject="Trop").count() == 0


def test_a_subject_starts_a_new_conversation_even_with_one_person(member, other_member):
    first = make_conversation(member, other_member)
    second = make_conversation(member, other_member, subject="Projet")
    assert first.pk != second.pk


def test_pending_or_erased_members_cannot_be_written_to(member):
    pending = UserFactory(profile_data={"status": "pending"})
    with pytest.raises(ValidationError):
        make_conversation(member, pending)
    with pytest.raises(ValidationError):
        make_conversation(member)
    assert not Conversation.objects.exists()


def test_only_active_participants_write(member, other_member):
    conv = make_conversation(member, other_member)
    with pytest.raises(PermissionDenied):
        services.message_send(actor=UserFactory(), conversation=conv, body="intrus")
    with pytest.raises(PermissionDenied):
        services.message_send(actor=StaffFactory(), conversation=conv, body="équipe")
    services.conversation_leave(actor=other_member, conversation=conv)
    with pytest.raises(PermissionDenied):
        services.message_send(actor=other_member, conversation=conv, body="après départ")
    # alone now: the one who stayed cannot write into the void
    with pytest.raises(ValidationError):
        services.message_send(actor=member, conversation=conv, body="seul")
    assert conv.messages.count() == 1


def test_empty_or_too_long_body_is_refused(member, other_member):
    conv = make_conversation(member, other_member)
    for body in ("", "   ", "x" * (services.MAX_BODY + 1)):
        with pytest.raises(ValidationError):
            services.message_send(actor=member, conversation=conv, body=body)
    assert conv.messages.count() == 1


def test_blocked_member_cannot_write_clear_french_error_nothing_saved(member, other_member):
    conv = make_conversation(member, other_member)
    services.block_create(actor=other_member, blocked=member)
    with pytest.raises(ValidationError) as exc:
        services.message_send(actor=member, conversation=conv, body="tu me lis ?")
    assert "a choisi de ne plus recevoir vos messages" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        make_conversation(member, other_member, subject="nouvelle")
    assert Message.objects.count() == 1 and Conversation.objects.count() == 1
    # the one who blocked may still write; unblocking restores the other direction
    services.message_send(actor=other_member, conversation=conv, body="je peux, moi")
    assert services.block_delete(actor=other_member, blocked=member) is True
    services.message_send(actor=member, conversation=conv, body="merci")
    with pytest.raises(ValidationError):
        services.block_create(actor=member, blocked=member)


def test_attachments_through_the_upload_guard(member, other_member):
    conv = make_conversation(member, other_member)
    message = services.message_send(actor=member, conversation=conv, body="Voici", attachments=[png_upload(), pdf_upload()])
    kinds = sorted(message.attachments.values_list("kind", flat=True))
    assert kinds == ["image", "pdf"]
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.message_send(actor=member, conversation=conv, body="faux", attachments=[fake])
    assert exc.value.message_dict["attachments"] == ["« photo.jpg » : seules les images (JPEG, PNG, WebP, GIF) et les PDF sont acceptés."]
    assert not Message.objects.filter(body="faux").exists()
    with pytest.raises(ValidationError):
        services.message_send(actor=member, conversation=conv, body="trop", attachments=[png_upload(f"{i}.png") for i in range(6)])


def test_report_goes_to_staff_and_hiding_keeps_the_rest(member, other_member, staff):
    conv = make_conversation(member, other_member, body="message douteux")
    message = conv.messages.get()
    with pytest.raises(ValidationError):
        services.message_report(actor=member, message=message, reason="moi-même")
    with pytest.raises(PermissionDenied):
        services.message_report(actor=UserFactory(), message=message, reason="pas à moi")
    report = services.message_report(actor=other_member, message=message, reason="Propos déplacés")
    assert services.message_report(actor=other_member, message=message, reason="encore") == report
    with pytest.raises(PermissionDenied):
        services.report_decide(actor=member, report=report, status=ReportStatus.RESOLVED)
    services.report_decide(actor=staff, report=report, status=ReportStatus.RESOLVED, hide=True)
    message.refresh_from_db()
    assert message.hidden_at is not None
    assert MessageReport.objects.get(pk=report.pk).status == ReportStatus.RESOLVED


def _age(conv, minutes):
    past = timezone.now() - timedelta(minutes=minutes)
    Message.objects.filter(conversation=conv).update(created_at=past)
    Conversation.objects.filter(pk=conv.pk).update(last_message_at=past)


def test_unread_email_after_the_delay_once_following_preferences(member, other_member, settings, django_capture_on_commit_callbacks):
    settings.MESSAGING_EMAIL_DELAY_SECONDS = 600
    conv = make_conversation(member, other_member, body="Premier")
    services.message_send(actor=member, conversation=conv, body="Second **important**")
    assert services.unread_notify() == 0  # too soon
    _age(conv, 11)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.unread_notify() == 1
    assert services.unread_notify() == 0  # idempotent: nothing twice
    email = OutboundEmail.objects.get(recipient=other_member)
    assert "2 messages non lus" in email.subject and member.public_name in email.subject
    assert "**" not in email.body_text and "Second important" in email.body_text
    assert not OutboundEmail.objects.filter(recipient=member).exists()
    # reading the conversation reads its notification too
    assert Notification.objects.filter(recipient=other_member, unread=True).count() == 1
    services.conversation_mark_read(actor=other_member, conversation=Conversation.objects.get(pk=conv.pk))
    assert Notification.objects.filter(recipient=other_member, unread=True).count() == 0


def test_unread_notification_goes_to_the_digest_or_nowhere(member, other_member, settings):
    settings.MESSAGING_EMAIL_DELAY_SECONDS = 0
    third = UserFactory()
    NotificationPreference.objects.create(user=other_member, kind=services.NOTIFICATION_KIND, delivery="daily")
    NotificationPreference.objects.create(user=third, kind=services.NOTIFICATION_KIND, delivery="off")
    make_conversation(member, other_member, third, subject="Réunion")
    assert services.unread_notify() == 2
    assert DigestItem.objects.filter(user=other_member).count() == 1
    assert not OutboundEmail.objects.exists()
    assert not Notification.objects.filter(recipient=third).exists()


def test_read_messages_are_not_emailed(member, other_member, settings):
    settings.MESSAGING_EMAIL_DELAY_SECONDS = 0
    conv = make_conversation(member, other_member)
    services.conversation_mark_read(actor=other_member, conversation=Conversation.objects.get(pk=conv.pk))
    assert services.unread_notify() == 0


def test_rgpd_export_and_erase(member, other_member):
    conv = make_conversation(member, other_member, body="Mon message à moi")
    services.message_send(actor=other_member, conversation=conv, body="Le message de l'autre")
    services.block_create(actor=member, blocked=UserFactory())
    export = personal_data_export(user=member)
    assert "Mon message à moi" in export and "Le message de l'autre" not in export
    account_erase(user=member)
    assert not Block.objects.filter(blocker=member).exists()
    assert not Participant.objects.filter(user=member, left_at__isnull=True).exists()
    # their messages stay for the other person, signed "ancien membre"
    rows = inbox_for(viewer=other_member)
    assert rows and Message.objects.filter(author=member).exists()
    member.refresh_from_db()
    assert member.public_name == "ancien membre"
