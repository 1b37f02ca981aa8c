"""Pages of private messaging: flows without JavaScript, 404 for non-participants, fixed query counts."""

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Block, Conversation, Message, MessageReport
from tests.factories import UserFactory
from tests.messaging.factories import make_conversation, png_upload

pytestmark = pytest.mark.django_db


def test_write_from_the_directory_and_profile(member_client, member, other_member):
    directory = member_client.get("/membres/").content.decode()
    assert f"/messages/nouvelle/?a={other_member.pk}" in directory
    profile = member_client.get(f"/membres/{other_member.pk}/").content.decode()
    assert f"/messages/nouvelle/?a={other_member.pk}" in profile and "Écrire" in profile
    assert "/messages/nouvelle/?a=" not in member_client.get(f"/membres/{member.pk}/").content.decode()
    page = member_client.get(reverse("messaging:conversation_create") + f"?a={other_member.pk}")
    assert page.status_code == 200 and other_member.public_name in page.content.decode()
    response = member_client.post(
        reverse("messaging:conversation_create"), {"recipients": [other_member.pk], "body": "Bonjour **collègue**"}
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == conversation.get_absolute_url()
    html = member_client.get(response["Location"]).content.decode()
    assert "<strong>collègue</strong>" in html


def test_new_conversation_search_adds_people(member_client, other_member):
    other_member.profile.display_name = "Zoé Cerisier"
    other_member.profile.save()
    html = member_client.get(reverse("messaging:conversation_create") + "?q=cerisier").content.decode()
    assert "Zoé Cerisier" in html and f"a={other_member.pk}" in html


def test_empty_message_is_a_form_error_not_a_crash(member_client, other_member):
    response = member_client.post(reverse("messaging:conversation_create"), {"recipients": [other_member.pk], "body": ""})
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_send_reply_and_json_for_the_live_page(member, other_member, client_for):
    conv = make_conversation(member, other_member)
    client = client_for(other_member)
    response = client.post(reverse("messaging:message_send", args=[conv.pk]), {"body": "Réponse"})
    assert response.status_code == 302
    response = client.post(reverse("messaging:message_send", args=[conv.pk]), {"body": "Par fetch"}, HTTP_X_REQUESTED_WITH="fetch")
    data = response.json()
    assert data["ok"] and "Par fetch" in data["html"]
    response = client.post(reverse("messaging:message_send", args=[conv.pk]), {"body": ""}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 400 and response.json()["errors"]


def test_blocked_sender_sees_a_clear_french_error(member, other_member, client_for):
    conv = make_conversation(member, other_member)
    services.block_create(actor=other_member, blocked=member)
    client = client_for(member)
    response = client.post(reverse("messaging:message_send", args=[conv.pk]), {"body": "Tu es là ?"})
    assert response.status_code == 400
    assert "a choisi de ne plus recevoir vos messages" in response.content.decode()
    page = client.get(conv.get_absolute_url()).content.decode()
    assert "ne plus recevoir vos messages" in page and "data-message-form" not in page
    assert conv.messages.count() == 1


def test_block_and_unblock_from_the_conversation(member, other_member, member_client):
    conv = make_conversation(member, other_member)
    url = reverse("messaging:block_toggle", args=[other_member.pk])
    response = member_client.post(url, {"next": conv.get_absolute_url()})
    assert response["Location"] == conv.get_absolute_url()
    assert Block.objects.filter(blocker=member, blocked=other_member).exists()
    assert other_member.public_name in member_client.get(reverse("messaging:blocks")).content.decode()
    member_client.post(url, {"action": "debloquer", "next": "//evil.example/"})
    assert not Block.objects.exists()


def test_non_participants_get_404_staff_included(member, other_member, client_for, staff_client):
    conv = make_conversation(member, other_member, body="secret")
    message = conv.messages.get()
    att_message = services.message_send(actor=member, conversation=conv, body="image", attachments=[png_upload()])
    att = att_message.attachments.get()
    outsider = client_for(UserFactory())
    for client in (outsider, staff_client):
        assert client.get(conv.get_absolute_url()).status_code == 404
        assert client.get(reverse("messaging:attachment_download", args=[conv.pk, att.pk])).status_code == 404
        assert client.get(reverse("messaging:message_report", args=[conv.pk, message.pk])).status_code == 404
        assert client.post(reverse("messaging:message_send", args=[conv.pk]), {"body": "intrus"}).status_code == 404
        assert "secret" not in client.get(reverse("messaging:inbox")).content.decode()
    # an attachment reached through another conversation of the viewer's
    other_conv = make_conversation(other_member, UserFactory())
    assert client_for(other_member).get(reverse("messaging:attachment_download", args=[other_conv.pk, att.pk])).status_code == 404
    response = client_for(other_member).get(reverse("messaging:attachment_download", args=[conv.pk, att.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png" and "sandbox" in response["Content-Security-Policy"]
    assert Message.objects.filter(body="intrus").count() == 0


def test_leave_makes_it_a_404(member, other_member, member_client):
    conv = make_conversation(member, other_member)
    assert member_client.post(reverse("messaging:conversation_leave", args=[conv.pk])).status_code == 302
    assert member_client.get(conv.get_absolute_url()).status_code == 404
    assert conv.get_absolute_url() not in member_client.get(reverse("messaging:inbox")).content.decode()


def test_report_reaches_the_staff_queue_with_only_that_message(member, other_member, client_for, staff_client):
    conv = make_conversation(member, other_member, body="Premier message tranquille")
    bad = services.message_send(actor=member, conversation=conv, body="Message injurieux")
    client = client_for(other_member)
    url = reverse("messaging:message_report", args=[conv.pk, bad.pk])
    assert client.post(url, {"reason": "Insultes"}).status_code == 302
    report = MessageReport.objects.get()
    queue = staff_client.get("/groupes/moderation/").content.decode()
    assert "Message injurieux" in queue and "Insultes" in queue and "Premier message tranquille" not in queue
    response = staff_client.post(
        reverse("messaging:report_decide", args=[report.pk]), {"status": "resolved", "hide": "1", "next": "/groupes/moderation/"}
    )
    assert response["Location"] == "/groupes/moderation/"
    bad.refresh_from_db()
    assert bad.hidden_at is not None
    page = client.get(conv.get_absolute_url()).content.decode()
    assert "Message injurieux" not in page and "masqué par l'équipe" in page


def test_unread_badge_in_the_header(member, other_member, client_for):
    make_conversation(member, other_member)
    client = client_for(other_member)
    html = client.get("/membres/").content.decode()
    assert "data-message-counter" in html and "1 conversation non lue" in html
    conv = Conversation.objects.get()
    client.get(conv.get_absolute_url())
    assert "conversation non lue" not in client.get("/membres/").content.decode()


def test_rate_limit_on_sending(member, other_member, member_client, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "message": "2/m"}
    conv = make_conversation(member, other_member)
    url = reverse("messaging:message_send", args=[conv.pk])
    codes = [member_client.post(url, {"body": f"m{i}"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]


def _fill(viewer, n):
    others = [UserFactory() for _ in range(3)]
    conv = make_conversation(viewer, *others, subject="Atelier")
    for i in range(n - 1):
        services.message_send(actor=others[i % 3], conversation=conv, body=f"message {i} **gras**")
    return conv


@pytest.mark.parametrize("n", [10, 100])
def test_conversation_page_query_count_is_fixed(member, member_client, n, django_assert_max_num_queries):
    conv = _fill(member, n)
    with django_assert_max_num_queries(16):
        response = member_client.get(conv.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("data-message-id=") == min(n, 50)


@pytest.mark.parametrize("n", [10, 100])
def test_inbox_query_count_is_fixed(member, member_client, n, django_assert_max_num_queries):
    for i in range(n):
        make_conversation(UserFactory(), member, body=f"conversation {i}", subject=f"Sujet {i}" if i % 2 else "")
    with django_assert_max_num_queries(14):
        response = member_client.get(reverse("messaging:inbox"))
    assert response.status_code == 200
    assert response.content.decode().count('class="pm-row') == n
