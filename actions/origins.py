"""Where actions come from: a small registry filled by the apps that own the origins.

``actions`` sits below ``groups``, ``events`` and ``funding`` and never imports them. An app that
wants actions on its objects registers, in its ``AppConfig.ready()``::

    from actions.origins import Origin, origin_kind

    def topic_origin(viewer, topic_id) -> Origin | None:
        ...  # None when the object does not exist or the viewer may not see it
        return Origin(kind="groups.topic", id=topic.pk, title=topic.title, url=topic.get_absolute_url(),
                      audience=f"group:{group.pk}", container=f"group:{group.pk}", container_title=group.name,
                      can_add=..., can_manage=..., candidates=<queryset of users who may own it>)

    origin_kind("groups.topic", _("Sujet du forum"), topic_origin)

``audience`` is an audience string of the activity stream (``"group:12"``, ``"members"``,
``"event:3"``…): an action is shown only to viewers ``registry.audiences_for`` gives it to, so the
owning app must also register an audience provider for its prefix. ``container`` is the board
the action appears on (``/actions/tableau/<container>/``), itself an audience string: the board
exists only for viewers who have it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Origin:
    kind: str
    id: int
    title: str
    url: str
    audience: str
    container: str
    container_title: str
    can_add: bool = False  # the viewer may create actions here
    can_manage: bool = False  # the viewer may change every action here (group admins, secretary…)
    candidates: Any = None  # queryset of the users who may own an action here (None: anyone)


@dataclass(frozen=True)
class OriginKind:
    key: str
    label: str
    resolve: Callable[[Any, int], Origin | None]


ORIGIN_KINDS: dict[str, OriginKind] = {}


def origin_kind(key: str, label: str, resolve: Callable[[Any, int], Origin | None]) -> None:
    """Register an origin type; ``resolve(viewer, origin_id)`` describes one origin for a viewer."""
    ORIGIN_KINDS[key] = OriginKind(key, label, resolve)


def origin_resolve(*, viewer, kind: str, origin_id: int) -> Origin | None:
    """The origin as ``viewer`` sees it, or None (unknown kind, missing or hidden object)."""
    known = ORIGIN_KINDS.get(kind)
    if known is None:
        return None
    return known.resolve(viewer, origin_id)
