"""Writes of the resource library: submit, publish or refuse, vote, report, collections.

Each service validates, saves in one transaction and sends its notifications from inside that
transaction (``notification_send`` writes rows in the caller's transaction and delivers after
commit), so a failure half-way leaves nothing behind. The acting member is always ``actor``.
A published resource appears in the activity stream ("resource published") with the audience
of its page; it leaves the stream when it is refused or unpublished.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from community.activity import activity_record, activity_withdraw
from community.models import ActivityKind, User
from community.notifications import notification_send
from groups.access import is_active_member
from groups.models import Membership, MembershipStatus, Role

from .models import Collection, CollectionItem, Resource, ResourceReport, ResourceStatus, ResourceVote
from .selectors import can_moderate, resource_audience, resource_list_published

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
    qs = User.objects.filter(is_active=True, is_staff=True)
    if resource.group_id:
        group_mods = Membership.objects.filter(
            group_id=resource.group_id, status=MembershipStatus.ACTIVE, role__in=[Role.OWNER, Role.ADMIN, Role.MODERATOR]
        ).values("user_id")
        qs = User.objects.filter(is_active=True).filter(pk__in=group_mods) | qs
    return qs.distinct()


def resource_submit(*, actor, data: dict, themes=(), audiences=(), upload=None) -> Resource:
    """A member proposes a resource; it waits for staff (or its group's moderators) to publish it.

    ``data`` holds the model fields (title, summary, description, type, licence, department,
    authors, organisation, url, group); ``upload`` is a file already checked by content
    (``content.forms.clean_resource_file``). Staff submissions are published at once.
    """
    if not data.get("url") and upload is None:
        raise ValidationError(_("Indiquez un lien ou joignez un fichier."))
    group = data.get("group")
    if group is not None and not (actor.is_hub_staff or is_active_member(user=actor, group=group)):
        raise PermissionDenied
    with transaction.atomic():
        resource = Resource(submitted_by=actor, **data)
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
        if can_moderate(user=actor, resource=resource):
            _publish(resource, actor=actor, notify_author=False)
        else:
            for moderator in _moderators_of(resource):
                notification_send(
                    recipient=moderator,
                    kind=NOTIFICATION_KIND,
                    verb=_("a proposé une ressource à publier"),
                    actor=actor,
                    target=resource,
                    url=reverse("content:moderation"),
                    description=resource.title,
                )
    return resource


def _object_ref(resource: Resource) -> str:
    return f"content.resource:{resource.pk}"


def _publish(resource: Resource, *, actor, notify_author: bool = True) -> None:
    updated = (
        Resource.objects.filter(pk=resource.pk)
        .exclude(status=ResourceStatus.PUBLISHED)
        .update(status=ResourceStatus.PUBLISHED, published_at=timezone.now(), published_by=actor, moderation_note="")
    )
    resource.refresh_from_db(fields=["status", "published_at", "published_by", "moderation_note"])
    if updated:
        activity_record(
            verb=_("a partagé une ressource"),
            title=resource.title,
            url=resource.get_absolute_url(),
            audience=resource_audience(resource),
            kind=ActivityKind.RESOURCES,
            actor=resource.submitted_by or actor,
            summary=resource.summary,
            object_ref=_object_ref(resource),
            group_id=resource.group_id,
            organisation=resource.organisation,
            department=resource.department,
        )
    if updated and notify_author and resource.submitted_by_id and resource.submitted_by_id != actor.pk:
        notification_send(
            recipient=resource.submitted_by,
            kind=NOTIFICATION_KIND,
            verb=_("a publié votre ressource"),
            actor=actor,
            target=resource,
            url=resource.get_absolute_url(),
            description=resource.title,
        )


def resource_publish(*, actor, resource: Resource) -> Resource:
    """Staff (or the moderators of its group) publish a proposed resource; its author is told."""
    if not can_moderate(user=actor, resource=resource):
        raise PermissionDenied
    with transaction.atomic():
        _publish(resource, actor=actor)
    return resource


def resource_reject(*, actor, resource: Resource, note: str) -> Resource:
    """Refuse (or unpublish) a resource, with a reason the author reads."""
    if not can_moderate(user=actor, resource=resource):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Expliquez en quelques mots pourquoi la ressource est refusée.")})
    with transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(status=ResourceStatus.REJECTED, moderation_note=note, published_at=None)
        resource.refresh_from_db(fields=["status", "moderation_note", "published_at"])
        activity_withdraw(object_ref=_object_ref(resource))
        if resource.submitted_by_id and resource.submitted_by_id != actor.pk:
            notification_send(
                recipient=resource.submitted_by,
                kind=NOTIFICATION_KIND,
                verb=_("n'a pas publié votre ressource"),
                actor=actor,
                target=resource,
                url=resource.get_absolute_url(),
                description=note,
            )
    return resource


def resource_vote_toggle(*, actor, resource: Resource) -> bool:
    """Mark the resource useful, or withdraw the mark; returns whether the member now votes for it."""
    if not resource.is_published:
        raise PermissionDenied
    with transaction.atomic():
        deleted, _count = ResourceVote.objects.filter(resource=resource, user=actor).delete()
        if deleted:
            return False
        try:
            with transaction.atomic():
                ResourceVote.objects.create(resource=resource, user=actor)
        except IntegrityError:  # a double click raced us: the vote is there
            pass
    return True


def resource_report(*, actor, resource: Resource, reason: str) -> ResourceReport:
    """A member reports a problem with a resource; its moderators are told."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("Décrivez le problème en quelques mots.")})
    with transaction.atomic():
        report = ResourceReport.objects.create(resource=resource, reporter=actor, reason=reason[:2000])
        for moderator in _moderators_of(resource):
            if moderator.pk == actor.pk:
                continue
            notification_send(
                recipient=moderator,
                kind=NOTIFICATION_KIND,
                verb=_("a signalé une ressource"),
                actor=actor,
                target=resource,
                url=reverse("content:moderation"),
                description=reason[:200],
            )
    return report


def report_resolve(*, actor, report: ResourceReport) -> None:
    """A moderator of the resource marks a report handled (once)."""
    if not can_moderate(user=actor, resource=report.resource):
        raise PermissionDenied
    ResourceReport.objects.filter(pk=report.pk, resolved_at__isnull=True).update(resolved_at=timezone.now())


# --- Collections --------------------------------------------------------------------------------
def collection_create(*, actor, title: str, description: str = "", is_public: bool = False) -> Collection:
    """A member's new collection (private unless ``is_public``)."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Donnez un titre à la collection.")})
    return Collection.objects.create(owner=actor, title=title[:150], description=description, is_public=is_public)


def collection_update(*, actor, collection: Collection, title: str, description: str, is_public: bool) -> Collection:
    """Its owner renames, describes or shares a collection."""
    if collection.owner_id != actor.pk:
        raise PermissionDenied
    collection.title, collection.description, collection.is_public = title.strip()[:150], description, is_public
    collection.full_clean()
    collection.save()
    return collection


def collection_add(*, actor, collection: Collection, resource: Resource) -> None:
    """Add a resource the member may see to one of the member's collections (idempotent)."""
    if collection.owner_id != actor.pk:
        raise PermissionDenied
    if not resource_list_published(viewer=actor).filter(pk=resource.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        CollectionItem.objects.get_or_create(collection=collection, resource=resource)
        Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())


def collection_remove(*, actor, collection: Collection, resource: Resource) -> None:
    """Its owner takes a resource out of a collection."""
    if collection.owner_id != actor.pk:
        raise PermissionDenied
    CollectionItem.objects.filter(collection=collection, resource=resource).delete()


def collection_delete(*, actor, collection: Collection) -> None:
    """Its owner deletes a collection (the resources stay)."""
    if collection.owner_id != actor.pk:
        raise PermissionDenied
    collection.delete()
