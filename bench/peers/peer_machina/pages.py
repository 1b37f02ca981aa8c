"""What measure.py needs of the django-machina peer: its pages and the texts that prove each shows its content.

group page: Forum 0's topic list (machina ForumView); topic pages: the big topic (TopicView);
profile: machina's forum profile of the big topic's first poster (the member's recent posts).
"""

from django.urls import reverse
from machina.apps.forum_conversation.models import Post, Topic
from machina.conf import settings as machina_settings
from seedlib import BIG_SUBJECT

GROUP, POSTS = "forum", "posts"  # the words of the "page sizes" line
MEMBER_MARK, LOGIN_LINK = "<strong>{}</strong>", ">Sign in<"  # board_base.html's navbar: the member's username, or a link


def find_pages() -> tuple:
    big = Topic.objects.select_related("forum").get(subject=BIG_SUBJECT)
    forum = big.forum
    other = Topic.objects.filter(forum=forum).exclude(pk=big.pk).order_by("-last_post_on").first()
    group_url = reverse("forum:forum", kwargs={"slug": forum.slug, "pk": forum.pk})
    topic_url = reverse("forum_conversation:topic", kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk, "slug": big.slug, "pk": big.pk})
    posts = list(Post.approved_objects.filter(topic=big).order_by("created").values_list("content", flat=True))
    latest = Post.approved_objects.filter(poster=big.poster_id).order_by("-created").values_list("content", flat=True).first()
    sizes = (machina_settings.FORUM_TOPICS_NUMBER_PER_PAGE, machina_settings.TOPIC_POSTS_NUMBER_PER_PAGE, big.posts_count)
    return (
        (group_url, [BIG_SUBJECT, other.subject]),
        (topic_url, posts),
        (reverse("forum_member:profile", kwargs={"pk": big.poster_id}), latest),
        sizes,
    )
