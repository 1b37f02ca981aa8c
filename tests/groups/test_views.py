"""Pages and forms from the outside: flows that work without JavaScript, permalinks, search,
attachments and fixed query counts."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups import selectors, services
from groups.models import AccessMode, Group, Membership, Post, Topic, TopicRead
from groups.visitor_cache import visitor_pages_expire
from tests.factories import UserFactory
from tests.groups.factories import make_group, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def test_create_group_then_topic_then_reply(member_client, member, other_member, client_for):
    response = member_client.post(
        reverse("groups:group_create"),
        {"name": "Fablab du Jura", "description": "*atelier*", "kind": "working", "access": "open", "categories": "Questions, Outils"},
    )
    group = Group.objects.get(name="Fablab du Jura")
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert Membership.objects.get(group=group, user=member).role == "owner"
    assert list(group.categories.values_list("name", flat=True)) == ["Questions", "Outils"]
    category = group.categories.get(name="Outils")
    response = member_client.post(
        reverse("groups:topic_create", args=[group.slug]),
        {"title": "Imprimante 3D", "body": "Qui a une **imprimante** ?", "category": str(category.pk), "tags": "3d, fablab"},
    )
    topic = Topic.objects.get(title="Imprimante 3D")
    assert response.status_code == 302 and topic.category == category
    other = client_for(other_member)
    assert other.post(reverse("groups:join", args=[group.slug])).status_code == 302
    response = other.post(reverse("groups:post_create", args=[group.slug, topic.pk]), {"body": "Moi !", "quoted": topic.posts.first().pk})
    post = Post.objects.get(body="Moi !")
    assert response["Location"].endswith(f"#post-{post.pk}") and post.quoted_id == topic.posts.first().pk
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "<strong>imprimante</strong>" in page and "Moi !" in page


def test_topic_form_errors_are_french_and_nothing_saved(member_client, member):
    group = make_group(owner=member)
    response = member_client.post(reverse("groups:topic_create", args=[group.slug]), {"title": "", "body": ""})
    assert response.status_code == 200
    assert "Le formulaire contient des erreurs" in response.content.decode()
    assert not Topic.objects.exists()


def test_html_upload_is_refused_with_message(member_client, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    group = make_group(owner=member)
    bad = SimpleUploadedFile("photo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = member_client.post(reverse("groups:topic_create", args=[group.slug]), {"title": "t", "body": "b", "attachments": [bad]})
    assert response.status_code == 200 and "seules les images" in response.content.decode()
    assert not Topic.objects.exists()


def test_markdown_is_sanitised(member_client, member):
    group = make_group(owner=member)
    topic = services.topic_create(
        group=group, actor=member, title="XSS", body='<script>alert(1)</script><img src=x onerror="alert(2)"> **gras**'
    )
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "onerror" not in page and "<strong>gras</strong>" in page


def test_attachment_download_headers(member_client, member):
    group = make_group(owner=member, access=AccessMode.SECRET)
    topic = services.topic_create(group=group, actor=member, title="t", body="b", attachments=[pdf_upload("rapport.pdf"), png_upload()])
    pdf = topic.posts.get().attachments.get(kind="pdf")
    response = member_client.get(reverse("groups:attachment_download", args=[group.slug, pdf.pk]) + "?telecharger=1")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="rapport.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "/media/" not in member_client.get(topic.get_absolute_url()).content.decode()


def test_deleted_post_attachment_is_gone(member_client, member):
    group = make_group(owner=member)
    topic = services.topic_create(group=group, actor=member, title="t", body="b")
    post = services.post_create(topic=topic, actor=member, body="img", attachments=[png_upload()])
    att = post.attachments.get()
    services.post_delete(post=post, actor=member)
    assert member_client.get(reverse("groups:attachment_download", args=[group.slug, att.pk])).status_code == 404


def test_permalink_redirects_to_the_right_page(member_client, member):
    group = make_group(owner=member)
    topic = services.topic_create(group=group, actor=member, title="Long", body="1")
    posts = [services.post_create(topic=topic, actor=member, body=f"message {i}") for i in range(2, 121)]
    post_75, post_120 = posts[73], posts[-1]
    assert selectors.post_position(post_75) == 75
    response = member_client.get(reverse("groups:post_permalink", args=[group.slug, post_75.pk]))
    assert response["Location"] == f"{topic.get_absolute_url()}?page=2#post-{post_75.pk}"
    response = member_client.get(reverse("groups:post_permalink", args=[group.slug, post_120.pk]))
    assert response["Location"] == f"{topic.get_absolute_url()}?page=3#post-{post_120.pk}"
    page2 = member_client.get(topic.get_absolute_url() + "?page=2").content.decode()
    assert f'id="post-{post_75.pk}"' in page2 and "message 51" in page2 and "message 101" not in page2


def test_first_unread(client_for, member, other_member):
    group = make_group(owner=member, members=[other_member])
    topic = services.topic_create(group=group, actor=member, title="t", body="1")
    reader = client_for(other_member)
    reader.get(topic.get_absolute_url())
    new = services.post_create(topic=topic, actor=member, body="2")
    response = reader.get(reverse("groups:topic_first_unread", args=[group.slug, topic.pk]))
    assert response["Location"].endswith(f"#post-{new.pk}")
    listing = reader.get(group.get_absolute_url()).content.decode()
    assert "Nouveaux messages" in listing
    reader.get(topic.get_absolute_url())
    assert "Nouveaux messages" not in reader.get(group.get_absolute_url()).content.decode()


def test_hidden_topic_is_404_for_members_but_not_moderators(client_for, member, other_member):
    group = make_group(owner=member, members=[other_member])
    topic = services.topic_create(group=group, actor=other_member, title="Caché", body="b")
    services.topic_moderate(topic=topic, actor=member, action="hide")
    assert client_for(other_member).get(topic.get_absolute_url()).status_code == 404
    assert client_for(member).get(topic.get_absolute_url()).status_code == 200
    assert "Caché" not in client_for(other_member).get(group.get_absolute_url()).content.decode()


def test_hidden_post_shows_placeholder(client_for, member, other_member):
    group = make_group(owner=member, members=[other_member])
    topic = services.topic_create(group=group, actor=other_member, title="t", body="b")
    post = services.post_create(topic=topic, actor=other_member, body="texte injurieux")
    client_for(member).post(reverse("groups:post_hide", args=[group.slug, post.pk]), {"action": "hide"})
    page = client_for(other_member).get(topic.get_absolute_url()).content.decode()
    assert "texte injurieux" not in page and "masqué par la modération" in page
    assert "texte injurieux" in client_for(member).get(topic.get_absolute_url()).content.decode()


def test_edit_view_forbidden_to_others_and_history_for_moderators(client_for, member, other_member):
    group = make_group(owner=member, members=[other_member])
    topic = services.topic_create(group=group, actor=other_member, title="t", body="v1")
    post = topic.posts.get()
    third = UserFactory()
    Membership.objects.create(group=group, user=third)
    assert client_for(third).get(reverse("groups:post_edit", args=[group.slug, post.pk])).status_code == 403
    client_for(other_member).post(reverse("groups:post_edit", args=[group.slug, post.pk]), {"body": "v2"})
    post.refresh_from_db()
    assert post.body == "v2"
    assert "modifié" in client_for(third).get(topic.get_absolute_url()).content.decode()
    history = client_for(member).get(reverse("groups:post_history", args=[group.slug, post.pk])).content.decode()
    assert "v1" in history


def test_search_filters(client_for, member, other_member):
    group = make_group(owner=member, members=[other_member])
    other_group = make_group(owner=member)
    services.topic_create(group=group, actor=member, title="Ateliers", body="Parlons des ateliers numériques")
    services.topic_create(group=other_group, actor=member, title="Autre", body="Rien à voir, ateliers ailleurs")
    services.topic_create(group=group, actor=other_member, title="Divers", body="Bonjour")
    client = client_for(other_member)
    found = client.get(reverse("groups:search"), {"q": "ateliers", "groupe": group.slug}).content.decode()
    assert "Parlons des ateliers" in found and "ailleurs" not in found
    by_author = client.get(reverse("groups:search"), {"q": "", "auteur": other_member.pk}).content.decode()
    assert "Bonjour" in by_author and "Parlons" not in by_author


def test_join_leave_and_request_queue_views(client_for, member, other_member):
    group = make_group(owner=member, access=AccessMode.REQUEST)
    requester = client_for(other_member)
    requester.post(reverse("groups:join", args=[group.slug]))
    assert Membership.objects.get(group=group, user=other_member).status == "requested"
    queue = client_for(member).get(reverse("groups:requests", args=[group.slug])).content.decode()
    assert other_member.public_name in queue
    client_for(member).post(reverse("groups:requests", args=[group.slug]), {"user": other_member.pk, "decision": "accept"})
    assert Membership.objects.get(group=group, user=other_member).status == "active"
    requester.post(reverse("groups:leave", args=[group.slug]))
    assert not Membership.objects.filter(group=group, user=other_member).exists()


def test_invite_by_name_and_member_actions(client_for, member, other_member):
    group = make_group(owner=member, access=AccessMode.SECRET)
    owner = client_for(member)
    owner.post(reverse("groups:invite", args=[group.slug]), {"who": other_member.email})
    assert Membership.objects.get(group=group, user=other_member).status == "invited"
    client_for(other_member).post(reverse("groups:join", args=[group.slug]))
    owner.post(reverse("groups:member_action", args=[group.slug, other_member.pk]), {"action": "role", "role": "moderator"})
    assert Membership.objects.get(group=group, user=other_member).role == "moderator"
    owner.post(reverse("groups:member_action", args=[group.slug, other_member.pk]), {"action": "ban"})
    assert Membership.objects.get(group=group, user=other_member).status == "banned"
    assert client_for(other_member).get(group.get_absolute_url()).status_code == 404


def test_group_panel_is_rendered(member_client, member):
    from common.registry import Panel, registry

    group = make_group(owner=member)
    registry.group_panel(
        Panel("tests.panel", "groups/panels/profile.html", lambda request, group: {"posts": [], "marker": group.name}, order=1)
    )
    try:
        assert reverse("groups:group_panels", args=[group.slug]) in member_client.get(group.get_absolute_url()).content.decode()
        page = member_client.get(reverse("groups:group_panels", args=[group.slug]), headers={"HX-Request": "true"}).content.decode()
        full = member_client.get(reverse("groups:group_panels", args=[group.slug])).content.decode()  # without JavaScript
    finally:
        registry.group_panels.pop("tests.panel")
    assert "Activité récente dans les groupes" in page and "<html" not in page
    assert "Activité récente dans les groupes" in full and "<html" in full


# --- Query counts -----------------------------------------------------------------------------
def _count(client, url, *, rendered_for_visitors=None):
    """Queries of one GET, the page's fragments already cached (as in steady use); a visitor's
    page is counted rendered (its group's pages expired first from the shared cache), not served."""
    expire = (lambda: visitor_pages_expire(rendered_for_visitors.pk)) if rendered_for_visitors is not None else (lambda: None)
    expire()
    client.get(url)  # renders the page once: its fragments are cached
    expire()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill_topic(topic, authors, n):
    for i in range(n):
        author = authors[i % len(authors)]
        post = services.post_create(topic=topic, actor=author, body=f"Message **{i}**", attachments=[png_upload()] if i % 10 == 0 else ())
        services.reaction_toggle(post=post, actor=authors[(i + 1) % len(authors)], kind="like")


# Issue 18: at most 9 queries on any forum page, whatever its size, in production mode (sessions
# read from Redis). The embedded mode keeps sessions in the database: one query more per request.
DB_SESSION = settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
FORUM_PAGE_QUERIES = 9 + DB_SESSION
# What the member's pages cost now (issue 18 item 2, second pass): the user with the profile, the
# header's two counters together, and on the group page its activity and topic count from the
# shared cache — group page: user, group, topics, counters; topic page: user, group, topic, the
# page's post ids, the posts, reactions, counters.
GROUP_PAGE_QUERIES = 4 + DB_SESSION
TOPIC_PAGE_QUERIES = 7 + DB_SESSION


def _public(group):
    Group.objects.filter(pk=group.pk).update(is_public=True)


def test_topic_page_query_count_is_fixed(client_for, member):
    """Logged in (a member: read marker, notification level, reactions) and visitor, first and
    deep page, at 10 and 100 posts: the same count, at most 9 (session and user included)."""
    authors = [UserFactory() for _ in range(5)]
    group = make_group(owner=member, members=authors)
    _public(group)
    topic = services.topic_create(group=group, actor=member, title="t", body="b")
    client, visitor = client_for(member), Client()
    _fill_topic(topic, authors, 9)
    topic.refresh_from_db()
    counts = {}
    for label, url in (("first", topic.get_absolute_url()),):
        counts[("member", label, 10)] = _count(client, url)
        counts[("visitor", label, 10)] = _count(visitor, url, rendered_for_visitors=group)
    _fill_topic(topic, authors, 90)
    for label, url in (("first", topic.get_absolute_url()), ("deep", topic.get_absolute_url() + "?page=2")):
        counts[("member", label, 100)] = _count(client, url)
        counts[("visitor", label, 100)] = _count(visitor, url, rendered_for_visitors=group)
    # a page already read: no write
    counts[("member", "again", 100)] = _count(client, topic.get_absolute_url())
    assert {n for (who, _l, _s), n in counts.items() if who == "member"} == {TOPIC_PAGE_QUERIES}, counts
    assert len({n for (who, _l, _s), n in counts.items() if who == "visitor"}) == 1, counts
    assert max(counts.values()) <= FORUM_PAGE_QUERIES, counts


def test_topic_page_reading_new_posts_adds_only_the_read_marker(client_for, member):
    authors = [UserFactory() for _ in range(2)]
    group = make_group(owner=member, members=authors)
    topic = services.topic_create(group=group, actor=member, title="t", body="b")
    client = client_for(member)
    _count(client, topic.get_absolute_url())
    read = _count(client, topic.get_absolute_url())
    services.post_create(topic=topic, actor=authors[0], body="nouveau")
    with CaptureQueriesContext(connection) as ctx:
        client.get(topic.get_absolute_url())
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "UPDATE", "INSERT"))]
    assert len(writes) == 3 and "groups_topicread" in writes[1], writes  # the read marker moves, nothing else is written
    # and the new post's fragment, not cached yet, is rendered from the post loaded whole (with any
    # quoted post) and its attachments: two reads more than a page whose fragments are all cached
    assert len(ctx.captured_queries) - len(writes) == read + 2, [q["sql"][:80] for q in ctx.captured_queries]
    assert TopicRead.objects.get(user=member, topic=topic).last_read_post_id == topic.posts.order_by("-id").first().pk


def test_group_page_query_count_is_fixed(client_for, member):
    authors = [UserFactory() for _ in range(5)]
    group = make_group(owner=member, members=authors)
    _public(group)
    client, visitor = client_for(member), Client()
    for i in range(10):
        services.topic_create(group=group, actor=authors[i % 5], title=f"Sujet {i}", body="b", tags=["x"])
    small = _count(client, group.get_absolute_url())
    assert small == GROUP_PAGE_QUERIES
    small_visitor = _count(visitor, group.get_absolute_url(), rendered_for_visitors=group)
    for i in range(90):
        services.topic_create(group=group, actor=authors[i % 5], title=f"Sujet bis {i}", body="b")
    for _ in range(50):
        Membership.objects.create(group=group, user=UserFactory())
    assert _count(client, group.get_absolute_url()) == small <= FORUM_PAGE_QUERIES
    assert _count(client, group.get_absolute_url() + "?page=3") == small
    assert _count(visitor, group.get_absolute_url(), rendered_for_visitors=group) == small_visitor <= FORUM_PAGE_QUERIES
    outsider = client_for(UserFactory())  # no membership row: one more query to find the group
    assert _count(outsider, group.get_absolute_url()) <= FORUM_PAGE_QUERIES


def test_group_list_and_members_query_counts_are_fixed(client_for, member):
    client = client_for(member)
    for _ in range(10):
        make_group(owner=UserFactory(), members=[member])
    small_list = _count(client, reverse("groups:group_list"))
    group = Group.objects.exclude(is_network=True).first()
    small_members = _count(client, reverse("groups:members", args=[group.slug]))
    for _ in range(90):
        make_group(owner=UserFactory())
    for _ in range(60):
        Membership.objects.create(group=group, user=UserFactory())
    assert _count(client, reverse("groups:group_list")) == small_list
    assert _count(client, reverse("groups:members", args=[group.slug])) == small_members


def test_search_query_count_is_fixed(client_for, member):
    group = make_group(owner=member)
    client = client_for(member)
    for i in range(10):
        services.topic_create(group=group, actor=member, title=f"Sujet {i}", body="atelier")
    small = _count(client, reverse("groups:search") + "?q=atelier")
    for i in range(90):
        services.topic_create(group=group, actor=member, title=f"Autre {i}", body="atelier")
    assert _count(client, reverse("groups:search") + "?q=atelier") == small


@pytest.mark.skipif(not __import__("django.conf").conf.settings.IS_POSTGRES, reason="French stemming needs PostgreSQL full-text search")
def test_postgres_french_full_text_search_stems_words(client_for, member):
    group = make_group(owner=member)
    services.topic_create(group=group, actor=member, title="Compte rendu", body="Les ateliers numériques ont réuni vingt personnes")
    found = client_for(member).get(reverse("groups:search"), {"q": "atelier numérique"}).content.decode()
    assert "Les ateliers numériques" in found


def test_group_activity_times_are_french_relative_times_never_zero_minutes(client_for, member):
    """The dashboard's group panel and the group page's activity read "à l'instant", not "il y a 0 minute"."""
    group = make_group(members=[member])
    services.topic_create(group=group, actor=member, title="Tout frais", body="b")
    for url in (reverse("community:dashboard"), group.get_absolute_url()):
        page = client_for(member).get(url).content.decode()
        assert "0 minute" not in page and "<time" in page


def test_the_kept_activity_list_follows_the_clock_and_the_group(client_for, member, django_capture_on_commit_callbacks):
    """The group page's recent activity is rendered once for its lines and their moments as read
    now ({% once %}): two members share it, and it is rendered again as soon as a moment reads
    otherwise or a line comes."""
    import re
    from datetime import timedelta
    from unittest import mock

    from django.template.loader import get_template
    from django.utils import timezone

    from common.templatetags.common_tags import OnceNode

    nodes = get_template("groups/group_detail.html").template.nodelist.get_nodes_by_type(OnceNode)
    kept = next(node for node in nodes if "lines" in node.values).kept
    kept.entries.clear()  # other tests' groups may have had the same slug
    group = make_group(members=[member])
    services.topic_create(group=group, actor=member, title="Tout frais", body="b")

    def activity(user, now=None):
        with mock.patch("django.utils.timezone.now", return_value=now or timezone.now()):
            page = client_for(user).get(group.get_absolute_url()).content.decode()
        return re.search(r'<ul class="activity" data-activity>.*?</ul>', page, re.S).group()

    def renders():
        return len(kept.entries)

    first = activity(member)
    assert "instant" in first and "Tout frais" in first
    assert activity(UserFactory()) == first  # another member (not in the group, it is open): the same lines
    assert renders() == 1
    later = activity(member, timezone.now() + timedelta(minutes=3))
    assert "instant" not in later and "il y a 3 min" in later and "Tout frais" in later and renders() == 2
    with django_capture_on_commit_callbacks(execute=True):  # the group's cached pages expire on commit
        services.topic_create(group=group, actor=member, title="Encore un", body="b")
    assert "Encore un" in activity(member) and "Tout frais" in activity(member)


def test_posts_show_their_authors_avatar(client_for, member):
    author = UserFactory(profile_data={"display_name": "Zoé Martin"})
    group = make_group(owner=member, members=[author])
    topic = services.topic_create(group=group, actor=author, title="t", body="b")
    html = client_for(member).get(topic.get_absolute_url()).content.decode()
    assert 'class="avatar avatar-s40' in html and ">ZM</span>" in html


def test_a_reply_counts_its_place_in_the_topic_once(member_client, member):
    """The reply's stream item and its redirect share one permalink: one COUNT of the topic's posts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    group = make_group(owner=member)
    topic = services.topic_create(group=group, actor=member, title="Long", body="1")
    for i in range(2, 52):
        services.post_create(topic=topic, actor=member, body=f"message {i}")
    with CaptureQueriesContext(connection) as queries:
        response = member_client.post(reverse("groups:post_create", args=[group.slug, topic.pk]), {"body": "La 52e"})
    reply = topic.posts.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == f"{topic.get_absolute_url()}?page=2#post-{reply.pk}"
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)") and "groups_post" in q["sql"]]
    assert len(counts) == 1, counts
    from community.models import Activity

    assert Activity.objects.filter(object_ref=f"groups.post:{reply.pk}").values_list("url", flat=True).first() == response["Location"]


def test_forum_dates_read_as_french_abbreviations(client_for, member):
    """A post and its topic row say "5 déc. 2026", as French writes an abbreviated month, not
    "5 Déc 2026" (Django's "M" format title-cases a three-letter month)."""
    import datetime as dt

    from django.utils import timezone

    group = make_group(owner=member)
    topic = services.topic_create(group=group, actor=member, title="Dates", body="b")
    moment = timezone.make_aware(dt.datetime(2026, 12, 5, 19, 7))
    Post.objects.filter(topic=topic).update(created_at=moment)
    Topic.objects.filter(pk=topic.pk).update(last_post_at=moment)
    client = client_for(member)
    for url in (topic.get_absolute_url(), group.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "5 déc. 2026, 19:07" in page and "Déc" not in page, url
