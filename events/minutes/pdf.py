"""The published minutes as a PDF (``common.pdf``: fpdf2 with DejaVu, so every name prints as typed).

The Markdown text is read block by block: ``## `` headings, bullet and numbered lists, paragraphs;
inline marks (bold, links) are dropped to plain text, and French spacing is applied (a
non-breaking space before « : ; ! ? » and inside guillemets).
"""

import re

from django.conf import settings
from django.template.defaultfilters import date as date_format
from django.utils import timezone
from django.utils.translation import gettext as _

from common.markdown import plain_excerpt
from common.pdf import PdfDocument

from .text import split_sections

BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def french_spacing(text: str) -> str:
    """Non-breaking spaces where French typography wants them (before : ; ! ? » and after «)."""
    text = re.sub(r"\s+([:;!?»])", "\u00a0\\1", text)
    return re.sub(r"«\s*", "«\u00a0", text)


def _plain(text: str) -> str:
    return french_spacing(plain_excerpt(text, 100000))


def _write_blocks(doc: PdfDocument, text: str) -> None:
    items: list[str] = []
    paragraph: list[str] = []

    def flush():
        if items:
            doc.bullets([_plain(i) for i in items])
            items.clear()
        if paragraph:
            doc.paragraph(_plain(" ".join(paragraph)))
            paragraph.clear()

    for line in text.split("\n"):
        if not line.strip():
            flush()
        elif BULLET.match(line):
            if paragraph:
                flush()
            items.append(BULLET.sub("", line))
        elif items and line.startswith(("  ", "\t")):
            items[-1] += " " + line.strip()
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    flush()


def minutes_pdf(*, event, body: str, actions: list[str] = ()) -> bytes:
    """The compte rendu of ``event`` (the text the reader may see) as an A4 document, with the
    follow-up actions decided (one line each) at the end."""
    start = timezone.localtime(event.start)
    title = _("Compte rendu : %(title)s") % {"title": event.title}
    doc = PdfDocument(title=title, author=settings.HUB_NAME)
    doc.heading(french_spacing(_("Compte rendu — %(title)s") % {"title": event.title}))
    doc.paragraph(
        french_spacing(_("Réunion du %(day)s, %(org)s.") % {"day": date_format(start, "l j F Y, H:i"), "org": event.organiser_label})
    )
    for section in split_sections(body):
        if section.title:
            doc.heading(french_spacing(section.title), level=2)
        _write_blocks(doc, section.text)
    if actions:
        doc.heading(_("Actions décidées"), level=2)
        doc.bullets([french_spacing(line) for line in actions])
    return doc.output()
