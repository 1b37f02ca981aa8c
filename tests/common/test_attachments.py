"""Attachments to a member's text (forum posts, private messages): one rule in ``common.uploads``
and one multi-file field in ``common.forms``, used by groups and messaging alike."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from common.forms import MultipleFileField
from common.markdown import clean_body
from common.uploads import ATTACHMENT_ACCEPT, clean_attachment, clean_attachments
from groups.forms import PostForm, TopicForm
from messaging.forms import MessageForm


def _png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _pdf(name="doc.pdf", size=0):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size + b"\n%%EOF\n", content_type="application/pdf")


def test_pdf_and_image_are_recognised_by_content_not_name():
    clean, kind, original = clean_attachment(_pdf("rapport.png"))
    assert kind == "pdf" and original == "rapport.png" and clean.name.endswith(".pdf")
    clean, kind, original = clean_attachment(_png("scan.pdf"))
    assert kind == "image" and original == "scan.pdf" and clean.name.endswith(".png")


def test_neither_pdf_nor_image_names_the_file_and_what_is_accepted():
    fake = SimpleUploadedFile("../photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        clean_attachment(fake)
    assert exc.value.messages == ["« photo.jpg » : seules les images (JPEG, PNG, WebP, GIF) et les PDF sont acceptés."]


def test_other_refusals_keep_their_reason(settings):
    with pytest.raises(ValidationError) as exc:
        clean_attachment(_pdf("gros.pdf", size=11 * 1024 * 1024))
    assert exc.value.code == "too_large"
    assert exc.value.messages[0].startswith("« gros.pdf » : Le fichier est trop volumineux")


def test_clean_attachments_counts_then_checks_every_file_on_the_attachments_field():
    assert clean_attachments([None, ""], max_count=1) == []
    with pytest.raises(ValidationError) as exc:
        clean_attachments([_png(f"{i}.png") for i in range(3)], max_count=2)
    assert exc.value.message_dict == {"attachments": ["2 pièces jointes au maximum."]}
    bad = SimpleUploadedFile("notes.txt", b"bonjour", content_type="text/plain")
    with pytest.raises(ValidationError) as exc:
        clean_attachments([_pdf(), bad], max_count=5)
    assert list(exc.value.message_dict) == ["attachments"] and "notes.txt" in exc.value.message_dict["attachments"][0]
    assert [kind for _, kind, _ in clean_attachments([_pdf(), _png()], max_count=5)] == ["pdf", "image"]


def test_clean_body_strips_and_limits():
    assert clean_body("  salut \n", max_length=5) == "salut"
    with pytest.raises(ValidationError) as exc:
        clean_body("   ", max_length=5)
    assert exc.value.message_dict == {"body": ["Le message est vide."]}
    with pytest.raises(ValidationError) as exc:
        clean_body("123456", max_length=5)
    assert "5 caractères au maximum" in exc.value.message_dict["body"][0]


@pytest.mark.parametrize("form_class", [TopicForm, PostForm, MessageForm])
def test_forum_and_message_forms_share_the_field_and_offer_images_and_pdf(form_class):
    field = form_class.base_fields["attachments"]
    assert isinstance(field, MultipleFileField)
    assert field.widget.attrs["accept"] == ATTACHMENT_ACCEPT
    assert "multiple" in field.widget.render("attachments", None)
    assert field.clean([_png(), None]) and field.clean(None) == []
