"""Safe outbound fetches (issue 18.7): ``common.fetch.safe_get`` and the funding sources using it.

The local fixture server listens on 127.0.0.1: refused by default like any loopback address,
reachable only when a test allows that network. DNS answers are patched through
``common.fetch._resolve``.
"""

import socket
from unittest import mock

import pytest

from common import fetch
from common.fetch import FetchError, address_refusal, safe_get
from funding import services
from funding.models import FundingCall, Source, SourceKind

pytestmark = pytest.mark.django_db


def _answer(*addresses):
    """A fake ``getaddrinfo`` answering ``addresses`` for every name (port kept)."""

    def resolve(host, port):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port, 0, 0) if ":" in a else (a, port))
            for a in addresses
        ]

    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
        "224.0.0.1",
        "240.0.0.1",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address):
    assert address_refusal(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://exemple.fr/flux.xml",
        "gopher://exemple.fr/",
        "javascript:alert(1)",
        "http:///sans-hote",
        "http://jean:secret@exemple.fr/flux.xml",
    ],
)
def test_only_plain_http_and_https_urls(url):
    with pytest.raises(FetchError):
        safe_get(url)


def test_local_server_is_refused_by_default(feed_server, settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(FetchError, match="bouclage"):
        safe_get(f"{feed_server}/region.xml")


def test_name_resolving_to_a_private_address_is_refused_before_connecting(settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    with (
        mock.patch.object(fetch, "_resolve", _answer("10.20.30.40")),
        mock.patch.object(fetch.socket, "socket", side_effect=AssertionError("no connection may be opened")),
        pytest.raises(FetchError, match="10.20.30.40"),
    ):
        safe_get("https://flux.exemple.org/aides.json")


def test_one_private_address_among_the_answers_is_enough_to_refuse(settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    with mock.patch.object(fetch, "_resolve", _answer("93.184.216.34", "127.0.0.1")), pytest.raises(FetchError, match="127.0.0.1"):
        safe_get("http://flux.exemple.org/")


def test_connection_goes_to_the_checked_address_with_the_name_as_host(feed_server, settings):
    port = int(feed_server.rsplit(":", 1)[1])
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with mock.patch.object(fetch, "_resolve", _answer("127.0.0.1")):
        result = safe_get(f"http://flux.exemple.org:{port}/hote")
    assert result.content == f"flux.exemple.org:{port}".encode() and result.status == 200


def test_redirect_to_a_metadata_address_is_refused(feed_server):
    with pytest.raises(FetchError, match="169.254.169.254"):
        safe_get(f"{feed_server}/redirection?http://169.254.169.254/latest/meta-data/")


def test_redirect_to_another_scheme_is_refused(feed_server):
    with pytest.raises(FetchError, match="file"):
        safe_get(f"{feed_server}/redirection?file:///etc/passwd")


def test_redirect_to_a_name_answering_privately_is_refused(feed_server):
    real = fetch._resolve

    def resolve(host, port):
        return _answer("192.168.0.10")(host, port) if host == "interne.exemple.org" else real(host, port)

    with mock.patch.object(fetch, "_resolve", resolve), pytest.raises(FetchError, match="192.168.0.10"):
        safe_get(f"{feed_server}/redirection?http://interne.exemple.org/flux.xml")


def test_allowed_redirects_are_followed_then_capped(feed_server):
    assert b"<rss" in safe_get(f"{feed_server}/redirection?/region.xml").content
    with pytest.raises(FetchError, match="redirections"):
        safe_get(f"{feed_server}/boucle")


def test_size_is_capped_declared_or_not(feed_server):
    with pytest.raises(FetchError, match="volumineuse"):
        safe_get(f"{feed_server}/gros-annonce")
    with pytest.raises(FetchError, match="volumineuse"):
        safe_get(f"{feed_server}/gros-par-morceaux", max_bytes=1024 * 1024)
    assert len(safe_get(f"{feed_server}/gros-par-morceaux", max_bytes=8 * 1024 * 1024).content) == 64 * 65536


def test_total_time_is_capped_even_when_bytes_keep_dripping(feed_server):
    with pytest.raises(FetchError, match="Délai"):
        safe_get(f"{feed_server}/goutte-a-goutte", timeout=1.5)


def test_http_errors_are_fetch_errors(feed_server):
    with pytest.raises(FetchError, match="500"):
        safe_get(f"{feed_server}/erreur-500")


# --- Funding sources --------------------------------------------------------------------------
def test_refused_source_says_why_in_its_status(staff_client, settings, feed_server):
    settings.FETCH_ALLOWED_NETWORKS = []
    source = Source.objects.create(name="Boucle locale", kind=SourceKind.FEED, url=f"{feed_server}/region.xml", default_funder="R")
    result = services.source_poll(source=source)
    assert result.failed and not FundingCall.objects.exists()
    source.refresh_from_db()
    assert source.is_failing and "refusée" in source.last_error and "bouclage" in source.last_error
    page = staff_client.get("/financements/sources/").content.decode()
    assert "En échec" in page and "bouclage" in page


def test_source_redirected_to_a_private_address_is_recorded(feed_server):
    source = Source.objects.create(
        name="Redirigée", kind=SourceKind.JSON, url=f"{feed_server}/redirection?http://10.0.0.5/aides.json", default_funder="R"
    )
    services.source_poll(source=source)
    source.refresh_from_db()
    assert source.is_failing and "10.0.0.5" in source.last_error


def test_source_form_refuses_other_schemes_and_literal_private_addresses(staff, staff_client):
    for url in ["ftp://exemple.fr/flux.xml", "http://127.0.0.1:6379/", "http://[::1]/flux", "http://169.254.169.254/"]:
        response = staff_client.post("/financements/sources/nouvelle/", {"name": "Piège", "kind": "feed", "url": url, "is_active": "on"})
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Protocole refusé" in html or "Adresse refusée" in html or "Saisissez une URL valide" in html, url
    assert not Source.objects.exists()
    services.source_save(actor=staff, data={"name": "Nom de domaine", "kind": "feed", "url": "https://flux.exemple.org/rss"})
    assert Source.objects.count() == 1
