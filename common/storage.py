"""Storage for files that only permission-checked views serve (never a public media URL)."""

from django.core.files.storage import storages
from django.http import FileResponse


def private_storage():
    """``STORAGES["private"]``: outside ``MEDIA_ROOT`` in production (``PRIVATE_MEDIA_ROOT``)."""
    return storages["private"]


def move_files_to_private(model, field: str = "file") -> int:
    """Data migrations: move a model's files from the public default storage to the private one
    (keeping their names); returns how many moved. Idempotent."""
    from django.core.files.storage import default_storage

    private = private_storage()
    moved = 0
    for obj in model.objects.exclude(**{field: ""}).iterator():
        name = getattr(obj, field).name
        if private.exists(name) or not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as source:
            saved = private.save(name, source)
        if saved != name:
            model.objects.filter(pk=obj.pk).update(**{field: saved})
        default_storage.delete(name)
        moved += 1
    return moved


def private_attachment_response(request, attachment) -> FileResponse:
    """Serve a ``PrivateAttachment`` the caller has already checked the viewer may read: shown in
    the browser (``?telecharger=1`` downloads it) under its original name, never sniffed as
    HTML, sandboxed, cached by the viewer's browser only."""
    image_type = "image/png" if attachment.file.name.endswith(".png") else "image/jpeg"
    content_type = "application/pdf" if attachment.kind == "pdf" else image_type
    inline = request.GET.get("telecharger") != "1"
    response = FileResponse(
        attachment.file.open("rb"), content_type=content_type, as_attachment=not inline, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
