"""Web Push: subscriptions (validation, ownership, CSRF), delivery through a fake push service
(the HTTP POST is intercepted at the requests boundary and the encrypted payload decrypted with
the fake browser's keys), cleanup of gone devices, retries, and the preference column."""

import base64
import json
import os

import http_ece
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from community import push
from community.models import NotificationPreference, PushSubscription
from community.notifications import notification_send, preferences_update

ENDPOINT = "https://push.example.net/send/abc123"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def vapid(settings):
    from io import StringIO

    out = StringIO()
    call_command("push_keys", stdout=out)
    keys = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    settings.VAPID_SUBJECT = "mailto:equipe@maillage.example"
    return keys


class Browser:
    """The keys a browser makes when it subscribes, to decrypt what the server sends it."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.keys = {"p256dh": _b64url(public), "auth": _b64url(self.auth)}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


@pytest.fixture
def browser():
    return Browser()


@pytest.fixture
def push_service(monkeypatch):
    """A fake push service: records each POST; ``status`` per endpoint (201 by default)."""

    class Service:
        def __init__(self):
            self.calls = []
            self.status = {}

        def post(self, session, url, data=None, headers=None, timeout=None, **kwargs):
            self.calls.append(
                {"url": url, "data": data, "headers": requests.structures.CaseInsensitiveDict(headers or {}), "session": session}
            )
            response = requests.Response()
            response.status_code = self.status.get(url, 201)
            response.reason = "test"
            response._content = b""
            return response

    service = Service()
    monkeypatch.setattr(requests.Session, "post", lambda session, url, **kw: service.post(session, url, **kw))
    return service


def _subscribe(user, browser, endpoint=ENDPOINT):
    return push.push_subscribe(
        actor=user, endpoint=endpoint, p256dh=browser.keys["p256dh"], auth=browser.keys["auth"], user_agent="Firefox Android"
    )


def test_notification_is_pushed_encrypted_and_signed(db, member, vapid, browser, push_service, django_capture_on_commit_callbacks):
    subscription = _subscribe(member, browser)
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            recipient=member,
            kind="system",
            verb="Nouveau message de Léa",
            description="**Bonjour**, on se voit jeudi ?",
            url="/messages/3/",
        )
    assert len(push_service.calls) == 1
    call = push_service.calls[0]
    assert call["url"] == ENDPOINT
    assert call["headers"]["content-encoding"] == "aes128gcm"
    assert call["headers"]["Authorization"].startswith("vapid t=") and vapid["VAPID_PUBLIC_KEY"] in call["headers"]["Authorization"]
    assert call["session"].trust_env is False  # the safe session: no proxy, public addresses only
    payload = browser.decrypt(call["data"])
    assert payload["title"] == "Nouveau message de Léa"
    assert payload["body"] == "Bonjour, on se voit jeudi ?"  # Markdown flattened
    assert payload["url"] == "/messages/3/"
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None


@pytest.mark.parametrize("status", [404, 410])
def test_gone_subscription_is_deleted(db, member, vapid, browser, push_service, status, django_capture_on_commit_callbacks):
    _subscribe(member, browser)
    kept = _subscribe(member, Browser(), endpoint="https://push.example.net/send/other")
    push_service.status[ENDPOINT] = status
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient=member, kind="system", verb="Bonjour")
    assert len(push_service.calls) == 2
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [kept.pk]


def test_server_error_is_retried_later_for_that_device_only(db, member, vapid, browser, push_service, monkeypatch):
    subscription = _subscribe(member, browser)
    _subscribe(member, Browser(), endpoint="https://push.example.net/send/other")
    push_service.status[ENDPOINT] = 503
    retries = []
    monkeypatch.setattr(push, "_retry_later", lambda nid, ids, attempt: retries.append((nid, ids, attempt)))
    notification = notification_send(recipient=member, kind="system", verb="Bonjour")
    counts = push.push_deliver(notification.pk)
    assert counts == {"sent": 1, "gone": 0, "failed": 1}
    assert retries == [(notification.pk, [subscription.pk], 2)]
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()  # kept for the retry
    retries.clear()
    assert push.push_deliver(notification.pk, [subscription.pk], push.MAX_ATTEMPTS)["failed"] == 1
    assert retries == []  # the last attempt gives up


def test_no_push_without_vapid_keys(db, member, browser, push_service, settings, django_capture_on_commit_callbacks):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    PushSubscription.objects.create(user=member, endpoint=ENDPOINT, **browser.keys)
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient=member, kind="system", verb="Bonjour")
    assert push_service.calls == []


def test_push_off_for_a_kind(db, member, vapid, browser, push_service, django_capture_on_commit_callbacks):
    _subscribe(member, browser)
    preferences_update(actor=member, choices={}, push={"system": False})
    assert NotificationPreference.objects.get(user=member, kind="system").delivery == "instant"  # the kind's default kept
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient=member, kind="system", verb="Bonjour")
        notification_send(recipient=member, kind="membership", verb="Bienvenue")
    assert len(push_service.calls) == 1
    assert browser.decrypt(push_service.calls[0]["data"])["title"] == "Bienvenue"


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.net/send/abc",  # not https
        "https://127.0.0.1/send",
        "https://10.0.0.7/send",
        "https://[::1]/send",
        "https://169.254.169.254/latest",
        "https://localhost/send",
        "https://redis.internal/send",
        "https://intranet/send",
        "https://user:pw@push.example.net/send",
        "javascript:alert(1)",
        "",
    ],
)
def test_bad_endpoint_is_refused_in_french(db, member, vapid, browser, endpoint):
    with pytest.raises(ValidationError) as error:
        push.push_subscribe(actor=member, endpoint=endpoint, **browser.keys)
    assert "refusée" in " ".join(error.value.messages) or "vide" in " ".join(error.value.messages)
    assert not PushSubscription.objects.exists()


def test_bad_keys_are_refused(db, member, vapid):
    with pytest.raises(ValidationError, match="clés"):
        push.push_subscribe(actor=member, endpoint=ENDPOINT, p256dh="pas-une-clé", auth="x")


def test_dns_answer_is_checked_when_sending(db, member, vapid, browser, monkeypatch, django_capture_on_commit_callbacks):
    """A public-looking name resolving to a private address is never connected to."""
    import socket

    from common import fetch

    _subscribe(member, browser, endpoint="https://push.rebind.example/send")
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))])
    monkeypatch.setattr(push, "_retry_later", lambda *args: None)
    connected = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connected.append(addr))
    notification = notification_send(recipient=member, kind="system", verb="Bonjour")
    assert push.push_deliver(notification.pk)["failed"] == 1
    assert connected == []


def test_subscribe_endpoint_json(member_client, member, vapid, browser):
    url = reverse("community:push_subscribe")
    response = member_client.post(
        url,
        json.dumps({"endpoint": ENDPOINT, "keys": browser.keys}),
        content_type="application/json",
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Firefox/133.0",
    )
    assert response.status_code == 201
    device = PushSubscription.objects.get(user=member)
    assert device.endpoint == ENDPOINT
    page = member_client.get(reverse("community:notification_preferences"))
    assert "Firefox · Android" in page.content.decode()
    bad = member_client.post(url, json.dumps({"endpoint": "http://10.0.0.1/x", "keys": browser.keys}), content_type="application/json")
    assert bad.status_code == 400
    assert "https" in bad.json()["error"] or "refusée" in bad.json()["error"]
    assert member_client.post(url, "pas du json", content_type="application/json").status_code == 400
    assert PushSubscription.objects.count() == 1


def test_subscribe_requires_csrf_and_login(member, vapid, browser):
    url = reverse("community:push_subscribe")
    body = json.dumps({"endpoint": ENDPOINT, "keys": browser.keys})
    anonymous = Client().post(url, body, content_type="application/json")
    assert anonymous.status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member, backend="community.backends.ModelBackend")
    assert strict.post(url, body, content_type="application/json").status_code == 403
    assert not PushSubscription.objects.exists()


def test_subscribe_unavailable_without_keys(member_client, browser, settings):
    settings.VAPID_PUBLIC_KEY = ""
    response = member_client.post(
        reverse("community:push_subscribe"), json.dumps({"endpoint": ENDPOINT, "keys": browser.keys}), content_type="application/json"
    )
    assert response.status_code == 404
    page = member_client.get(reverse("community:notification_preferences")).content.decode()
    assert "ne sont pas activées" in page and "push-devices.js" not in page


def test_only_own_devices_can_be_removed(member_client, member, other_member, vapid, browser):
    theirs = _subscribe(other_member, browser)
    url = reverse("community:push_unsubscribe")
    assert member_client.post(url, {"appareil": theirs.pk}).status_code == 404
    assert member_client.post(url, json.dumps({"endpoint": ENDPOINT}), content_type="application/json").status_code == 404
    assert member_client.post(url, {"appareil": "abc"}).status_code == 404
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()
    mine = _subscribe(member, Browser(), endpoint="https://push.example.net/send/mine")
    assert member_client.post(url, {"appareil": mine.pk}).status_code == 302
    assert not PushSubscription.objects.filter(pk=mine.pk).exists()
    again = _subscribe(member, Browser(), endpoint="https://push.example.net/send/mine")
    response = member_client.post(url, json.dumps({"endpoint": again.endpoint}), content_type="application/json")
    assert response.status_code == 200
    assert not PushSubscription.objects.filter(user=member).exists()


def test_preferences_grid_has_a_push_column(member_client, member, vapid):
    page = member_client.get(reverse("community:notification_preferences")).content.decode()
    assert "Push (appareils)" in page and 'name="push__system"' in page and vapid["VAPID_PUBLIC_KEY"] in page
    response = member_client.post(
        reverse("community:notification_preferences"), {"system": "daily", "membership": "off", "push__membership": "on"}
    )
    assert response.status_code == 302
    saved = {k: (d, p) for k, d, p in member.notification_preferences.values_list("kind", "delivery", "push")}
    assert saved["system"] == ("daily", False)
    assert saved["membership"] == ("off", True)


def test_manifest_service_worker_and_offline_page(client, db):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"].startswith("application/manifest+json")
    data = json.loads(manifest.content)
    assert data["lang"] == "fr" and data["short_name"] == "Maillage" and data["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in data["icons"] if icon["purpose"] == "any"}
    assert any(icon["purpose"] == "maskable" for icon in data["icons"])
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("text/javascript")
    assert sw["Service-Worker-Allowed"] == "/" and "no-cache" in sw["Cache-Control"]
    body = sw.content.decode()
    assert "/hors-ligne/" in body and "maillage.css" in body and 'addEventListener("push"' in body
    offline = client.get("/hors-ligne/")
    assert offline.status_code == 200 and "hors ligne" in offline.content.decode()
    home = client.get("/hors-ligne/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in home and "js/pwa.js" in home


def test_devices_in_the_rgpd_export_and_gone_with_the_account(db, member, vapid, browser):
    from community.rgpd import account_erase, personal_data_export

    _subscribe(member, browser)
    preferences_update(actor=member, choices={}, push={"system": False})
    data = json.loads(personal_data_export(user=member))
    assert data["community"]["appareils_push"][0]["adresse"] == ENDPOINT
    assert data["community"]["preferences_notifications"]["system"]["push"] is False
    account_erase(user=member)
    assert not PushSubscription.objects.exists()
