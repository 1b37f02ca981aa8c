"""A one-page attendance certificate as a real PDF, written by hand (no PDF library needed).

Text only, in the standard Helvetica font with WinAnsi encoding (French accents included);
every PDF reader opens it. The HTML version of the certificate is the printable twin.
"""

from django.conf import settings
from django.utils import timezone


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


def render_pdf(lines: list[tuple[int, str]]) -> bytes:
    """``lines``: (font size, text) from top to bottom on an A4 page."""
    ops = [b"BT"]
    y = 760
    for size, text in lines:
        if not text:
            y -= size
            continue
        ops.append(b"/F1 %d Tf 1 0 0 1 72 %d Tm (" % (size, y) + _escape(text) + b") Tj")
        y -= int(size * 1.6)
    ops.append(b"ET")
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def certificate_pdf(*, event, registration) -> bytes:
    start = timezone.localtime(event.start)
    end = timezone.localtime(event.end)
    hours = (event.end - event.start).total_seconds() / 3600
    body = (
        f"Le {settings.HUB_NAME} atteste que {registration.name} a participé à « {event.title} » "
        f"({event.get_type_display().lower()}), le {start:%d/%m/%Y} de {start:%H:%M} à {end:%H:%M}, "
        f"soit une durée de {hours:g} heure{'s' if hours >= 2 else ''}."
    )
    lines = [(22, "Attestation de présence"), (12, "")]
    lines += [(12, line) for line in _wrap(body, 85)]
    lines += [
        (12, ""),
        (11, f"Code d'inscription : {registration.code}"),
        (11, f"Fait le {timezone.localdate():%d/%m/%Y}."),
        (12, ""),
        (11, settings.HUB_NAME),
    ]
    return render_pdf(lines)
