"""Every write of the groups app, a package by sub-domain: ``groups`` (create, join, invite),
``members`` (roles, bans), ``network`` (the "Réseau" group), ``forum`` (topics, posts,
reactions), ``polls`` (polls in topics), ``moderation`` (hiding, reports); ``live``, ``stream``
(the activity stream) and ``journal`` hold what they share.

Each service validates, saves in one transaction and schedules its side effects (live
broadcasts, notifications) with ``transaction.on_commit``: a failure half-way changes nothing
and no browser hears about a post that was rolled back. The acting member is always ``actor``;
every argument is keyword-only.
"""

from .forum import (
    MAX_ATTACHMENTS,
    MAX_BODY,
    post_create,
    post_delete,
    post_edit,
    reaction_toggle,
    topic_create,
    topic_mark_read,
    topic_set_level,
)
from .groups import (
    group_create,
    group_invite,
    group_join,
    group_leave,
    group_update,
    membership_request_decide,
    membership_set_notify_default,
)
from .live import broadcast_access_change, broadcast_post, broadcast_topic, group_channel, member_channel, topic_channel
from .members import member_ban, member_remove, member_set_role, member_unban
from .moderation import post_hide, post_report, report_decide, topic_moderate, topic_move
from .network import network_group_get, network_member_add, network_sync, on_member_approved
from .polls import poll_attach, poll_close, poll_vote, polls_close_due

__all__ = [
    "broadcast_access_change",
    "member_channel",
    "MAX_ATTACHMENTS",
    "MAX_BODY",
    "broadcast_post",
    "broadcast_topic",
    "group_channel",
    "group_create",
    "group_invite",
    "group_join",
    "group_leave",
    "group_update",
    "member_ban",
    "member_remove",
    "member_set_role",
    "member_unban",
    "membership_request_decide",
    "membership_set_notify_default",
    "network_group_get",
    "network_member_add",
    "network_sync",
    "on_member_approved",
    "poll_attach",
    "poll_close",
    "poll_vote",
    "polls_close_due",
    "post_create",
    "post_delete",
    "post_edit",
    "post_hide",
    "post_report",
    "reaction_toggle",
    "report_decide",
    "topic_channel",
    "topic_create",
    "topic_mark_read",
    "topic_moderate",
    "topic_move",
    "topic_set_level",
]
