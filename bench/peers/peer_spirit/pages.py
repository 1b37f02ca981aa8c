"""What measure.py needs of the django-spirit peer: its pages and the texts that prove each shows its content.

group page: Category 0's topic list (spirit.category.views.detail); topic pages: the big topic
(spirit.topic.views.detail); profile: Spirit's profile of the big topic's first poster
(spirit.user.views.comments: the member's latest comments). Spirit's profile pages are
login_required: a visitor gets a 302 to the login page, so measure.py reports that row, not timed.
Page sizes are Spirit's djconfig defaults (editable in its admin "config" form).
"""

import djconfig
from seedlib import BIG_SUBJECT
from spirit.comment.models import Comment
from spirit.topic.models import Topic

GROUP, POSTS = "category", "comments"  # the words of the "page sizes" line
MEMBER_MARK, LOGIN_LINK = '>{} <i class="fa fa-chevron-down">', ">Log in<"  # Spirit's header: the nickname opening the user menu, or a link


def find_pages() -> tuple:
    djconfig.reload_maybe()
    big = Topic.objects.select_related("category", "user__st").get(title=BIG_SUBJECT)
    other = Topic.objects.filter(category=big.category).exclude(pk=big.pk).order_by("-last_active").first()
    comments = list(Comment.objects.filter(topic=big).order_by("date").values_list("comment", flat=True))
    latest = Comment.objects.filter(user=big.user).order_by("-date", "-pk").values_list("comment", flat=True).first()
    sizes = (djconfig.config.topics_per_page, djconfig.config.comments_per_page, big.comment_count)
    topic = (big.get_absolute_url(), comments)
    return (big.category.get_absolute_url(), [BIG_SUBJECT, other.title]), topic, (big.user.st.get_absolute_url(), latest), sizes
