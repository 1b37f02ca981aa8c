"""A photo's files leave with its row, however the row goes (a manager removes it, the item or
its organisation is deleted: Django sends ``post_delete`` for each cascaded photo), once the
transaction commits (a rolled-back deletion keeps them)."""

from django.db import transaction
from django.db.models.signals import post_delete

from .models import ItemPhoto


def _delete_photo_files(sender, instance: ItemPhoto, **kwargs) -> None:
    names = instance.file_names()
    if not names:
        return
    storage = instance.image.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def connect() -> None:
    post_delete.connect(_delete_photo_files, sender=ItemPhoto, dispatch_uid="sharing.item_photo_files")
