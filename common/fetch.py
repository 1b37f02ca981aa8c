"""Outbound HTTP fetches that cannot be turned against the server (SSRF), capped in size and time.

Staff type the address of a feed; the server then fetches it. Without care that address could be
``http://127.0.0.1:6379/`` (Redis), ``http://169.254.169.254/`` (a cloud metadata service), a
host whose DNS answer is private, or a public page redirecting to one of those. ``safe_get``:

* accepts only ``http`` and ``https`` URLs, on every hop (redirects are followed here, one by one,
  at most ``max_redirects``);
* resolves the host itself and refuses it when **any** address of the answer is not a public
  unicast address (private, loopback, link-local, shared, reserved, multicast, unspecified,
  IPv4-mapped or 6to4 forms of those…), then connects to the address it checked — so a second,
  different DNS answer (rebinding) cannot slip a private address in between check and connect;
  TLS still verifies the certificate against the host name;
* ignores proxy settings from the environment (a proxy would be the one connecting);
* refuses a declared ``Content-Length`` over ``max_bytes`` and stops reading past it, and gives
  the whole exchange ``timeout`` seconds (connect, each read, and the total), so a slow drip of
  bytes cannot hold a worker.

Every refusal is a ``FetchError`` whose message says why in French, for the page that shows the
source's status. ``settings.FETCH_ALLOWED_NETWORKS`` (CIDR list, empty by default) lets an
installation reach chosen internal networks, e.g. a feed on its intranet; tests use it for their
local server.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "Maillage (+https://maillage.localhost)"


class FetchError(Exception):
    """A fetch refused or failed; ``str(error)`` is a French sentence saying why."""


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status: int
    content_type: str
    content: bytes

    def json(self):
        """The body parsed as JSON (``ValueError`` when it is not)."""
        return json.loads(self.content)


def _allowed_networks() -> list:
    return [ipaddress.ip_network(net, strict=False) for net in getattr(settings, "FETCH_ALLOWED_NETWORKS", ())]


def address_refusal(address: str) -> str | None:
    """Why ``address`` (an IP) may not be fetched from, or ``None`` when it may."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if any(ip in net for net in _allowed_networks()):
        return None
    inner = getattr(ip, "ipv4_mapped", None) or getattr(ip, "sixtofour", None)
    if inner is not None:
        return address_refusal(str(inner))
    if ip.is_loopback:
        return _("%(ip)s est une adresse de bouclage (la machine elle-même)") % {"ip": ip}
    if ip.is_link_local:
        return _("%(ip)s est une adresse lien-local (service de métadonnées, réseau local)") % {"ip": ip}
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return _("%(ip)s n'est pas une adresse d'hôte joignable") % {"ip": ip}
    if not ip.is_global:
        return _("%(ip)s est une adresse privée ou réservée") % {"ip": ip}
    return None


def _resolve(host: str, port: int) -> list[tuple]:
    """``getaddrinfo`` answers for a TCP connection (a name of its own so tests can patch DNS)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _checked_addresses(host: str, port: int) -> list[tuple]:
    try:
        answers = _resolve(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(_("Nom de domaine introuvable : %(host)s.") % {"host": host}) from exc
    if not answers:
        raise FetchError(_("Nom de domaine introuvable : %(host)s.") % {"host": host})
    for _family, _type, _proto, _name, sockaddr in answers:
        reason = address_refusal(sockaddr[0])
        if reason:
            raise FetchError(_("Adresse refusée pour %(host)s : %(reason)s.") % {"host": host, "reason": reason})
    return answers


def _connect(host: str, port: int, timeout, source_address=None, socket_options=None) -> socket.socket:
    """Connect to one of the checked addresses of ``host`` (never to an unchecked answer)."""
    error: OSError | None = None
    for family, type_, proto, _name, sockaddr in _checked_addresses(host, port):
        sock = socket.socket(family, type_, proto)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            if isinstance(timeout, (int, float)):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"cannot connect to {host}")


class _SafeHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _connect(self._dns_host, self.port, self.timeout, self.source_address, self.socket_options)


class _SafeHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _connect(self._dns_host, self.port, self.timeout, self.source_address, self.socket_options)


class _SafeHTTPPool(HTTPConnectionPool):
    ConnectionCls = _SafeHTTPConnection


class _SafeHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _SafeHTTPSConnection


class _SafeAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _SafeHTTPPool, "https": _SafeHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: we must be the one connecting
    adapter = _SafeAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def safe_session() -> requests.Session:
    """A requests session that connects only to checked public addresses, without proxies
    (for callers that POST, like Web Push; close it after use)."""
    return _session()


def check_url(url: str, *, literal_addresses: bool = False) -> None:
    """Refuse, with a French ``FetchError``, a URL that is not plain http(s) with a host name;
    with ``literal_addresses``, also one whose host is a refused IP written out (a form can say
    so at once; names are judged when fetching, on their DNS answer)."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(_("Adresse illisible : %(url)s.") % {"url": url[:200]}) from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise FetchError(
            _("Protocole refusé « %(scheme)s » : seules les adresses http et https sont collectées.") % {"scheme": parts.scheme}
        )
    if not parts.hostname:
        raise FetchError(_("Adresse sans nom de domaine : %(url)s.") % {"url": url[:200]})
    if parts.username or parts.password:
        raise FetchError(_("Les adresses avec identifiant et mot de passe ne sont pas collectées."))
    if literal_addresses:
        try:
            reason = address_refusal(parts.hostname)
        except ValueError:  # a name, not an address
            return
        if reason:
            raise FetchError(_("Adresse refusée : %(reason)s.") % {"reason": reason})


def safe_get(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    headers: dict | None = None,
) -> FetchResult:
    """GET ``url`` under the rules of this module; ``FetchError`` (in French) on any refusal,
    network failure or HTTP error status."""
    deadline = time.monotonic() + timeout
    session = _session()
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    try:
        for _hop in range(max_redirects + 1):
            check_url(url)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(_("Délai dépassé (%(s)s s).") % {"s": int(timeout)})
            try:
                response = session.get(url, headers=request_headers, stream=True, allow_redirects=False, timeout=remaining)
            except FetchError:
                raise
            except requests.exceptions.ConnectionError as exc:
                cause = _fetch_error_in(exc)
                if cause is not None:
                    raise cause from exc
                raise FetchError(_("Connexion impossible à %(host)s.") % {"host": urlsplit(url).hostname}) from exc
            except requests.exceptions.Timeout as exc:
                raise FetchError(_("Délai dépassé (%(s)s s).") % {"s": int(timeout)}) from exc
            except requests.exceptions.RequestException as exc:
                raise FetchError(_("Échec de la requête : %(error)s.") % {"error": type(exc).__name__}) from exc
            with response:
                if response.is_redirect:
                    location = response.headers.get("Location", "")
                    if not location:
                        raise FetchError(_("Redirection sans destination."))
                    url = urljoin(url, location)
                    continue
                if response.status_code >= 400:
                    raise FetchError(_("Le serveur a répondu %(status)s.") % {"status": response.status_code})
                content = _read_capped(response, max_bytes=max_bytes, deadline=deadline, timeout=timeout)
                return FetchResult(
                    url=url, status=response.status_code, content_type=response.headers.get("Content-Type", ""), content=content
                )
        raise FetchError(_("Trop de redirections (plus de %(n)s).") % {"n": max_redirects})
    finally:
        session.close()


def _fetch_error_in(exc: BaseException) -> FetchError | None:
    """The ``FetchError`` raised while connecting, if requests/urllib3 wrapped one."""
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, FetchError):
            return current
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                found = _fetch_error_in(arg)
                if found is not None:
                    return found
        current = getattr(current, "reason", None) or current.__cause__ or current.__context__
    return None


def _read_capped(response: requests.Response, *, max_bytes: int, deadline: float, timeout: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(_("Réponse trop volumineuse (%(n)s octets annoncés, %(max)s au plus).") % {"n": declared, "max": max_bytes})
    body = bytearray()
    raw = response.raw
    try:
        while True:
            if time.monotonic() > deadline:
                raise FetchError(_("Délai dépassé (%(s)s s).") % {"s": int(timeout)})
            chunk = raw.read1(CHUNK, decode_content=True)
            if not chunk:
                break
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(_("Réponse trop volumineuse (plus de %(max)s octets).") % {"max": max_bytes})
    except FetchError:
        raise
    except (OSError, requests.exceptions.RequestException, Exception) as exc:  # noqa: BLE001 - urllib3 read errors of every kind
        raise FetchError(_("Lecture interrompue : %(error)s.") % {"error": type(exc).__name__}) from exc
    return bytes(body)
