"""The weight bar (non-negotiable 7, issue 16 item 5): each main page costs at most 60 KB compressed,
HTML plus the CSS and JavaScript it loads (images apart), as a phone on a slow connection gets it.

The page is rendered in process and every stylesheet, script and ES module it pulls is read from
the static files, each gzip-compressed at level 6 as a server would; a file shared by two pages
counts on both, the way a first visit pays it."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from community.models import Commune, Department
from events.models import Audience
from groups import services as group_services
from groups.models import AccessMode
from tests.events.factories import make_event
from tests.factories import StaffFactory, UserFactory
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db

LIMIT = 60 * 1024
STATIC_PREFIX = static("")
ASSET = re.compile(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)"')
MODULE_IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.-]+\.js)"')


def _static_bytes(url: str) -> bytes:
    path = url.split("?")[0].removeprefix(STATIC_PREFIX)
    found = finders.find(path)
    assert found, f"{url} is linked but not a static file"
    with open(found, "rb") as f:
        return f.read()


def page_weight(html: bytes) -> tuple[int, list[str]]:
    """Compressed bytes of the page and of every CSS/JS file it loads (ES module imports followed)."""
    total = len(gzip.compress(html, 6))
    seen: list[str] = []
    queue = [a or b for a, b in ASSET.findall(html.decode())]
    while queue:
        url = queue.pop()
        if url in seen or not url.startswith(STATIC_PREFIX):
            continue
        seen.append(url)
        body = _static_bytes(url)
        total += len(gzip.compress(body, 6))
        if url.endswith(".js"):
            base = url.rsplit("/", 1)[0]
            queue.extend(f"{base}/{name}" for name in MODULE_IMPORT.findall(body.decode("utf-8", "replace")))
    return total, seen


@pytest.fixture
def world():
    staff = StaffFactory()
    member = UserFactory()
    group = make_group(owner=member, access=AccessMode.OPEN, name="Médiateurs du Jura")
    topic = group_services.topic_create(group=group, actor=member, title="Permanences du samedi", body="Qui est ouvert **samedi** ?")
    for n in range(20):
        group_services.post_create(topic=topic, actor=member, body=f"Réponse {n} : nous ouvrons de 9 h à 12 h.")
    # a venue with a position: the event page offers its map (whose scripts come on demand)
    commune = Commune.objects.filter(latitude__isnull=False).first() or Commune.objects.create(
        name="Dole", insee="39198", postcode="39100", department=Department.objects.first(), latitude=47.09, longitude=5.49
    )
    event = make_event(by=staff, audience=Audience.MEMBERS, commune=commune)
    return {"member": member, "group": group, "topic": topic, "event": event}


def test_main_pages_weigh_at_most_60_kb_compressed(client, world):
    client.force_login(world["member"], backend="community.backends.ModelBackend")
    pages = {
        "accueil": "/",
        "mon réseau": reverse("community:dashboard"),
        "annuaire": reverse("community:directory"),
        "profil": world["member"].profile.get_absolute_url(),
        "groupe": world["group"].get_absolute_url(),
        "sujet": world["topic"].get_absolute_url(),
        "agenda": reverse("events:agenda"),
        "événement": world["event"].get_absolute_url(),
        "messages": reverse("messaging:inbox"),
        "lieux": reverse("places:place_list"),
        "partage": reverse("sharing:item_list"),
        "financements": reverse("funding:call_list"),
    }
    weights = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, f"{name} ({url}) answered {response.status_code}"
        weights[name], assets = page_weight(response.content)
        assert any(a.endswith(".css") for a in assets), f"{name}: no stylesheet found, the measure would be wrong"
    assert "data-leaflet-js" in client.get(pages["événement"]).content.decode(), "the event page should offer its venue map"
    heavy = {name: f"{w / 1024:.1f} KB" for name, w in weights.items() if w > LIMIT}
    assert not heavy, f"pages over 60 KB compressed (HTML + CSS + JS): {heavy}"


def test_the_measure_counts_linked_files():
    """The measure can fail: a page linking a large script weighs that script."""
    html = f'<link rel="stylesheet" href="{static("css/maillage.css")}"><p>x</p>'.encode()
    alone, _ = page_weight(b"<p>x</p>")
    with_css, assets = page_weight(html)
    assert assets == [static("css/maillage.css")] and with_css > alone + 1000
