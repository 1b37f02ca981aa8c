"""Printable PDF documents (attendance certificates, minutes) through fpdf2, with an embedded font.

The core PDF fonts only know Latin-1: "Łucja Nguyễn" or "Ørsted" would come out as question
marks. ``PdfDocument`` embeds DejaVu Sans (shipped in ``common/fonts/``, Bitstream Vera licence,
see ``LICENSE-DejaVu.txt``), subset to the characters used, so every name prints as typed.
French typography is the caller's: use « » and non-breaking spaces in the text itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
# fontTools logs every subsetting step at INFO: quiet it, warnings still show.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class PdfDocument:
    """An A4 document written top to bottom: headings, paragraphs, bullet lists."""

    def __init__(self, *, title: str, author: str = "") -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(20, 20, 20)
        self.pdf.set_auto_page_break(auto=True, margin=20)
        self.pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.pdf.set_title(title)
        if author:
            self.pdf.set_author(author)
        self.pdf.set_lang("fr")
        self.pdf.add_page()

    def heading(self, text: str, *, level: int = 1) -> None:
        """A title (level 1) or a section heading (level 2)."""
        size = {1: 20, 2: 14}.get(level, 12)
        self.pdf.set_font(FONT, "B", size)
        self.pdf.multi_cell(0, size * 0.6, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(size * 0.3)

    def paragraph(self, text: str, *, size: int = 11) -> None:
        """A paragraph of plain text, wrapped to the page width."""
        self.pdf.set_font(FONT, "", size)
        self.pdf.multi_cell(0, size * 0.55, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(size * 0.35)

    def bullets(self, items: list[str], *, size: int = 11) -> None:
        """A bullet list (one item per entry)."""
        self.pdf.set_font(FONT, "", size)
        for item in items:
            self.pdf.multi_cell(0, size * 0.55, f"•\u00a0{item}", align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(size * 0.35)

    def output(self) -> bytes:
        """The PDF file's bytes."""
        return bytes(self.pdf.output())


def duration_text(duration: timedelta) -> str:
    """A duration the French way: « 45 min », « 2 h », « 1 h 30 »."""
    minutes = max(int(duration.total_seconds() // 60), 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)s min") % {"m": rest}
    if not rest:
        return _("%(h)s h") % {"h": hours}
    return _("%(h)s h %(m)02d") % {"h": hours, "m": rest}
