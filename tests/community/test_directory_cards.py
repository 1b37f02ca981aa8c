"""The directory keeps each member card's markup per process and language, keyed on every value the
card shows to its viewer (``selectors.MemberCard`` under ``{% once %}``, as the funding search's
``CallCard``): the same markup as the profile-based template wrote, an edit shows on the next
page, and a field hidden from members never reaches a member through a card kept for staff."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.db import connection
from django.template import Context, Template
from django.template.loader import get_template, render_to_string
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from common.templatetags.common_tags import OnceNode
from community import selectors, services
from community.models import Commune, Department, Organisation
from community.selectors import DIRECTORY_FACETS_KEY, DirectoryFilters
from tests.factories import OrganisationFactory, UserFactory, member_with

pytestmark = pytest.mark.django_db

# The results as they were written from the ``Profile`` and its ``shown_fields`` before the cards
# became plain values (the list's rows and ``_member_card.html``): the kept cards must write the same.
OLD_RESULTS = """{% load i18n community_tags %}{% if display == "list" %}{% for profile, shown in cards %}
    <tr><td class="person-cell">
      {% avatar profile 32 %} <a href="{{ profile.get_absolute_url }}">{{ profile.display_name|default:_("Membre sans nom") }}</a></td>
      <td>{% if shown.metier %}{{ profile.metier_label }}{% endif %}</td>
      <td>{% if shown.organisation and profile.organisation %}{{ profile.organisation.name }}{% endif %}</td>
      <td>{% if shown.territory and profile.commune %}{{ profile.commune.name }}{% endif %}</td>
      <td>{% if shown.skills %}{% for s in profile.skills.all %}{{ s.name }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}</td></tr>
  {% endfor %}{% else %}{% for profile, shown in cards %}<article class="card member-card">
  {% avatar profile 64 %}
  <div>
    <h2><a href="{{ profile.get_absolute_url }}">{{ profile.display_name|default:_("Membre sans nom") }}</a></h2>
    {% if shown.metier and profile.metier_label %}<p class="muted">{{ profile.metier_label }}</p>{% endif %}
    {% if shown.organisation and profile.organisation %}<p class="org-line">{% organisation_logo profile.organisation 24 %}
      {{ profile.organisation.name }}</p>{% endif %}
    {% if shown.territory and profile.commune %}
      <p class="muted">{{ profile.commune.name }}{% if profile.department %} · {{ profile.department.code }}{% endif %}</p>
      {% elif shown.territory and profile.department %}<p class="muted">{{ profile.department }}</p>{% endif %}
    {% if user.is_authenticated and user.pk != profile.user_id %}
      <p class="member-card-write"><a class="button button-small button-secondary"
        href="{% url 'messaging:conversation_create' %}?a={{ profile.user_id }}">{% icon "message" 16 %}
      {% translate "Écrire" %}<span class="visually-hidden">
      {% blocktranslate with name=profile.display_name %}à {{ name }}{% endblocktranslate %}</span></a></p>{% endif %}
    {% if shown.skills %}{% with skills=profile.skills.all %}{% if skills %}<ul class="tags"
        aria-label="{% translate 'Compétences' %}">{% for s in skills|slice:":5" %}<li>{{ s.name }}</li>{% endfor %}</ul>{% endif %}{% endwith %}{% endif %}
  </div>
</article>
{% endfor %}{% endif %}"""


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 40, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _results(html: str) -> str:
    """The results of a directory page (its count, cards or rows and pagination)."""
    return html.split('<div id="directory-results">')[1].split("</main>")[0]


def _page(client, **params) -> str:
    response = client.get(reverse("community:directory"), params)
    assert response.status_code == 200
    return response.content.decode()


def _kept_blocks() -> list[OnceNode]:
    return get_template("community/_directory_results.html").template.nodelist.get_nodes_by_type(OnceNode)


@pytest.fixture
def network():
    """Members with every kind of card: photo, logo, commune or department only, 7 skills, hidden
    fields, no metier, a free-text metier."""
    dijon = Commune.objects.select_related("department").get(insee="21231")
    logo_org = OrganisationFactory(name="Médiathèque <Beaune>")
    Organisation.objects.filter(pk=logo_org.pk).update(logo="organisations/logo-test.png")
    plain_org = OrganisationFactory(name="Centre social Les Tilleuls")
    skills = ["Pix", "Fablab", "Accueil", "Aidants Connect", "Bureautique", "Démarches en ligne", "Zoom"]
    photo = member_with(display_name="Annie Photo", organisation=logo_org, commune=dijon, department=dijon.department, metier="elu")
    services.profile_update(actor=photo, profile=photo.profile, data={"photo": _photo()}, skills=", ".join(skills))
    member_with(display_name="Bruno Département", organisation=plain_org, department=Department.objects.get(code="25"), skills=["Pix"])
    hider = member_with(display_name="Chloé Discrète", organisation=plain_org, commune=dijon, skills=["Fablab", "Pix"])
    services.profile_update(
        actor=hider,
        profile=hider.profile,
        data={f"visibility_{f}": "private" for f in ("photo", "metier", "organisation", "territory", "skills")},
    )
    member_with(display_name="Denis Autre", metier="autre", metier_other="Animateur <jeunesse>")
    member_with(display_name="Élise Sans-métier", metier="", metier_other="")
    return {"photo": photo, "hider": hider}


@pytest.mark.parametrize("display", ["cards", "list"])
def test_kept_cards_write_what_the_profile_template_wrote_for_every_viewer(network, member, staff, display):
    hider = network["hider"]
    profiles = selectors.profile_list_directory_for_cards(viewer=member, filters=DirectoryFilters())[:24]
    for viewer in (member, hider, staff, network["photo"]):
        page = Paginator(selectors.profile_list_directory(viewer=viewer, filters=DirectoryFilters()), 24).get_page(1)
        old = Template(OLD_RESULTS).render(
            Context({"cards": [(p, p.shown_fields(viewer)) for p in page.object_list], "display": display, "user": viewer})
        )
        cards = selectors.member_cards(profiles, viewer=viewer, skills=5 if display == "cards" else None)
        context = {"cards": cards, "display": display, "page": page, "user": viewer}
        kept = render_to_string("community/_directory_results.html", context)
        again = render_to_string("community/_directory_results.html", context)  # from the kept markup
        with override_settings(DEBUG=True):  # nothing kept: every card through the templates
            fresh = render_to_string("community/_directory_results.html", context)
        assert kept == again == fresh
        assert old.count('href="/membres/') == 7 and old.strip() in kept  # to the character
        assert "Annie Photo" in kept and "<picture" in kept and "Médiathèque &lt;Beaune&gt;" in kept
        assert ("logo-test.png" in kept) is (display == "cards") and ("Zoom" in kept) is (display == "list")  # the 7th skill


def test_a_hidden_organisation_never_reaches_another_member_through_a_kept_card(member_client, staff_client, client_for, member):
    organisation = OrganisationFactory(name="Structure Confidentielle")
    owner = member_with(display_name="Agathe Réservée", organisation=organisation, skills=["Pix"])
    services.profile_update(actor=owner, profile=owner.profile, data={"visibility_organisation": "private"})
    for display in ("cards", "list"):
        staff_page = _page(staff_client, q="Agathe", display=display)  # staff see every field: kept first
        assert "Structure Confidentielle" in staff_page
        assert "Structure Confidentielle" not in _page(member_client, q="Agathe", display=display)
        assert "Agathe Réservée" in _page(member_client, q="Agathe", display=display)
        assert "Structure Confidentielle" in _page(client_for(owner), q="Agathe", display=display)  # the owner sees it
        assert "Structure Confidentielle" not in _page(client_for(UserFactory()), q="Agathe", display=display)
    member_page = _page(member_client, q="Agathe")
    assert f"?a={owner.pk}" in member_page and f"?a={owner.pk}" not in _page(client_for(owner), q="Agathe")  # no "Écrire" to oneself


def test_an_edit_shows_on_the_next_page(member_client, member, staff):
    organisation = OrganisationFactory(name="Tiers-lieu Avant")
    other = member_with(display_name="Gaston Avant", organisation=organisation, metier="elu", skills=["Pix"])
    first = _results(_page(member_client, q="Gaston"))
    assert "Gaston Avant" in first and "Tiers-lieu Avant" in first and "Élu·e" in first and "<picture" not in first
    assert _results(_page(member_client, q="Gaston")) == first

    services.profile_update(actor=other, profile=other.profile, data={"display_name": "Gaston Après", "metier": "benevole"})
    page = _results(_page(member_client, q="Gaston"))
    assert "Gaston Après" in page and "Gaston Avant" not in page and "Bénévole" in page and "Élu·e" not in page

    services.profile_update(actor=other, profile=other.profile, data={}, skills="Pix, Couture numérique")
    assert "Couture numérique" in _results(_page(member_client, q="Gaston"))

    services.organisation_update(actor=staff, organisation=organisation, data={"name": "Tiers-lieu Après"})
    assert "Tiers-lieu Après" in _results(_page(member_client, q="Gaston"))

    services.profile_update(actor=other, profile=other.profile, data={"visibility_organisation": "private", "visibility_skills": "private"})
    page = _results(_page(member_client, q="Gaston"))
    assert "Tiers-lieu" not in page and "Couture numérique" not in page and "Gaston Après" in page

    services.profile_update(actor=other, profile=other.profile, data={"photo": _photo()})
    other.profile.refresh_from_db()
    page = _results(_page(member_client, q="Gaston"))
    assert "<picture" in page and other.profile.photo.url in page
    services.profile_update(actor=other, profile=other.profile, data={"visibility_photo": "private"})
    assert "<picture" not in _results(_page(member_client, q="Gaston"))


def test_a_card_is_kept_per_language(member, member_client):
    member_with(display_name="Hugo Langue", metier="formateur")
    for block in _kept_blocks():
        block.kept.entries.clear()
    with translation.override("fr"):
        french = _page(member_client, q="Hugo")
    with translation.override("en"):
        _page(member_client, q="Hugo", display="list")
        english = _page(member_client, q="Hugo")
    assert "Hugo Langue" in french and "Hugo Langue" in english
    languages = [{key[0] for key in block.kept.entries} for block in _kept_blocks()]
    assert languages == [{"en"}, {"fr", "en"}]  # the list's rows, then the cards
    with translation.override("en"), override_settings(DEBUG=True):  # (templates loaded afresh)
        assert _results(_page(member_client, q="Hugo")) == _results(english)


def _search_queries(client, n: int, display: str) -> int:
    communes = list(Commune.objects.select_related("department")[:3])
    for i in range(n):
        commune = communes[i % 3]
        organisation = OrganisationFactory(name=f"Structure {i}") if i % 2 else None
        member_with(
            display_name=f"Martin {i:03d}",
            organisation=organisation,
            commune=commune,
            department=commune.department,
            skills=["Pix", f"Compétence {i}"],
        )
    cache.delete(DIRECTORY_FACETS_KEY)  # the facets are cached: count the cold page both times
    with CaptureQueriesContext(connection) as ctx:
        html = _page(client, q="Martin", display=display)
    assert html.count("Martin ") >= min(n, 24) and "Structure " in html and "Compétence " in html
    return len(ctx.captured_queries)


@pytest.mark.parametrize("display", ["cards", "list"])
def test_search_query_count_does_not_grow_with_members(member_client, display):
    """Organisations, territories and skills come with the page: no query per card."""
    from community import views

    views.DIRECTORY_PAGE_SIZE = 100
    try:
        few = _search_queries(member_client, 10, display)
        many = _search_queries(member_client, 90, display)  # 100 on the page
    finally:
        views.DIRECTORY_PAGE_SIZE = 24
    assert few == many
