"""The attendance certificate as a PDF (``common.pdf``: fpdf2 with an embedded Unicode font).

The HTML certificate page is the printable twin; both say the same thing with the same words.
"""

from django.conf import settings
from django.template.defaultfilters import date as date_format
from django.utils import timezone
from django.utils.translation import gettext as _

from common.pdf import PdfDocument, duration_text


def certificate_pdf(*, event, registration) -> bytes:
    """One A4 page certifying that the registered person attended the event."""
    start = timezone.localtime(event.start)
    end = timezone.localtime(event.end)
    doc = PdfDocument(title=_("Attestation de présence"), author=settings.HUB_NAME)
    doc.heading(_("Attestation de présence"))
    doc.paragraph(
        _(
            "Le %(hub)s atteste que %(name)s a participé à « %(title)s » (%(kind)s), le %(day)s de %(start)s à %(end)s, "
            "soit une durée de %(duration)s."
        )
        % {
            "hub": settings.HUB_NAME,
            "name": registration.name,
            "title": event.title,
            "kind": event.get_type_display().lower(),
            "day": date_format(start, "l j F Y"),
            "start": date_format(start, "H:i"),
            "end": date_format(end, "H:i"),
            "duration": duration_text(event.end - event.start),
        },
        size=12,
    )
    doc.paragraph(_("Code d'inscription : %(code)s") % {"code": registration.code})
    doc.paragraph(_("Fait le %(day)s.") % {"day": date_format(timezone.localdate(), "j F Y")})
    doc.paragraph(settings.HUB_NAME)
    return doc.output()
