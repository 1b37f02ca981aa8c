"""Upload checks: files are judged by their content, not their name, and by their size.

Images are opened with Pillow, verified, then re-encoded: this drops EXIF (GPS included),
neutralises polyglots and refuses anything Pillow cannot decode (SVG, HTML renamed ``.jpg``).
"""

import io
import os
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import AttachmentKind

ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


def _human(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


def check_size(upload: UploadedFile, max_bytes: int) -> None:
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("Le fichier est trop volumineux (%(size)s au maximum).") % {"size": _human(max_bytes)},
            code="too_large",
        )


def clean_image(upload: UploadedFile, *, max_side: int = 1024, max_bytes: int | None = None) -> UploadedFile:
    """Validate an uploaded image by content and return a clean re-encoded copy.

    The copy is at most ``max_side`` pixels on its longest side, without metadata, under a
    random name with the extension of its real format.
    """
    check_size(upload, max_bytes or settings.MAX_IMAGE_UPLOAD_BYTES)
    try:
        with warnings.catch_warnings():
            # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns: make it a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            probe = Image.open(upload)
        with probe:
            # Checked before decoding: a few kilobytes of PNG can claim 80 million pixels.
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("Cette image est trop grande (en pixels)."), code="too_many_pixels")
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        fmt = image.format
        if fmt not in ALLOWED_IMAGE_FORMATS:
            raise ValidationError(_("Format d'image non accepté : JPEG, PNG, WebP ou GIF."), code="bad_format")
        image = ImageOps.exif_transpose(image)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("Cette image est trop grande (en pixels)."), code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("Ce fichier n'est pas une image valide."), code="not_image") from exc
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    image.thumbnail((max_side, max_side))
    out_format = "PNG" if image.mode in ("RGBA", "LA") or fmt in ("PNG", "GIF") else "JPEG"
    if out_format == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=out_format, optimize=True, **({"quality": 85} if out_format == "JPEG" else {}))
    ext = "png" if out_format == "PNG" else "jpg"
    name = f"{uuid.uuid4().hex}.{ext}"
    return InMemoryUploadedFile(buffer, "image", name, f"image/{'png' if ext == 'png' else 'jpeg'}", buffer.tell(), None)


PDF_MAGIC = b"%PDF-"


def clean_pdf(upload: UploadedFile, *, max_bytes: int = 10 * 1024 * 1024) -> UploadedFile:
    """Accept a PDF only if its bytes say so; the stored name is random."""
    check_size(upload, max_bytes)
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head.startswith(PDF_MAGIC):
        raise ValidationError(_("Ce fichier n'est pas un PDF valide."), code="not_pdf")
    upload.name = f"{uuid.uuid4().hex}.pdf"
    return upload


ATTACHMENT_ACCEPT = "image/jpeg,image/png,image/webp,image/gif,application/pdf"


def clean_attachment(upload: UploadedFile, *, max_side: int = 1600) -> tuple[UploadedFile, str, str]:
    """An attachment to a member's text is a PDF (judged by its first bytes) or an image (judged
    by ``clean_image``); returns ``(clean file, AttachmentKind value, safe original name)``.
    Anything else is refused with a message naming the file."""
    original = safe_filename(upload.name)
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    try:
        if head.startswith(PDF_MAGIC):
            return clean_pdf(upload), AttachmentKind.PDF, original
        return clean_image(upload, max_side=max_side), AttachmentKind.IMAGE, original
    except ValidationError as exc:
        if exc.code in ("not_image", "bad_format"):
            detail = _("seules les images (JPEG, PNG, WebP, GIF) et les PDF sont acceptés.")
        else:
            detail = " ".join(exc.messages)
        raise ValidationError(_("« %(name)s » : %(detail)s") % {"name": original, "detail": detail}, code=exc.code) from exc


def clean_attachments(files, *, max_count: int) -> list[tuple[UploadedFile, str, str]]:
    """Every file checked by ``clean_attachment`` before anything is written: one bad file, or
    more than ``max_count``, refuses them all (errors on the form's ``attachments`` field)."""
    files = [f for f in (files or ()) if f]
    if len(files) > max_count:
        raise ValidationError({"attachments": _("%(n)s pièces jointes au maximum.") % {"n": max_count}})
    try:
        return [clean_attachment(upload) for upload in files]
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from exc


def safe_filename(name: str) -> str:
    """Drop any path component and odd characters from a user-given name."""
    base = os.path.basename(name.replace("\\", "/"))
    keep = "".join(c for c in base if c.isalnum() or c in "._- ")
    return keep.strip(". ")[:120] or "fichier"
