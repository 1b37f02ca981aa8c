"""A member's face (``{% avatar %}``) as plain values: the photo when its owner lets the viewer see
it, otherwise initials on one of four token colour pairs chosen from the member's id. The tag and
the kept cards (the directory's ``selectors.MemberCard``, the stream's ``activity.StreamCardHead``)
decide it here, the same way; an organisation's logo likewise (``CardOrganisation``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString

AVATAR_TONES = 4
AVATAR_SIZES = (24, 32, 40, 44, 64, 96, 128)  # each has an ``.avatar-s<N>`` class (the CSP allows no inline style)


def avatar_size(size) -> int:
    """The nearest size that has a class."""
    return min(AVATAR_SIZES, key=lambda s: abs(s - int(size)))


def initials(name: str) -> str:
    """Up to two initials of a name ("Éloïse Le Gall" → "ÉL"); "?" for none."""
    words = [w for w in (name or "").replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@dataclass(frozen=True, slots=True)
class Face:
    """Everything an avatar shows, for one viewer: equal faces write equal markup."""

    tone: int
    letters: str  # "" for an erased account ("?" is written)
    photo_url: str = ""  # "" when there is no photo or the viewer may not see it
    webp_url: str = ""

    def html(self, size) -> SafeString:
        size = avatar_size(size)
        if self.photo_url:
            source = format_html('<source srcset="{}"\n    type="image/webp">', self.webp_url) if self.webp_url else ""
            return format_html(
                '<picture class="avatar avatar-s{}">{}<img src="{}" alt="" width="{}" height="{}" loading="lazy"\n'
                '    decoding="async"></picture>\n',
                size,
                source,
                self.photo_url,
                size,
                size,
            )
        return format_html(
            '<span class="avatar avatar-s{} avatar-tone-{}"\n    aria-hidden="true">{}</span>\n', size, self.tone, self.letters or "?"
        )


def face_of(person, viewer) -> Face:
    """The face of ``person`` (a ``User``, a ``Profile`` or ``None``) as ``viewer`` sees it."""
    profile = getattr(person, "profile", person) if person is not None else None
    user = getattr(profile, "user", None) if profile is not None else None
    erased = user is not None and user.erased_at
    tone = (profile.user_id or 0) % AVATAR_TONES if profile is not None else 0
    if profile is not None and not erased and profile.photo and profile.shown_fields(viewer).get("photo"):
        photo_webp = getattr(profile, "photo_webp", None)
        return Face(tone=tone, letters="", photo_url=profile.photo.url, webp_url=photo_webp.url if photo_webp else "")
    return Face(tone=tone, letters="" if erased else initials(user.public_name if user is not None else ""))


@dataclass(frozen=True, slots=True)
class CardOrganisation:
    """A member's organisation as their card shows it (``{% organisation_logo %}`` reads these; ``of`` for an ``Organisation``)."""

    name: str
    logo_url: str

    @classmethod
    def of(cls, organisation) -> CardOrganisation:
        return cls(organisation.name, organisation.logo.url if organisation.logo else "")
