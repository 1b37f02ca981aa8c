"""The activity stream as pages embed it: the dashboard, "Mon réseau", profiles, organisations,
and (through ``registry.group_panel``) each group's page — community never imports groups."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from .activity import StreamFilter, stream_page
from .forms import STREAM_FILTER_LABELS, ActivityCommentForm
from .selectors import followed_ids


def stream_context(request, *, scope: dict, heading: str = "", show_filters: bool = True, page_kwargs: dict | None = None) -> dict:
    """Everything ``community/_stream.html`` needs. ``scope`` is the page's own narrowing as query
    parameters (``{"groupe": 7}``), kept by the filter and "load more" links."""
    kwargs = {"filter": StreamFilter.ALL, "cursor": ""} | (page_kwargs or {})
    if kwargs["filter"] == StreamFilter.FOLLOWING:
        kwargs["followed"] = followed_ids(viewer=request.user)
    page = stream_page(viewer=request.user, **kwargs)
    for item in page.items:
        item.comment_form = ActivityCommentForm(prefix=f"a{item.pk}") if item.allows_comments else None
    base = reverse("community:stream")
    more_url = ""
    if page.next_cursor:
        more_url = f"{base}?{urlencode({**scope, 'filtre': page.filter, 'avant': page.next_cursor})}"
    filters = [
        {"key": key, "label": label, "current": key == page.filter, "url": f"?{urlencode({**scope, 'filtre': key})}#fil"}
        for key, label in STREAM_FILTER_LABELS.items()
    ]
    live_url = "" if kwargs["cursor"] else f"{base}?{urlencode({**scope, 'filtre': page.filter})}&element="
    return {
        "stream": page,
        "stream_heading": heading,
        "stream_filters": filters if show_filters else [],
        "stream_more_url": more_url,
        "stream_live_url": live_url,
        "next_path": request.get_full_path(),
    }


def group_stream_context(request, group) -> dict:
    """Group panel: the group's own stream (its audience rules apply as everywhere)."""
    scope = {"groupe": group.pk}
    return stream_context(request, scope=scope, show_filters=False, page_kwargs={"group_id": group.pk}) | {
        "stream_heading": "",
        "panel_title": True,
    }
