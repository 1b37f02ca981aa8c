import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from messaging import services


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name="doc.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


def make_conversation(actor, *others, body="Bonjour", subject=""):
    return services.conversation_start(actor=actor, recipients=list(others), body=body, subject=subject)
