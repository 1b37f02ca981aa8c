"""``{% avatar person 40 %}``: a member's face wherever people appear (directory, stream, forum,
messages, attendee lists). ``person`` is a ``User`` or a ``Profile``; the photo shows only when its
owner lets the viewer see it, otherwise initials on one of four token colour pairs (AA contrast in
light and dark themes), chosen from the member's id so a person keeps their colour."""

from django import template
from django.utils.translation import gettext as _

from common.templatetags.common_tags import safe_url, when
from community.activity import StreamCardHead
from community.faces import Face, avatar_size, face_of, initials

register = template.Library()


@register.simple_tag(takes_context=True)
def avatar(context, person, size=40):
    """The markup is written in Python (``Face.html``) rather than in an included template: a page
    of the stream or of the directory shows 20 to 50 faces, and an inclusion tag cost ~300 function
    calls each. ``person`` may also be a ``Face`` already decided for the viewer (the directory's
    kept cards, whose markup sees no viewer)."""
    face = person if isinstance(person, Face) else face_of(person, context.get("user"))
    return face.html(size)


@register.inclusion_tag("community/_logo.html")
def organisation_logo(organisation, size=64):
    """An organisation's logo, or its initials on a neutral tint; always ``alt=""`` / hidden: the
    organisation's name is written next to it wherever it is used. ``organisation`` is an
    ``Organisation`` or plain values with ``name`` and ``logo_url`` (``faces.CardOrganisation``)."""
    logo_url = getattr(organisation, "logo_url", None)
    if logo_url is None:
        logo = getattr(organisation, "logo", None)
        logo_url = logo.url if logo else ""
    return {
        "logo_url": logo_url,
        "name": organisation.name,
        "initials": initials(organisation.name),
        "size": avatar_size(size),
    }


BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox", "Firefox"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


@register.filter
def device_name(user_agent: str) -> str:
    """A push device's name from its browser's User-Agent: "Firefox · Android"; "Appareil" when unknown."""
    ua = user_agent or ""
    browser = next((name for key, name in BROWSERS if key in ua), "")
    system = next((name for key, name in SYSTEMS if key in ua), "")
    return " · ".join(part for part in (browser, system) if part) or _("Appareil")


@register.simple_tag(takes_context=True)
def stream_card_head(context, item):
    """``{% stream_card_head item as head %}``: the card's head for the page's viewer, built here
    from the item on every render, so no page can forget it (``StreamCardHead``)."""
    return StreamCardHead.of(item, viewer=context.get("user"), when=when(item.created_at), link=safe_url(item.link))
