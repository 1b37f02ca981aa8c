"""Housekeeping receivers: a newly approved member joins the network-wide group "Réseau"; any
change to what a group's pages show (a member's name included) makes its cached visitor pages and
shared page parts stale (``visitor_cache``)."""

from django.db.models.signals import post_delete, post_save

from community.models import Profile, User
from community.services import member_approved

from .models import Attachment, Category, Group, Membership, Poll, PollVote, Post, Reaction, Topic
from .services import on_member_approved
from .visitor_cache import visitor_pages_changed

member_approved.connect(on_member_approved, dispatch_uid="groups.network_member_add")


def _group_id(instance) -> int | None:
    """The group an object belongs to, through relations already loaded where possible."""
    if isinstance(instance, Group):
        return instance.pk
    if isinstance(instance, (Topic, Category, Membership)):
        return instance.group_id
    if isinstance(instance, Post):
        topic_id = instance.topic_id
    elif isinstance(instance, (Reaction, Attachment)):
        post = Post.objects.filter(pk=instance.post_id) if "post" not in instance._state.fields_cache else None
        topic_id = post.values_list("topic_id", flat=True).first() if post is not None else instance.post.topic_id
    elif isinstance(instance, Poll):
        topic_id = instance.topic_id
    elif isinstance(instance, PollVote):
        return Poll.objects.filter(pk=instance.poll_id).values_list("topic__group_id", flat=True).first()
    else:
        return None
    cached = instance._state.fields_cache.get("topic") if isinstance(instance, (Post, Poll)) else None
    if cached is not None and cached.pk == topic_id:
        return cached.group_id
    return Topic.objects.filter(pk=topic_id).values_list("group_id", flat=True).first()


def _changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    visitor_pages_changed(_group_id(instance))


for _model in (Group, Category, Topic, Post, Reaction, Attachment, Poll, PollVote, Membership):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"groups.visitor_pages.save.{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"groups.visitor_pages.delete.{_model.__name__}")


# What a member's name is made of (``User.public_name``): a change shows at once in their groups'
# cached visitor pages and recent activity.
NAME_FIELDS = {User: {"first_name", "last_name", "email", "erased_at"}, Profile: {"display_name"}}


def _renamed(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    if raw or created or (update_fields is not None and not NAME_FIELDS[sender] & set(update_fields)):
        return
    user_id = instance.pk if sender is User else instance.user_id
    for group_id in Membership.objects.filter(user_id=user_id).values_list("group_id", flat=True):
        visitor_pages_changed(group_id)


for _model in (User, Profile):
    post_save.connect(_renamed, sender=_model, dispatch_uid=f"groups.visitor_pages.renamed.{_model.__name__}")
