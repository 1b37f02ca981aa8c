"""``{% avatar person 40 %}``: a member's face wherever people appear (directory, stream, forum,
messages, attendee lists). ``person`` is a ``User`` or a ``Profile``; the photo shows only when its
owner lets the viewer see it, otherwise initials on one of four token colour pairs (AA contrast in
light and dark themes), chosen from the member's id so a person keeps their colour."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

AVATAR_TONES = 4
AVATAR_SIZES = (24, 32, 40, 44, 64, 96, 128)  # each has an ``.avatar-s<N>`` class (the CSP allows no inline style)


def _size(size) -> int:
    """The nearest size that has a class."""
    return min(AVATAR_SIZES, key=lambda s: abs(s - int(size)))


def initials(name: str) -> str:
    """Up to two initials of a name ("Éloïse Le Gall" → "ÉL"); "?" for none."""
    words = [w for w in (name or "").replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.simple_tag(takes_context=True)
def avatar(context, person, size=40):
    """The markup is written here rather than in an included template: a page of the stream or of
    the directory shows 20 to 50 faces, and an inclusion tag cost ~300 function calls each."""
    profile = getattr(person, "profile", person) if person is not None else None
    user = getattr(profile, "user", None) if profile is not None else None
    size = _size(size)
    erased = user is not None and user.erased_at
    if profile is not None and not erased and profile.photo and profile.shown_fields(context.get("user")).get("photo"):
        photo_webp = getattr(profile, "photo_webp", None)
        source = format_html('<source srcset="{}"\n    type="image/webp">', photo_webp.url) if photo_webp else ""
        return format_html(
            '<picture class="avatar avatar-s{}">{}<img src="{}" alt="" width="{}" height="{}" loading="lazy"\n'
            '    decoding="async"></picture>\n',
            size,
            source,
            profile.photo.url,
            size,
            size,
        )
    tone = (profile.user_id or 0) % AVATAR_TONES if profile is not None else 0
    letters = "" if erased else initials(user.public_name if user is not None else "")
    return format_html('<span class="avatar avatar-s{} avatar-tone-{}"\n    aria-hidden="true">{}</span>\n', size, tone, letters or "?")


@register.inclusion_tag("community/_logo.html")
def organisation_logo(organisation, size=64):
    """An organisation's logo, or its initials on a neutral tint; always ``alt=""`` / hidden: the
    organisation's name is written next to it wherever it is used."""
    logo = getattr(organisation, "logo", None)
    return {
        "logo": logo or None,
        "name": organisation.name,
        "initials": initials(organisation.name),
        "size": _size(size),
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
