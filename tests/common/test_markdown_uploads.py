import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from common.markdown import plain_excerpt, render_markdown
from common.uploads import clean_image, clean_pdf, safe_filename


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<svg onload="alert(1)"></svg>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_markdown_strips_executable_content(payload):
    html = str(render_markdown(payload))
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered and "onload" not in lowered
    assert "javascript:" not in lowered
    assert "<iframe" not in lowered and "<style" not in lowered and "style=" not in lowered


def test_the_same_text_is_converted_once_and_stays_sanitised():
    text = "**Groupe** <script>alert(1)</script> [clic](javascript:alert(1))"
    render_markdown.cache_clear()
    plain_excerpt.cache_clear()
    first, again = render_markdown(text), render_markdown(text)
    assert first == again and "<strong>Groupe</strong>" in first and "<script" not in again and "javascript:" not in again
    assert render_markdown.cache_info().hits == 1 and render_markdown.cache_info().misses == 1
    short = plain_excerpt(text, 8)
    assert short == plain_excerpt(text, 8) and short.startswith("Groupe") and len(short) <= 8 and plain_excerpt.cache_info().hits == 1
    assert plain_excerpt(text, 200) != plain_excerpt(text, 8)  # each length its own excerpt


def test_markdown_keeps_formatting_and_adds_safe_rel():
    html = str(render_markdown("**gras** et [lien](https://exemple.fr)\n\n- un\n- deux"))
    assert "<strong>gras</strong>" in html
    assert 'href="https://exemple.fr"' in html and "noopener" in html
    assert "<li>un</li>" in html


def test_plain_excerpt_is_text_and_shortened():
    text = "**Bonjour** " + "mot " * 100
    excerpt = plain_excerpt(text, 50)
    assert "<" not in excerpt and len(excerpt) <= 50 and excerpt.endswith("…")


def _image_bytes(fmt="JPEG", size=(2000, 1000), exif_gps=False):
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPSInfo
        exif[0x010F] = "Maker"
        kwargs["exif"] = exif
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def test_clean_image_resizes_and_strips_metadata():
    upload = SimpleUploadedFile("photo.jpg", _image_bytes(exif_gps=True), content_type="image/jpeg")
    cleaned = clean_image(upload, max_side=512)
    cleaned.seek(0)
    result = Image.open(cleaned)
    assert max(result.size) == 512
    assert not result.getexif()  # no GPS, no maker
    assert cleaned.name.endswith(".jpg") and cleaned.name != "photo.jpg"


@pytest.mark.parametrize(
    "name,content",
    [
        ("evil.jpg", b"<html><script>alert(1)</script></html>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("empty.png", b""),
    ],
)
def test_clean_image_refuses_non_images(name, content):
    with pytest.raises(ValidationError):
        clean_image(SimpleUploadedFile(name, content, content_type="image/jpeg"))


def test_clean_image_refuses_oversize(settings):
    upload = SimpleUploadedFile("big.png", _image_bytes("PNG"), content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        clean_image(upload, max_bytes=100)
    assert exc.value.code == "too_large"


def test_clean_pdf_checks_magic_bytes():
    assert clean_pdf(SimpleUploadedFile("a.pdf", b"%PDF-1.7\n...")).name.endswith(".pdf")
    with pytest.raises(ValidationError):
        clean_pdf(SimpleUploadedFile("a.pdf", b"<html>not a pdf</html>"))


def test_safe_filename_drops_paths():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("..\\..\\win.ini") == "win.ini"
    assert safe_filename("") == "fichier"
