"""The moderation log every group write by an admin or moderator leaves."""

from __future__ import annotations

from community.models import User

from ..models import (
    Group,
    ModerationLog,
)


def log_action(*, group: Group, actor: User, action: str, topic=None, post=None, target_user=None, details: str = "") -> None:
    """Write one moderation-log line (who, what, on which member, topic or post)."""
    ModerationLog.objects.create(
        group=group, actor=actor, action=action, topic=topic, post=post, target_user=target_user, details=details[:255]
    )
