"""Versions of the label's referential: build, copy into a new draft, publish."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Axis, Criterion, Referential
from .workflow import require_staff


def referential_publish(*, actor, referential: Referential) -> Referential:
    """Publish a draft version; the previous published one is archived (its applications keep it)."""
    require_staff(actor)
    with transaction.atomic():
        referential = Referential.objects.select_for_update().get(pk=referential.pk)
        if referential.status != Referential.Status.DRAFT:
            raise ValidationError(_("Seul un brouillon peut être publié."))
        if not Criterion.objects.filter(axis__referential=referential).exists():
            raise ValidationError(_("Un référentiel sans critère ne peut pas être publié."))
        Referential.objects.filter(status=Referential.Status.PUBLISHED).update(status=Referential.Status.ARCHIVED)
        referential.status = Referential.Status.PUBLISHED
        referential.published_at = timezone.now()
        referential.save(update_fields=["status", "published_at", "updated_at"])
    return referential


def referential_new_version(*, actor, source: Referential | None = None) -> Referential:
    """A new draft version, copied from ``source`` (default: the latest version)."""
    require_staff(actor)
    with transaction.atomic():
        source = source or Referential.objects.order_by("-version").first()
        next_version = (Referential.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        draft = Referential.objects.create(
            version=next_version,
            title=source.title if source else _("Référentiel du label"),
            description=source.description if source else "",
        )
        if source:
            for axis in source.axes.prefetch_related("criteria"):
                new_axis = Axis.objects.create(referential=draft, name=axis.name, order=axis.order)
                Criterion.objects.bulk_create(
                    [
                        Criterion(
                            axis=new_axis,
                            code=c.code,
                            title=c.title,
                            description=c.description,
                            expected_evidence=c.expected_evidence,
                            required=c.required,
                            scale_max=c.scale_max,
                            scale_help=c.scale_help,
                            order=c.order,
                        )
                        for c in axis.criteria.all()
                    ]
                )
    return draft


def referential_create(
    *, version: int, title: str, axes: list[tuple[str, list[dict]]], description: str = "", publish: bool = False
) -> Referential:
    """Build a referential in one go (demo data, tests): ``axes`` = [(name, [criterion fields…])]."""
    with transaction.atomic():
        ref = Referential.objects.create(version=version, title=title, description=description)
        for i, (name, criteria) in enumerate(axes):
            axis = Axis.objects.create(referential=ref, name=name, order=i)
            for j, fields in enumerate(criteria):
                Criterion.objects.create(axis=axis, order=j, **fields)
        if publish:
            Referential.objects.filter(status=Referential.Status.PUBLISHED).update(status=Referential.Status.ARCHIVED)
            ref.status = Referential.Status.PUBLISHED
            ref.published_at = timezone.now()
            ref.save(update_fields=["status", "published_at"])
    return ref
