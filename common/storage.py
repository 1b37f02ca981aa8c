"""Storage for files that only permission-checked views serve (never a public media URL)."""

from django.core.files.storage import storages


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
