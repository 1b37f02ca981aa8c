"""The stream's cards keep their head — actor, verb, moment, family, title, organisation, summary —
per process and language (``activity.StreamCardHead`` under ``{% once %}``): the same markup as the
item-based template wrote, a photo hidden from members never reaches a member through a head kept
for its owner, and a moment that has moved on is written anew."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from common.templatetags.common_tags import relative_time
from community import services
from community.activity import activity_record, stream_page
from community.models import Activity, ActivityKind, OrganisationType
from tests.factories import StaffFactory, UserFactory, member_with

pytestmark = pytest.mark.django_db

# The head as it was written from the item before it became plain values.
OLD_HEAD = """{% load i18n community_tags %}<header class="stream-card-head">
    {% if item.actor %}{% avatar item.actor 44 %}{% else %}<span class="avatar avatar-s44 avatar-kind"
        aria-hidden="true">{% icon item.kind_icon 22 %}</span>{% endif %}
    <p class="stream-line">
      {% if item.actor %}<a class="stream-actor" href="{% url 'community:profile_detail' item.actor.profile.pk %}">{{ item.actor.public_name }}</a>{% endif %}
      {{ item.verb }}
      <span class="stream-meta">· {{ item.created_at|when }} · <span class="badge-kind">{{ item.kind_label }}</span></span>
    </p>
  </header>
  <h3 class="stream-title"><a href="{{ item.link|safe_url }}">{{ item.title }}</a></h3>
  {% if item.organisation %}<p class="org-line stream-org">{% organisation_logo item.organisation 24 %}
    <a href="{{ item.organisation.get_absolute_url }}">{{ item.organisation.name }}</a></p>{% endif %}
  {% if item.summary %}<p class="stream-summary">{{ item.summary }}</p>{% endif %}"""


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (20, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _head(html: str) -> str:
    """The head of a rendered card: from its header to what follows the summary."""
    return html.split('data-activity="', 1)[1].split(">", 1)[1].split('<div class="stream-reactions">')[0].strip()


def _card(item, viewer) -> str:
    return render_to_string("community/_stream_item.html", {"item": item, "user": viewer, "next_path": "/"})


def _items(viewer):
    return {item.pk: item for item in stream_page(viewer=viewer).items}


@pytest.fixture
def network():
    owner = member_with(display_name="Annie Photo")
    services.profile_update(actor=owner, profile=owner.profile, data={"photo": _photo()})
    organisation = services.organisation_create(actor=owner, name="Médiathèque des Tests", type=OrganisationType.MEDIATHEQUE)
    items = [
        activity_record(verb="a publié", title="Atelier <Pix>", url="/agenda/", audience="members", kind=ActivityKind.EVENTS, actor=owner),
        activity_record(
            verb="a été publié", title="Appel à projets", url="javascript:alert(1)", audience="members", kind=ActivityKind.FUNDING
        ),
        activity_record(
            verb="a rejoint",
            title="Médiathèque",
            url="",
            audience="members",
            kind=ActivityKind.MEMBERS,
            actor=owner,
            organisation=organisation,
            summary="Ateliers « seniors » le mardi",
        ),
    ]
    return {"owner": owner, "items": items}


def test_kept_heads_write_what_the_item_based_template_wrote(network):
    member, staff = UserFactory(), StaffFactory()
    for language in ("fr", "en"):
        with translation.override(language):
            for viewer in (network["owner"], member, staff):
                for pk, item in _items(viewer).items():
                    old = Template(OLD_HEAD).render(Context({"item": item, "user": viewer}))
                    assert _head(_card(item, viewer)) == old.strip()  # the first render, kept
                    assert _head(_card(item, viewer)) == old.strip()  # from what was kept
    shown = _card(_items(member)[network["items"][0].pk], member)
    assert "&lt;Pix&gt;" in shown and "<Pix>" not in shown
    assert 'href="javascript' not in _card(_items(member)[network["items"][1].pk], member)


def test_a_photo_hidden_from_members_never_reaches_them_through_a_kept_head(network):
    owner, member = network["owner"], UserFactory()
    services.profile_update(actor=owner, profile=owner.profile, data={"visibility_photo": "private"})
    first = network["items"][0].pk
    photo_url = type(owner.profile).objects.get(pk=owner.profile.pk).photo.url
    assert photo_url in _head(_card(_items(owner)[first], owner))  # the owner sees it, kept first
    seen = _head(_card(_items(member)[first], member))
    assert photo_url not in seen and "<picture" not in seen and "avatar-tone-" in seen
    services.profile_update(actor=owner, profile=owner.profile, data={"visibility_photo": "members"})
    assert photo_url in _head(_card(_items(member)[first], member))


def test_edits_and_the_passing_time_show_on_the_next_render(network):
    member = UserFactory()
    item = network["items"][2]
    Activity.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    head = _head(_card(_items(member)[item.pk], member))
    assert re.search(r">\s*il y a 5 min\s*<", head)
    earlier = timezone.now() - timedelta(minutes=130)
    Activity.objects.filter(pk=item.pk).update(created_at=earlier, title="Médiathèque rénovée")
    head = _head(_card(_items(member)[item.pk], member))
    assert relative_time(earlier) in head and "Médiathèque rénovée" in head and "il y a 5 min" not in head
    services.profile_update(actor=network["owner"], profile=network["owner"].profile, data={"display_name": "Annie Nouveau-Nom"})
    assert "Annie Nouveau-Nom" in _head(_card(_items(member)[item.pk], member))


def test_the_dashboard_shows_the_kept_heads_with_live_likes(network, client_for):
    member = UserFactory()
    client = client_for(member)
    first = network["items"][0].pk
    for _ in range(2):
        body = client.get(reverse("community:dashboard")).content.decode()
        assert body.count('class="stream-card-head"') == 3 and "Atelier &lt;Pix&gt;" in body
    client.post(reverse("community:activity_like", args=[first]))
    body = client.get(reverse("community:dashboard")).content.decode()
    card = body.split(f'data-activity="{first}"')[1].split("</article>")[0]
    assert 'aria-pressed="true"' in card


def test_kept_card_forms_carry_each_viewer_s_own_like_and_csrf_token(network):
    """The like button and the comment form are kept per card (``{% once %}``): each viewer sees
    their own "liked", the count of all, and a CSRF token that works for them only."""
    from django.test import Client

    first = network["items"][0].pk
    clients = {}
    for name in ("anne", "bruno"):
        clients[name] = Client(enforce_csrf_checks=True)
        clients[name].force_login(UserFactory())

    def card_and_token(name):
        body = clients[name].get(reverse("community:dashboard")).content.decode()
        card = body.split(f'data-activity="{first}"')[1].split("</article>")[0]
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', card))
        assert len(tokens) == 1 and "csrf-token-kept" not in card
        return card, tokens.pop()

    card, anne_token = card_and_token("anne")
    assert 'aria-pressed="false"' in card and "csrf-token-kept" not in card
    assert "Écrire un commentaire" in card and f'name="a{first}-body"' in card
    assert clients["anne"].post(reverse("community:activity_like", args=[first]), {"csrfmiddlewaretoken": anne_token}).status_code == 302
    anne_card, _ = card_and_token("anne")
    bruno_card, bruno_token = card_and_token("bruno")
    assert 'aria-pressed="true"' in anne_card and 'aria-pressed="false"' in bruno_card
    assert re.search(r'class="like-count"\s+title="1 personne aime">1<', bruno_card)
    assert bruno_token != anne_token
    refused = clients["bruno"].post(reverse("community:activity_like", args=[first]), {"csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
    assert clients["bruno"].post(reverse("community:activity_like", args=[first]), {"csrfmiddlewaretoken": bruno_token}).status_code == 302
