"""Shared abstract models."""

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


def unique_slug(instance: models.Model, text: str, *, max_length: int, fallback: str, field: str = "slug") -> str:
    """A slug for ``text`` that no other row of the instance's model uses (``-2``, ``-3``… appended)."""
    base = slugify(text)[:max_length] or fallback
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    slug, n = base, 2
    while others.filter(**{field: slug}).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def choice_label(choices: type[models.Choices], value):
    """``value``'s label in the active language, or ``value`` itself when it is not (or no longer)
    one of ``choices`` — what ``get_FOO_display`` gives, without building and hashing the field's
    whole list of choices on each call (~0.1 ms: a list of 24 cards paid it 24 times)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF")


class PrivateAttachment(models.Model):
    """A file joined to a member's text (forum post, private message): an image or a PDF checked
    by ``common.uploads``, kept in private storage and served only through a permission-checked
    view. Each subclass adds its owner and its ``file`` field (its own upload folder)."""

    kind = models.CharField(max_length=6, choices=AttachmentKind.choices)
    original_name = models.CharField(max_length=140)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name
