"""Issue 17 for community: accent- and case-free directory search (SQLite and PostgreSQL), relative
times without "il y a 0 minute", forms through the project renderer, ``actor`` everywhere."""

import html

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse

from common.text import normalize
from community import services
from community.models import Metier, Organisation, OrganisationType, Profile
from community.notifications import notification_send
from community.selectors import DirectoryFilters, organisation_list, profile_list_directory
from tests.factories import UserFactory, member_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _viewers_named_apart(request):
    """The fixture members get random French names from Faker ("Anne Barbe", "Luc Petit"), which
    the searches below would find as well: they get names that no search here matches."""
    for n, name in enumerate(("member", "other_member", "staff")):
        if name in request.fixturenames:
            user = request.getfixturevalue(name)
            Profile.objects.filter(user=user).update(display_name=f"Témoin {n}", search_text=normalize(f"Témoin {n}"))


@pytest.fixture
def mediatheque(member):
    return services.organisation_create(actor=member, name="Médiathèque Œuvre-Commune", type=OrganisationType.MEDIATHEQUE)


def _names(viewer, q):
    return {p.display_name for p in profile_list_directory(viewer=viewer, filters=DirectoryFilters(q=q))}


def test_search_text_is_kept_by_the_services(member, mediatheque):
    services.profile_update(actor=member, profile=member.profile, data={"display_name": "Éloïse Lefèvre"})
    assert Profile.objects.get(pk=member.profile.pk).search_text == "eloise lefevre"
    assert Organisation.objects.get(pk=mediatheque.pk).search_text == "mediatheque oeuvre-commune"
    skill = services.skills_from_text("Accès aux droits")[0]
    assert skill.search_text == "acces aux droits"


@pytest.mark.parametrize("query", ["mediatheque", "MÉDIATHÈQUE", "Mediathèque oeuvre", "œuvre"])
def test_directory_finds_organisation_without_accents_or_case(member, other_member, mediatheque, query):
    librarian = member_with(display_name="Anne Roy", organisation=mediatheque)
    librarian.profile.save()
    assert _names(other_member, query) == {"Anne Roy"}


def test_directory_finds_names_and_skills_without_accents(other_member):
    member_with(display_name="Éloïse Lefèvre", skills=["Accès aux droits"]).profile.save()
    member_with(display_name="Marc Petit").profile.save()
    assert _names(other_member, "eloise") == {"Éloïse Lefèvre"}
    assert _names(other_member, "LEFEVRE eloise") == {"Éloïse Lefèvre"}
    assert _names(other_member, "acces aux DROITS") == {"Éloïse Lefèvre"}
    assert _names(other_member, "pétit") == {"Marc Petit"}


def test_directory_search_does_not_reveal_a_hidden_organisation(other_member, staff, mediatheque):
    hidden = member_with(display_name="Anne Roy", organisation=mediatheque)
    hidden.profile.visibility = {**hidden.profile.visibility, "organisation": "private"}
    hidden.profile.save()
    assert _names(other_member, "mediatheque") == set()
    assert _names(staff, "mediatheque") == {"Anne Roy"}


def test_directory_page_search_through_the_view(member_client, mediatheque):
    member_with(display_name="Anne Roy", organisation=mediatheque).profile.save()
    response = member_client.get(reverse("community:directory"), {"q": "MEDIATHEQUE"})
    assert "Anne Roy" in response.content.decode()


def test_organisation_list_search_is_accent_free(member, member_client, mediatheque):
    services.organisation_create(actor=member, name="Centre social Les Tilleuls", type=OrganisationType.CENTRE_SOCIAL)
    assert [o.name for o in organisation_list(q="mediatheque")] == [mediatheque.name]
    body = member_client.get(reverse("community:organisation_list"), {"q": "médiathèque"}).content.decode()
    assert mediatheque.name in body and "Tilleuls" not in body


def test_trigram_indexes_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%search_text_trgm"])
        names = {row[0] for row in cursor.fetchall()}
    assert {"profile_search_text_trgm", "organisation_search_text_trgm"} <= names


def test_fresh_notification_never_reads_zero_minutes(member, member_client):
    notification_send(recipient=member, kind="system", verb="Bienvenue à bord")
    body = html.unescape(member_client.get(reverse("community:dashboard")).content.decode())
    assert "Bienvenue à bord" in body
    assert "0 minute" not in body and "0\xa0minute" not in body
    assert "à l'instant" in body
    listing = member_client.get(reverse("community:notifications")).content.decode()
    assert "0 minute" not in listing and "<time datetime=" in listing


def test_filter_forms_go_through_the_project_renderer(member_client):
    body = member_client.get(reverse("community:directory")).content.decode()
    assert '<label for="id_q">' in body and 'class="field"' in body  # the renderer's markup
    body = member_client.get(reverse("community:organisation_list")).content.decode()
    assert '<label for="id_q">' in body and 'type="search"' in body


def test_services_take_the_actor_by_keyword(member, other_member, mediatheque):
    with pytest.raises(TypeError):
        services.profile_update(member, member.profile, {})  # positional: refused
    with pytest.raises(PermissionDenied):
        services.profile_leave_directory(actor=other_member, profile=member.profile)
    pending = UserFactory(profile_data={"status": "pending"})
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=pending, name="Asso fantôme", type=OrganisationType.ASSOCIATION)


@pytest.mark.parametrize("metier", [*Metier.values, "", "metier-retire"])
@pytest.mark.parametrize("other", ["", "Fab manager"])
def test_metier_label_reads_as_djangos_display_with_the_free_text(metier, other):
    from django.utils import translation

    profile = Profile(metier=metier, metier_other=other)
    with translation.override("fr"):
        display = profile.get_metier_display()
        if metier == Metier.AUTRE or (other and not metier):
            assert profile.metier_label == other
        else:
            assert profile.metier_label == (f"{display} ({other})" if other else display)


def test_directory_search_does_not_reveal_hidden_skills(other_member, staff):
    hidden = member_with(display_name="Anne Roy", skills=["Accès aux droits"])
    hidden.profile.visibility = {**hidden.profile.visibility, "skills": "private"}
    hidden.profile.save()
    member_with(display_name="Marc Petit", skills=["Accès aux droits"]).profile.save()
    assert _names(other_member, "acces aux droits") == {"Marc Petit"}
    assert _names(staff, "acces aux droits") == {"Anne Roy", "Marc Petit"}


def test_directory_leaves_out_deactivated_accounts(other_member, staff):
    gone = member_with(display_name="Anne Roy")
    member_with(display_name="Anne Petit")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert _names(other_member, "anne") == {"Anne Petit"} and _names(staff, "anne") == {"Anne Petit"}
    listed = {p.display_name for p in profile_list_directory(viewer=other_member, filters=DirectoryFilters())}
    assert "Anne Petit" in listed and "Anne Roy" not in listed
    from community.models import account_active

    assert set(Profile.objects.filter(account_active()).values_list("pk", flat=True)) == set(
        Profile.objects.filter(user__is_active=True).values_list("pk", flat=True)
    )


def test_the_directory_pages_and_counts_its_members_through_its_index(member):
    """``profile_directory_order`` matches the directory's filter and order: its page is read from
    the index (no sort of every profile) and its count from the index alone. A change to the
    directory's conditions that the index no longer covers fails here."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    for n in range(30):
        member_with(display_name=f"Membre {n:02}")
    matches = profile_list_directory(viewer=member, filters=DirectoryFilters())

    def plan(cursor, template, queryset):
        sql, params = queryset.query.get_compiler(using="default").as_sql()
        cursor.execute("EXPLAIN " + template.format(sql), params)
        return "\n".join(row[0] for row in cursor.fetchall())

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table of 30 rows is read whole otherwise
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        page_plan = plan(cursor, "{}", matches.values("pk")[:24])
        count_plan = plan(cursor, "SELECT COUNT(*) FROM ({}) AS directory", matches.order_by().values("pk"))
    assert "profile_directory_order" in page_plan and "Sort" not in page_plan
    assert "Index Only Scan using profile_directory_order" in count_plan


def test_the_directory_search_arms_keep_the_hidden_field_rule_inside(member):
    """A search's "name, skill or organisation" tests the ids of the members found by each arm, with
    the hidden-field rule inside the arm: the rule beside the array in the row filter kept
    PostgreSQL from using the arms as index conditions and compared every row found with the array
    one element at a time ("CCAS": 3,646 rows × 1,933 members, 50 ms on the national dataset)."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    for n in range(30):
        member_with(display_name=f"Membre {n:02}", skills=["Accès aux droits"])
    matches = profile_list_directory(viewer=member, filters=DirectoryFilters(q="droits"))
    sql, params = matches.order_by().values("pk").query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table of 30 rows is read whole otherwise
        cursor.execute("EXPLAIN " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    arms = [line for line in lines if "(id = ANY" in line]
    assert arms, "\n".join(lines)  # the skill and organisation arms: member ids, found by index
    assert not [line for line in arms if "visibility" in line], "\n".join(lines)


def test_a_directory_search_matches_its_members_once(member_client):
    """A search's page and its count come from one pass over the match (``DeferredJoinPaginator``);
    the directory without a search still counts by its index alone and reads 24."""
    from django.test.utils import CaptureQueriesContext

    for n in range(30):
        member_with(display_name=f"Médiatrice {n:02}")
    url = reverse("community:directory")

    def profile_counts(queries):
        return [q["sql"] for q in queries if 'COUNT(*) AS "__count" FROM "community_profile"' in q["sql"]]

    with CaptureQueriesContext(connection) as ctx:
        body = member_client.get(url, {"q": "mediatrice", "page": "2"}).content.decode()
    assert "30 membres trouvés" in body and "Médiatrice 29" in body and "Médiatrice 23" not in body
    assert not profile_counts(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        body = member_client.get(url, {"q": "mediatrice", "page": "9"}).content.decode()  # past the end: the last page
    assert "Médiatrice 29" in body and len(profile_counts(ctx.captured_queries)) == 1
    with CaptureQueriesContext(connection) as ctx:
        member_client.get(url)
    assert len(profile_counts(ctx.captured_queries)) == 1
