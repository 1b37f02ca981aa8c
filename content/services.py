"""Writes of the resource library: submit, publish or refuse, vote, report, collections.

Each service validates, saves in one transaction and sends its notifications from inside that
transaction (``notification_send`` writes rows in the caller's transaction and delivers after
commit), so a failure half-way leaves nothing behind.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from community.notifications import notification_send

from .models import Collection, CollectionItem, Resource, ResourceReport, ResourceStatus, ResourceVote
from .selectors import can_moderate, moderated_group_ids, resource_list_published

NOTIFICATION_KIND = "content.resource"
RESERVED_SLUGS = {"proposer", "moderation", "collections", "mes-ressources"}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "ressource"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Resource.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _moderators_of(resource: Resource):
    """Hub staff, plus the moderators of the resource's group."""
    User = get_user_model()
    qs = User.objects.filter(is_active=True, is_staff=True)
    if resource.group_id:
        from groups.models import Membership, MembershipStatus, Role

        group_mods = Membership.objects.filter(
            group_id=resource.group_id, status=MembershipStatus.ACTIVE, role__in=[Role.OWNER, Role.ADMIN, Role.MODERATOR]
        ).values("user_id")
        qs = User.objects.filter(is_active=True).filter(pk__in=group_mods) | qs
    return qs.distinct()


def resource_submit(*, author, data: dict, themes=(), audiences=(), upload=None) -> Resource:
    """A member proposes a resource; it waits for staff (or its group's moderators) to publish it.

    ``data`` holds the model fields (title, summary, description, type, licence, department,
    authors, organisation, url, group); ``upload`` is a file already checked by content
    (``content.forms.clean_resource_file``). Staff submissions are published at once.
    """
    if not data.get("url") and upload is None:
        raise ValidationError(_("Indiquez un lien ou joignez un fichier."))
    group = data.get("group")
    if group is not None:
        from groups.access import is_active_member

        if not (author.is_hub_staff or is_active_member(user=author, group=group)):
            raise PermissionDenied
    with transaction.atomic():
        resource = Resource(submitted_by=author, **data)
        resource.slug = _unique_slug(resource.title)
        if upload is not None:
            resource.file_name = getattr(upload, "original_name", upload.name)
            resource.file_type = getattr(upload, "content_type", "") or "application/octet-stream"
            resource.file_size = upload.size or 0
            resource.file.save(upload.name, upload, save=False)
        resource.full_clean(exclude=["slug", "file", "submitted_by", "themes", "audiences"])
        resource.save()
        resource.themes.set(themes)
        resource.audiences.set(audiences)
        if can_moderate(user=author, resource=resource):
            _publish(resource, moderator=author, notify_author=False)
        else:
            for moderator in _moderators_of(resource):
                notification_send(
                    recipient=moderator,
                    kind=NOTIFICATION_KIND,
                    verb=_("a proposé une ressource à publier"),
                    actor=author,
                    target=resource,
                    url=reverse("content:moderation"),
                    description=resource.title,
                )
    return resource


def _publish(resource: Resource, *, moderator, notify_author: bool = True) -> None:
    updated = (
        Resource.objects.filter(pk=resource.pk)
        .exclude(status=ResourceStatus.PUBLISHED)
        .update(status=ResourceStatus.PUBLISHED, published_at=timezone.now(), published_by=moderator, moderation_note="")
    )
    resource.refresh_from_db(fields=["status", "published_at", "published_by", "moderation_note"])
    if updated and notify_author and resource.submitted_by_id and resource.submitted_by_id != moderator.pk:
        notification_send(
            recipient=resource.submitted_by,
            kind=NOTIFICATION_KIND,
            verb=_("a publié votre ressource"),
            actor=moderator,
            target=resource,
            url=resource.get_absolute_url(),
            description=resource.title,
        )


def resource_publish(*, resource: Resource, moderator) -> Resource:
    if not can_moderate(user=moderator, resource=resource):
        raise PermissionDenied
    with transaction.atomic():
        _publish(resource, moderator=moderator)
    return resource


def resource_reject(*, resource: Resource, moderator, note: str) -> Resource:
    """Refuse (or unpublish) a resource, with a reason the author reads."""
    if not can_moderate(user=moderator, resource=resource):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Expliquez en quelques mots pourquoi la ressource est refusée.")})
    with transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(status=ResourceStatus.REJECTED, moderation_note=note, published_at=None)
        resource.refresh_from_db(fields=["status", "moderation_note", "published_at"])
        if resource.submitted_by_id and resource.submitted_by_id != moderator.pk:
            notification_send(
                recipient=resource.submitted_by,
                kind=NOTIFICATION_KIND,
                verb=_("n'a pas publié votre ressource"),
                actor=moderator,
                target=resource,
                url=resource.get_absolute_url(),
                description=note,
            )
    return resource


def resource_vote_toggle(*, resource: Resource, user) -> bool:
    """Mark the resource useful, or withdraw the mark; returns whether the member now votes for it."""
    if not resource.is_published:
        raise PermissionDenied
    with transaction.atomic():
        deleted, _count = ResourceVote.objects.filter(resource=resource, user=user).delete()
        if deleted:
            return False
        try:
            with transaction.atomic():
                ResourceVote.objects.create(resource=resource, user=user)
        except IntegrityError:  # a double click raced us: the vote is there
            pass
    return True


def resource_report(*, resource: Resource, reporter, reason: str) -> ResourceReport:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("Décrivez le problème en quelques mots.")})
    with transaction.atomic():
        report = ResourceReport.objects.create(resource=resource, reporter=reporter, reason=reason[:2000])
        for moderator in _moderators_of(resource):
            if moderator.pk == reporter.pk:
                continue
            notification_send(
                recipient=moderator,
                kind=NOTIFICATION_KIND,
                verb=_("a signalé une ressource"),
                actor=reporter,
                target=resource,
                url=reverse("content:moderation"),
                description=reason[:200],
            )
    return report


def report_resolve(*, report: ResourceReport, moderator) -> None:
    if not can_moderate(user=moderator, resource=report.resource):
        raise PermissionDenied
    ResourceReport.objects.filter(pk=report.pk, resolved_at__isnull=True).update(resolved_at=timezone.now())


# --- Collections --------------------------------------------------------------------------------
def collection_create(*, owner, title: str, description: str = "", is_public: bool = False) -> Collection:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Donnez un titre à la collection.")})
    return Collection.objects.create(owner=owner, title=title[:150], description=description, is_public=is_public)


def collection_update(*, collection: Collection, user, title: str, description: str, is_public: bool) -> Collection:
    if collection.owner_id != user.pk:
        raise PermissionDenied
    collection.title, collection.description, collection.is_public = title.strip()[:150], description, is_public
    collection.full_clean()
    collection.save()
    return collection


def collection_add(*, collection: Collection, resource: Resource, user) -> None:
    """Add a resource the member may see to one of the member's collections (idempotent)."""
    if collection.owner_id != user.pk:
        raise PermissionDenied
    if not resource_list_published(viewer=user).filter(pk=resource.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        CollectionItem.objects.get_or_create(collection=collection, resource=resource)
        Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())


def collection_remove(*, collection: Collection, resource: Resource, user) -> None:
    if collection.owner_id != user.pk:
        raise PermissionDenied
    CollectionItem.objects.filter(collection=collection, resource=resource).delete()


def collection_delete(*, collection: Collection, user) -> None:
    if collection.owner_id != user.pk:
        raise PermissionDenied
    collection.delete()


__all__ = [
    "collection_add",
    "collection_create",
    "collection_delete",
    "collection_remove",
    "collection_update",
    "moderated_group_ids",
    "report_resolve",
    "resource_publish",
    "resource_reject",
    "resource_report",
    "resource_submit",
    "resource_vote_toggle",
]
