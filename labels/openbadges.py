"""Open Badges 2.0 documents (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html).

Hosted verification: each document's ``id`` is the stable public URL that serves it, as
JSON-LD with the ``https://w3id.org/openbadges/v2`` context. A revoked assertion still answers,
with ``revoked: true`` and ``revocationReason``, so verifiers learn why it no longer holds.
"""

import io
import os
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from common.markdown import render_markdown
from common.urls import absolute_url

from .models import Assertion, BadgeClass

CONTEXT = "https://w3id.org/openbadges/v2"


def issuer_json() -> dict:
    return {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": absolute_url(reverse("labels:ob_issuer")),
        "name": settings.HUB_NAME,
        "url": absolute_url("/"),
        "email": issuer_email(),
        "description": "Hub régional d'inclusion numérique : label des lieux de médiation numérique et badges de compétences.",
    }


def issuer_email() -> str:
    """``LABELS_ISSUER_EMAIL`` (environment or settings), else the address of ``DEFAULT_FROM_EMAIL``."""
    configured = os.environ.get("LABELS_ISSUER_EMAIL") or getattr(settings, "LABELS_ISSUER_EMAIL", "")
    if configured:
        return configured
    value = settings.DEFAULT_FROM_EMAIL
    if "<" in value and value.endswith(">"):
        return value.rsplit("<", 1)[1][:-1]
    return value


def badge_class_json(badge: BadgeClass) -> dict:
    criteria_url = absolute_url(reverse("labels:badge_class_page", args=[badge.slug]))
    data = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": absolute_url(reverse("labels:ob_badge_class", args=[badge.slug])),
        "name": badge.name,
        "description": badge.description,
        "image": absolute_url(reverse("labels:badge_image", args=[badge.slug])),
        "criteria": {"id": criteria_url, "narrative": badge.criteria},
        "issuer": absolute_url(reverse("labels:ob_issuer")),
    }
    tags = [t.strip() for t in badge.tags.split(",") if t.strip()]
    if tags:
        data["tags"] = tags
    return data


def _iso(value) -> str:
    return value.replace(microsecond=0).isoformat()


def assertion_json(assertion: Assertion) -> dict:
    data = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": absolute_url(reverse("labels:ob_assertion", args=[assertion.uid])),
        "recipient": {"type": "email", "hashed": True, "salt": assertion.salt, "identity": assertion.identity_hash},
        "badge": absolute_url(reverse("labels:ob_badge_class", args=[assertion.badge_class.slug])),
        "verification": {"type": "hosted"},
        "issuedOn": _iso(assertion.issued_on),
    }
    if assertion.expires:
        data["expires"] = _iso(assertion.expires)
    if assertion.narrative:
        data["narrative"] = assertion.narrative
    data["evidence"] = [{"id": absolute_url(reverse("labels:verify", args=[assertion.uid])), "name": assertion.recipient_name}]
    if assertion.revoked:
        data["revoked"] = True
        data["revocationReason"] = assertion.revocation_reason
    return data


def criteria_html(badge: BadgeClass) -> str:
    return render_markdown(badge.criteria)


@lru_cache(maxsize=32)
def generated_badge_png(name: str, kind: str) -> bytes:
    """A plain round badge drawn with Pillow, for badge classes without an uploaded image."""
    font = ImageFont.load_default(size=22)
    size = 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    colour = (0, 84, 147, 255) if kind == BadgeClass.Kind.LABEL else (120, 40, 110, 255)
    draw.ellipse((8, 8, size - 8, size - 8), fill=colour, outline=(255, 255, 255, 255), width=6)
    lines, line = [], ""
    for word in (name or "Badge").split():
        if len(line) + len(word) > 16 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    lines = lines[:4]
    y = size // 2 - 14 * len(lines)
    for text in lines:
        width = draw.textlength(text, font=font)
        draw.text(((size - width) / 2, y), text, fill=(255, 255, 255, 255), font=font)
        y += 28
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()
