"""HTML fragments broadcast over websockets: rendered once per event, the same for every viewer.

Per-viewer controls (edit, delete) are in the fragment with the author's id; the topic page's
script reveals them for their author only, and the server checks again on every action.
"""

from django.template.loader import render_to_string

from .models import Post, Topic


def render_post_fragment(post: Post) -> str:
    from .selectors import reactions_for

    reactions_for([post])
    topic = post.topic
    return render_to_string(
        "groups/_post.html",
        {"post": post, "topic": topic, "group": topic.group, "live": True, "can_post": True, "can_moderate": False, "viewer_id": None},
    )


def render_topic_row(topic: Topic) -> str:
    return render_to_string("groups/_topic_row.html", {"topic": topic, "group": topic.group, "live": True})
