"""Faces, logos and pictures: a member's photo becomes two small square files (JPEG for every
browser, WebP for the lighter page), an organisation's logo one small file, a picture (a shared
item's photo) a large and a thumbnail pair; both from an upload that
``common.uploads.clean_image`` has already judged by its content (not an image, over the pixel
limit or the size limit: a French ``ValidationError``), re-encoded and stripped of EXIF."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from common.uploads import MAX_IMAGE_PIXELS, clean_image

PHOTO_SIDE = 256  # shown at 128 px at most: sharp on 2x screens
LOGO_SIDE = 256


def _flat_rgb(upload: UploadedFile, max_side: int) -> Image.Image:
    """The upload judged by ``clean_image`` (content, pixels, size; EXIF gone), fitted in
    ``max_side``, as RGB; transparency laid on white, as it would show on a light card."""
    clean = clean_upload(upload, max_side=max_side)
    clean.seek(0)
    with Image.open(clean) as source:
        image = source.convert("RGBA") if "A" in source.getbands() else source.convert("RGB")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    return image


def _jpeg_and_webp(image: Image.Image, stem: str) -> tuple[ContentFile, ContentFile]:
    jpeg, webp = io.BytesIO(), io.BytesIO()
    image.save(jpeg, format="JPEG", quality=85, optimize=True, progressive=True)
    image.save(webp, format="WEBP", quality=80, method=4)
    return ContentFile(jpeg.getvalue(), name=f"{stem}.jpg"), ContentFile(webp.getvalue(), name=f"{stem}.webp")


def photo_variants(upload: UploadedFile) -> tuple[ContentFile, ContentFile]:
    """(JPEG, WebP) of a square crop around the centre, ``PHOTO_SIDE`` pixels, without metadata."""
    image = _flat_rgb(upload, 2048)
    square = ImageOps.fit(image, (PHOTO_SIDE, PHOTO_SIDE), method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    return _jpeg_and_webp(square, uuid.uuid4().hex)


@dataclass
class PictureVariants:
    """A picture shown large and as a card thumbnail, each in JPEG (every browser) and WebP."""

    large: ContentFile
    large_webp: ContentFile
    width: int
    height: int
    thumb: ContentFile
    thumb_webp: ContentFile


def picture_variants(upload: UploadedFile, *, max_side: int = 1600, thumb_size: tuple[int, int] = (640, 360)) -> PictureVariants:
    """A picture (not a face): fitted, uncropped, in ``max_side`` pixels, and a thumbnail cropped
    to ``thumb_size`` around the centre; both JPEG + WebP without metadata, random names. Refused
    by ``clean_image`` with a French ``ValidationError`` like the faces."""
    image = _flat_rgb(upload, max_side)
    stem = uuid.uuid4().hex
    large, large_webp = _jpeg_and_webp(image, stem)
    thumb = ImageOps.fit(image, thumb_size, method=Image.Resampling.LANCZOS)
    small, small_webp = _jpeg_and_webp(thumb, f"{stem}-vignette")
    return PictureVariants(large, large_webp, image.width, image.height, small, small_webp)


def logo_file(upload: UploadedFile) -> ContentFile:
    """A logo fitted (not cropped) in ``LOGO_SIDE`` pixels, PNG when it has transparency."""
    clean = clean_image(upload, max_side=LOGO_SIDE)
    clean.seek(0)
    return ContentFile(clean.read(), name=clean.name)


def too_many_pixels_message() -> str:
    """The refusal shown for a picture of more pixels than the guard accepts."""
    return _("Cette image est trop grande : %(mp)d mégapixels au plus.") % {"mp": MAX_IMAGE_PIXELS // 1_000_000}


def clean_upload(upload: UploadedFile, *, max_side: int = 2048) -> UploadedFile:
    """The form's check: ``clean_image`` (content judged, re-encoded, EXIF gone, random name),
    with the pixel refusal saying the limit."""
    try:
        return clean_image(upload, max_side=max_side)
    except ValidationError as exc:
        if getattr(exc, "code", "") == "too_many_pixels":
            raise ValidationError(too_many_pixels_message(), code="too_many_pixels") from exc
        raise
