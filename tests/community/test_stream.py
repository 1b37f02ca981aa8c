"""Issue 16 item 1: the activity stream on the dashboard, "Mon réseau", profiles, organisations and
group pages — filters, "load more", likes and comments, fixed query counts, live insertion."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from common.registry import registry
from community import services
from community.activity import activity_comment_create, activity_like_toggle, activity_record, stream_page
from community.models import Activity, ActivityComment, ActivityKind, ActivityLike, Follow, OrganisationType
from community.panels import group_stream_context
from community.rgpd import account_erase, personal_data_export
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KINDS = [ActivityKind.GROUPS, ActivityKind.EVENTS, ActivityKind.FUNDING, ActivityKind.RESOURCES, ActivityKind.MEMBERS]


def _record(title, *, audience="members", kind=ActivityKind.EVENTS, actor=None, minutes_ago=0, **extra):
    item = activity_record(verb="a publié", title=title, url="/agenda/", audience=audience, kind=kind, actor=actor, **extra)
    if minutes_ago:
        Activity.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return item


def _body(response):
    return html.unescape(response.content.decode())


def test_dashboard_shows_mon_reseau_with_visible_items_only(member, member_client, other_member):
    _record("Atelier Pix à Dijon", actor=other_member)
    _record("Réservé à l'autre", audience=f"user:{other_member.pk}")
    _record("Groupe secret", audience="group:99999", group_id=99999)
    body = _body(member_client.get(reverse("community:dashboard")))
    assert "Mon réseau" in body and "Atelier Pix à Dijon" in body and other_member.public_name in body
    assert "Réservé à l'autre" not in body and "Groupe secret" not in body


def test_filters_and_bad_values(member, member_client, monkeypatch):
    monkeypatch.setitem(registry.audience_providers, "test", lambda viewer: {"group:7"} if viewer == member else set())
    _record("Sujet du groupe 7", kind=ActivityKind.GROUPS, audience="group:7", group_id=7)
    _record("Sujet d'un groupe ouvert", kind=ActivityKind.GROUPS, group_id=8)
    _record("Café réseau", kind=ActivityKind.EVENTS)
    _record("Appel FSE+", kind=ActivityKind.FUNDING)
    url = reverse("community:dashboard")
    mine = _body(member_client.get(url, {"filtre": "groupes"}))
    assert "Sujet du groupe 7" in mine and "groupe ouvert" not in mine and "Café réseau" not in mine
    agenda = _body(member_client.get(url, {"filtre": "agenda"}))
    assert "Café réseau" in agenda and "FSE+" not in agenda
    funding = _body(member_client.get(url, {"filtre": "financements"}))
    assert "FSE+" in funding and "Café réseau" not in funding
    assert 'aria-current="page">Financements' in funding
    bad = member_client.get(url, {"filtre": "<script>"})
    assert bad.status_code == 400 and "valide" in _body(bad) and "<script>" not in bad.content.decode()
    assert member_client.get(reverse("community:stream"), {"avant": "n'importe quoi"}).status_code == 400
    assert member_client.get(reverse("community:stream"), {"groupe": "abc"}).status_code == 400
    forged = member_client.get(reverse("community:stream"), {"groupe": "99999"})  # a group one cannot see: nothing
    assert forged.status_code == 200 and "Sujet" not in _body(forged)


def test_load_more_with_htmx_and_without_javascript(member, member_client):
    for n in range(25):
        _record(f"Élément n°{n:02d}", minutes_ago=100 - n)
    first = _body(member_client.get(reverse("community:dashboard")))
    assert "Élément n°24" in first and "Élément n°05" in first and "Élément n°04" not in first
    page = stream_page(viewer=member)
    more = reverse("community:stream") + f"?filtre=tout&avant={page.next_cursor}"
    assert more.replace("&", "&amp;") in member_client.get(reverse("community:dashboard")).content.decode()
    plain = member_client.get(more)  # no JavaScript: a full page with the next items
    assert plain.status_code == 200 and "<html" in plain.content.decode()
    fragment = _body(member_client.get(more, HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment
    assert [f"Élément n°{n:02d}" in fragment for n in range(5)] == [True] * 5
    assert "Élément n°05" not in fragment and "Voir plus" not in fragment


def _stream_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _mixed_items(count, members):
    for n in range(count):
        actor = members[n % len(members)]
        item = _record(f"Élément {n}", kind=KINDS[n % len(KINDS)], actor=actor if n % 7 else None)
        if n % 3 == 0:
            activity_like_toggle(actor=members[0], pk=item.pk)
        if n % 4 == 0 and item.allows_comments:
            activity_comment_create(actor=members[1], pk=item.pk, body=f"Bravo {n}")
            activity_comment_create(actor=members[2], pk=item.pk, body="Merci !")


def test_query_count_is_fixed_at_20_and_200_items(member, member_client):
    people = [member] + [UserFactory() for _ in range(4)]
    url = reverse("community:stream")
    _mixed_items(20, people)
    small = _stream_queries(member_client, url)
    _mixed_items(180, people)
    large = _stream_queries(member_client, url)
    assert small == large, (small, large)
    assert large <= 12
    dashboard = reverse("community:dashboard")
    assert _stream_queries(member_client, dashboard) <= 30


def test_like_toggles_and_is_refused_on_what_one_cannot_see(member, other_member, member_client):
    item = _record("Café réseau")
    hidden = _record("Pour l'autre", audience=f"user:{other_member.pk}")
    url = reverse("community:activity_like", args=[item.pk])
    response = member_client.post(url + "?next=/tableau-de-bord/")
    assert response.status_code == 302 and response.url == "/tableau-de-bord/"
    assert Activity.objects.get(pk=item.pk).like_count == 1
    fragment = member_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="false"' in fragment and Activity.objects.get(pk=item.pk).like_count == 0
    assert member_client.post(reverse("community:activity_like", args=[hidden.pk])).status_code == 404
    assert member_client.post(url + "?next=//evil.example/").url == item.get_absolute_url()


def test_comments_where_the_object_allows_them(member, other_member, member_client):
    item = _record("Café réseau", actor=other_member)
    forum = _record("Un sujet", kind=ActivityKind.GROUPS)
    url = reverse("community:activity_comment", args=[item.pk])
    prefix = f"a{item.pk}-body"
    assert member_client.post(url, {prefix: "  "}).status_code == 302
    assert not ActivityComment.objects.exists()
    response = member_client.post(url, {prefix: "J'y serai **avec** deux collègues"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<strong>avec</strong>" in response.content.decode()
    assert Activity.objects.get(pk=item.pk).comment_count == 1
    assert Notification.objects.filter(recipient=other_member, data__kind="community.stream").exists()
    refused = member_client.post(reverse("community:activity_comment", args=[forum.pk]), {f"a{forum.pk}-body": "x"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "fil de discussion" in _body(refused)
    detail = _body(member_client.get(item.get_absolute_url()))
    assert "J'y serai" in detail and f'id="commentaires-{item.pk}"' in detail
    assert 'for="id_a' in detail  # the comment form goes through the project renderer


def test_comment_delete_by_author_or_staff_only(member, other_member, client_for, staff):
    item = _record("Café réseau")
    comment = activity_comment_create(actor=member, pk=item.pk, body="À supprimer")
    url = reverse("community:activity_comment_delete", args=[comment.pk])
    assert client_for(other_member).post(url).status_code == 403
    assert client_for(member).post(url).status_code == 302
    assert not ActivityComment.objects.exists() and Activity.objects.get(pk=item.pk).comment_count == 0


def test_new_member_joins_the_stream_with_their_territory(staff, pending_user, member_client):
    services.member_decide(actor=staff, profile=pending_user.profile, approve=True)
    item = Activity.objects.get(object_ref=f"community.profile:{pending_user.profile.pk}")
    assert item.kind == ActivityKind.MEMBERS and item.actor == pending_user and item.audience == "members"
    assert "a rejoint le réseau" in _body(member_client.get(reverse("community:dashboard")))
    account_erase(user=pending_user)
    assert not Activity.objects.filter(object_ref=f"community.profile:{pending_user.profile.pk}").exists()


def test_profile_organisation_and_group_pages_show_their_own_stream(member, other_member, member_client, rf):
    org = services.organisation_create(actor=member, name="Médiathèque de Beaune", type=OrganisationType.MEDIATHEQUE)
    _record("Par l'autre", actor=other_member)
    _record("À propos de la médiathèque", organisation=org)
    _record("Dans le groupe 5", kind=ActivityKind.GROUPS, group_id=5)
    profile_page = _body(member_client.get(reverse("community:profile_detail", args=[other_member.profile.pk])))
    assert "Par l'autre" in profile_page and "médiathèque" not in profile_page
    org_page = _body(member_client.get(org.get_absolute_url()))
    assert "À propos de la médiathèque" in org_page and "Par l'autre" not in org_page
    assert "community.stream" in registry.group_panels
    request = rf.get("/groupes/x/")
    request.user = member

    class FakeGroup:
        pk = 5

    context = group_stream_context(request, FakeGroup())
    assert [i.title for i in context["stream"].items] == ["Dans le groupe 5"]
    assert "groupe=5" in context["stream_live_url"]


def test_follow_members_and_organisations_for_the_suivis_filter(member, other_member, member_client):
    org = services.organisation_create(actor=other_member, name="Centre social Les Tilleuls", type=OrganisationType.CENTRE_SOCIAL)
    stranger = UserFactory()
    _record("Par la personne suivie", actor=other_member)
    _record("Par l'organisation suivie", organisation=org)
    _record("Par quelqu'un d'autre", actor=stranger)
    response = member_client.post(reverse("community:follow_member", args=[other_member.profile.pk]), {"suivre": "1"})
    assert response.status_code == 302
    member_client.post(reverse("community:follow_organisation", args=[org.slug]), {"suivre": "1"})
    assert Follow.objects.filter(follower=member).count() == 2
    body = _body(member_client.get(reverse("community:dashboard"), {"filtre": "suivis"}))
    assert "Par la personne suivie" in body and "Par l'organisation suivie" in body and "quelqu'un d'autre" not in body
    assert 'aria-pressed="true"' in member_client.get(org.get_absolute_url()).content.decode()
    member_client.post(reverse("community:follow_member", args=[member.profile.pk]), {"suivre": "1"})  # oneself: refused
    assert not Follow.objects.filter(follower=member, member=member).exists()
    member_client.post(reverse("community:follow_organisation", args=[org.slug]), {"suivre": "0"})
    assert Follow.objects.filter(follower=member).count() == 1


def test_live_fragment_is_permission_checked(member, other_member, member_client):
    visible = _record("Visible")
    hidden = _record("Caché", audience=f"user:{other_member.pk}")
    base = reverse("community:stream")
    ok = member_client.get(base, {"element": visible.pk}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "Visible" in ok.content.decode() and "<html" not in ok.content.decode()
    assert member_client.get(base, {"element": hidden.pk}, HTTP_HX_REQUEST="true").status_code == 204
    assert member_client.get(base, {"element": visible.pk, "filtre": "financements"}).status_code == 204


def test_rgpd_export_and_erase_cover_likes_comments_and_follows(member, other_member):
    item = _record("Café réseau")
    activity_like_toggle(actor=member, pk=item.pk)
    activity_comment_create(actor=member, pk=item.pk, body="Mon commentaire")
    services.follow_set(actor=member, member=other_member)
    data = personal_data_export(user=member)
    assert "Mon commentaire" in data and "Café réseau" in data and other_member.public_name in data
    account_erase(user=member)
    assert not ActivityLike.objects.filter(user=member).exists() and not Follow.objects.filter(follower=member).exists()
    assert Activity.objects.get(pk=item.pk).like_count == 0
    assert ActivityComment.objects.filter(author=member).exists()  # authored content stays, signed "ancien membre"


def test_a_page_of_forum_items_reads_no_comments_and_the_others_show_their_last_three(member, other_member):
    forum = [_record(f"Sujet {n}", kind=ActivityKind.GROUPS, minutes_ago=10 + n) for n in range(3)]
    with CaptureQueriesContext(connection) as forum_only:
        page = stream_page(viewer=member)
    assert [item.pk for item in page.items] == [item.pk for item in forum]
    assert all(item.recent_comments == [] for item in page.items)
    commented = _record("Café réseau", actor=other_member)
    for n in range(5):
        activity_comment_create(actor=member, pk=commented.pk, body=f"Commentaire {n}")
    with CaptureQueriesContext(connection) as mixed:
        page = stream_page(viewer=member)
    assert len(mixed) == len(forum_only) + 1  # the comments of the items that take them, in one query
    first, *others = page.items
    assert first.pk == commented.pk and [c.body for c in first.recent_comments] == ["Commentaire 2", "Commentaire 3", "Commentaire 4"]
    assert all(item.recent_comments == [] for item in others)


def test_items_that_take_comments_but_have_none_read_no_comments(member, other_member):
    quiet = [_record(f"Atelier {n}", actor=other_member, minutes_ago=10 + n) for n in range(3)]
    assert all(item.allows_comments for item in quiet)
    with CaptureQueriesContext(connection) as uncommented:
        page = stream_page(viewer=member)
    assert not any("community_activitycomment" in q["sql"] for q in uncommented.captured_queries)
    assert all(item.recent_comments == [] for item in page.items)
    activity_comment_create(actor=member, pk=quiet[1].pk, body="Le premier")
    with CaptureQueriesContext(connection) as one_commented:
        page = stream_page(viewer=member)
    assert len(one_commented) == len(uncommented) + 1
    assert [[c.body for c in item.recent_comments] for item in page.items] == [[], ["Le premier"], []]


def test_any_of_keeps_the_rows_in_keeps_and_nothing_for_an_empty_list(member, other_member):
    audiences = ["members", f"user:{member.pk}", "group:12"]
    for audience in [*audiences, f"user:{other_member.pk}", "group:13", "staff"]:
        _record(f"Pour {audience}", audience=audience)
    by_in = set(Activity.objects.filter(audience__in=audiences).values_list("pk", flat=True))
    assert set(Activity.objects.filter(audience__any_of=audiences).values_list("pk", flat=True)) == by_in and len(by_in) == 3
    assert not Activity.objects.filter(audience__any_of=[]).exists()
    assert Activity.objects.exclude(audience__any_of=[]).count() == 6
    with pytest.raises(TypeError):
        Activity.objects.filter(audience__any_of=[1, 2])


def test_any_of_is_one_array_parameter_on_postgresql():
    from django.db.models.sql import Query

    from common.lookups import AnyOf

    query = Query(Activity)
    lookup = AnyOf(Activity._meta.get_field("audience").get_col("community_activity"), ["members", "group:1", "group:2"])
    compiler = query.get_compiler(connection=connection)
    sql, params = lookup.as_postgresql(compiler, connection)
    assert sql.endswith("= ANY(%s)") and list(params) == [["members", "group:1", "group:2"]]
    sql, params = lookup.as_sql(compiler, connection)
    assert sql.endswith("IN (%s, %s, %s)") and list(params) == ["members", "group:1", "group:2"]


def test_card_labels_say_what_the_template_tags_said():
    from django.template import Context, Template
    from django.utils import translation

    said = Template(
        "{% load i18n %}{% blocktranslate trimmed count counter=item.like_count %}{{ counter }} personne aime{% plural %}"
        "{{ counter }} personnes\n  aiment{% endblocktranslate %}"
    )
    for kind in [*ActivityKind.values, "inconnue"]:
        for count in (0, 1, 2, 1500):
            item = Activity(kind=kind, like_count=count)
            for language in ("fr", "en"):
                with translation.override(language):
                    assert item.kind_label == item.get_kind_display()
                    assert item.like_title == said.render(Context({"item": item}))


def test_safe_url_still_refuses_schemes_hidden_by_blanks():
    from common.templatetags.common_tags import safe_url

    assert safe_url(" https://exemple.fr/a ") == "https://exemple.fr/a"
    assert safe_url("/groupes/x/") == "/groupes/x/"
    for bad in (
        "java\tscript:alert(1)",
        "\u200bjavascript:x",
        "jav\x00ascript:x",
        "//evil.example",
        "data:text/html,x",
        "java\ufeffscript:x",
    ):
        assert safe_url(bad) == "", bad


def test_a_card_links_to_its_object_else_to_its_own_page_and_shows_the_same_labels_to_everyone(member, other_member, client_for):
    with_url = _record("Atelier", actor=other_member)
    without = _record("Sans lien", kind=ActivityKind.MEMBERS, minutes_ago=5)
    Activity.objects.filter(pk=without.pk).update(url="")
    without.refresh_from_db()
    assert with_url.link == "/agenda/" and without.link == without.get_absolute_url()
    forum = _record("Un sujet", kind=ActivityKind.GROUPS, minutes_ago=1)
    pages = [_body(client_for(user).get(reverse("community:dashboard"))) for user in (member, other_member)]
    for body in pages:
        assert f'<a href="{without.get_absolute_url()}">Sans lien</a>' in body
        assert body.count("<span>J'aime</span>") == 3 and body.count("Répondre dans le forum") == 1
        assert f">{forum.title}</a>" in body
