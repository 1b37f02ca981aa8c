import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from notifications.models import Notification
from PIL import Image

from community.models import Commune, MemberStatus, Profile, User
from community.notifications import notification_send
from community.selectors import DIRECTORY_FACETS_KEY
from tests.factories import member_with

pytestmark = pytest.mark.django_db

# (url name, args, expected for anonymous, pending, member, staff)
MATRIX = [
    ("community:dashboard", [], 302, 302, 200, 200),
    ("community:directory", [], 302, 302, 200, 200),
    ("community:organisation_list", [], 302, 302, 200, 200),
    ("community:organisation_create", [], 302, 302, 200, 200),
    ("community:profile_edit", [], 302, 302, 200, 200),
    ("community:notifications", [], 302, 302, 200, 200),
    ("community:notification_preferences", [], 302, 302, 200, 200),
    ("community:pending_members", [], 302, 302, 403, 200),
    ("community:invitations", [], 302, 302, 403, 200),
    ("community:pending", [], 302, 200, 302, 302),
    ("community:my_data", [], 302, 200, 200, 200),
]


@pytest.mark.parametrize("name,args,anon,pending,member_code,staff_code", MATRIX)
def test_permission_matrix(client, pending_client, member_client, staff_client, name, args, anon, pending, member_code, staff_code):
    url = reverse(name, args=args)
    assert client.get(url).status_code == anon
    assert pending_client.get(url).status_code == pending
    assert member_client.get(url).status_code == member_code
    assert staff_client.get(url).status_code == staff_code


def test_pending_member_is_sent_to_waiting_page(pending_client):
    response = pending_client.get(reverse("community:directory"))
    assert response.status_code == 302 and response["Location"] == reverse("community:pending")
    assert "en attente" in pending_client.get(reverse("community:pending")).content.decode()


def test_profile_page_visibility_by_field(client, member_client, other_member):
    profile = other_member.profile
    profile.bio = "Ma **présentation** privée"
    profile.visibility = {**profile.visibility, "bio": "members", "metier": "public", "email": "private"}
    profile.metier = "mediateur"
    profile.save()
    url = profile.get_absolute_url()
    anon_html = client.get(url).content.decode()
    assert "Médiateur·rice numérique" in anon_html and "présentation" not in anon_html
    member_html = member_client.get(url).content.decode()
    assert "<strong>présentation</strong>" in member_html
    assert other_member.email not in member_html


def test_pending_and_erased_profiles_are_404(client, member_client, pending_user):
    url = pending_user.profile.get_absolute_url()
    assert member_client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(reverse("community:profile_detail", args=[999999])).status_code == 404


def test_profile_edit_by_other_member_is_forbidden(member_client, other_member):
    url = reverse("community:profile_edit_other", args=[other_member.profile.pk])
    assert member_client.get(url).status_code == 403
    assert member_client.post(url, {"display_name": "Pirate"}).status_code == 403


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("moi.png", buffer.getvalue(), content_type="image/png")


def _profile_post(**extra):
    data = {"display_name": "Lucie Martin", "metier": "mediateur", "bio": "Bonjour", "skills_text": "Pix, Aidants Connect"}
    for field in ("photo", "metier", "organisation", "territory", "bio", "skills", "links", "email"):
        data[f"visibility_{field}"] = "members"
    data.update(extra)
    return data


def test_profile_edit_saves_photo_resized(member_client, member):
    commune = Commune.objects.get(insee="25056")
    response = member_client.post(
        reverse("community:profile_edit"), _profile_post(photo=_png(), commune=commune.pk, links_text="https://exemple.fr")
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.photo and profile.photo.name.endswith(".jpg") and profile.photo_webp.name.endswith(".webp")
    assert profile.department == commune.department  # filled from the commune
    with profile.photo.open("rb") as fh:
        assert Image.open(fh).size == (256, 256)  # squared (issue 16 item 3)
    assert sorted(s.name for s in profile.skills.all()) == ["Aidants Connect", "Pix"]
    assert profile.links == ["https://exemple.fr"]


def test_profile_edit_rejects_fake_image_and_keeps_data(member_client, member):
    before = Profile.objects.get(user=member).display_name
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script>", content_type="image/jpeg")
    response = member_client.post(reverse("community:profile_edit"), _profile_post(photo=fake, display_name="Changé"))
    assert response.status_code == 200
    assert "image valide" in response.content.decode()
    assert Profile.objects.get(user=member).display_name == before


def test_profile_edit_rejects_bad_link_and_commune_mismatch(member_client):
    dijon = Commune.objects.get(insee="21231")
    doubs = Commune.objects.get(insee="25056").department
    response = member_client.post(
        reverse("community:profile_edit"), _profile_post(links_text="javascript:alert(1)", commune=dijon.pk, department=doubs.pk)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "adresse web valide" in html and "pas dans le département" in html


def test_directory_search_and_filters(member_client):
    a = member_with(display_name="Alice Pix", skills=["Pix"], metier="conseiller")
    b = member_with(display_name="Bruno Fablab", skills=["Fablab"])
    hidden = member_with(display_name="Chloé Secrète", skills=["Pix"])
    hidden.profile.visibility = {**hidden.profile.visibility, "skills": "private"}
    hidden.profile.save()
    gone = member_with(display_name="Denis Parti", skills=["Pix"])
    gone.profile.in_directory = False
    gone.profile.save()
    html = member_client.get(reverse("community:directory"), {"q": "pix"}).content.decode()
    assert "Alice Pix" in html and "Bruno Fablab" not in html
    assert "Chloé Secrète" not in html  # hides her skills: not findable by them
    assert "Denis Parti" not in html  # left the directory
    member_with(display_name="", skills=["Pix"])
    html = member_client.get(reverse("community:directory"), {"q": "pix"}).content.decode()
    assert "Membre sans nom" not in html  # an empty profile is not listed
    html = member_client.get(reverse("community:directory"), {"metier": "conseiller"}).content.decode()
    assert "Alice Pix" in html and "Bruno Fablab" not in html
    html = member_client.get(reverse("community:directory"), {"skill": "fablab", "display": "list"}).content.decode()
    assert "Bruno Fablab" in html and "<table" in html
    assert a.pk and b.pk


def test_directory_htmx_returns_fragment(member_client):
    member_with(display_name="Zoé Fragment")
    response = member_client.get(reverse("community:directory"), {"q": "Zoé"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Zoé Fragment" in html and "<html" not in html


def _directory_queries(client, n):
    for i in range(n):
        member_with(display_name=f"Membre {i:03d}", skills=["Pix", f"Compétence {i}"], organisation=None)
    cache.delete(DIRECTORY_FACETS_KEY)  # the facets are cached: count the cold page both times
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("community:directory"), {"page": 1})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_directory_query_count_does_not_grow(member_client, settings):
    from community import views

    views.DIRECTORY_PAGE_SIZE = 100
    try:
        few = _directory_queries(member_client, 10)
        many = _directory_queries(member_client, 90)  # 100 on the page now
    finally:
        views.DIRECTORY_PAGE_SIZE = 24
    assert few == many


def test_notification_centre_mark_read(member_client, member):
    n = notification_send(recipient=member, kind="x", verb="Lisez-moi", url="/membres/")
    html = member_client.get(reverse("community:notifications")).content.decode()
    assert "Lisez-moi" in html
    member_client.post(reverse("community:notification_read", args=[n.pk]))
    assert not Notification.objects.get(pk=n.pk).unread
    notification_send(recipient=member, kind="x", verb="Deux")
    member_client.post(reverse("community:notification_read_all"))
    assert not Notification.objects.filter(recipient=member, unread=True).exists()


def test_notification_read_cannot_touch_others(member_client, other_member):
    n = notification_send(recipient=other_member, kind="x", verb="à moi")
    member_client.post(reverse("community:notification_read", args=[n.pk]))
    assert Notification.objects.get(pk=n.pk).unread


def test_notification_read_refuses_open_redirect(member_client, member):
    n = notification_send(recipient=member, kind="x", verb="x")
    response = member_client.post(reverse("community:notification_read", args=[n.pk]), {"next": "//evil.example/"})
    assert response["Location"] == reverse("community:notifications")


def test_preferences_form_saves(member_client, member):
    response = member_client.post(reverse("community:notification_preferences"), {"system": "daily", "membership": "off"})
    assert response.status_code == 302
    assert dict(member.notification_preferences.values_list("kind", "delivery")) == {"system": "daily", "membership": "off"}


def test_staff_approves_pending_member(staff_client, pending_user):
    response = staff_client.post(reverse("community:pending_member_decide", args=[pending_user.profile.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert Profile.objects.get(pk=pending_user.profile.pk).status == MemberStatus.APPROVED


def test_member_cannot_approve(member_client, pending_user):
    response = member_client.post(reverse("community:pending_member_decide", args=[pending_user.profile.pk]), {"decision": "approve"})
    assert response.status_code == 403
    assert Profile.objects.get(pk=pending_user.profile.pk).status == MemberStatus.PENDING


def test_rgpd_export_contains_my_data_only(member_client, member, other_member):
    member.profile.bio = "Ma bio unique"
    member.profile.save()
    notification_send(recipient=member, kind="x", verb="Pour l'export")
    notification_send(recipient=other_member, kind="x", verb="Pas pour moi")
    assert member_client.get(reverse("community:my_data_download")).status_code == 405
    response = member_client.post(reverse("community:my_data_download"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["community"]["compte"]["email"] == member.email
    assert data["community"]["profil"]["presentation"] == "Ma bio unique"
    verbs = [n["texte"] for n in data["community"]["notifications"]]
    assert verbs == ["Pour l'export"]


def test_rgpd_erase_requires_confirmation_then_erases(member_client, member):
    url = reverse("community:my_data_erase")
    assert member_client.post(url, {"confirm": "non"}).status_code == 400
    assert User.objects.get(pk=member.pk).is_active
    response = member_client.post(url, {"confirm": "supprimer"})
    assert response.status_code == 302
    user = User.objects.get(pk=member.pk)
    assert not user.is_active and user.erased_at and user.email.endswith("@invalid.invalid")
    assert user.public_name == "ancien membre"
    profile = Profile.objects.get(user=user)
    assert profile.display_name == "" and profile.bio == "" and not profile.in_directory
    assert member_client.get(reverse("community:dashboard")).status_code == 302  # logged out


def test_leave_directory_view(member_client, member):
    member_client.post(reverse("community:my_data_leave_directory"), {"leave": "1"})
    assert not Profile.objects.get(user=member).in_directory
    member_client.post(reverse("community:my_data_leave_directory"), {"leave": "0"})
    assert Profile.objects.get(user=member).in_directory


def test_invitation_link_opens_signup(client, staff):
    from community.services import invitation_create

    invitation = invitation_create(actor=staff, email="invite@exemple.fr")
    response = client.get(reverse("community:invitation_accept", args=[invitation.token]))
    assert response.status_code == 302 and reverse("account_signup") in response["Location"]
    assert client.get(reverse("community:invitation_accept", args=["nope"])).status_code == 404


def test_home_page_is_served_by_wagtail(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le réseau des acteurs du numérique inclusif" in html
    assert 'href="#contenu"' in html and "<main" in html
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_cms_is_staff_only(client, member_client, staff_client):
    assert client.get("/cms/").status_code == 302
    assert member_client.get("/cms/").status_code in (302, 403)
    assert staff_client.get("/cms/").status_code == 200


def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


def test_the_unfiltered_directory_form_is_kept_until_its_options_change(member_client, other_member, monkeypatch):
    from common import forms as common_forms
    from common.memo import Kept
    from community.forms import DirectoryFilterForm
    from community.models import Department, Profile

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    url = reverse("community:directory")
    first = member_client.get(url).content.decode()
    assert member_client.get(url).content.decode().count('name="department"') == 1
    whole = lambda: [key[0] for key in common_forms._FORMS_ONCE.entries if key[1] is None]  # noqa: E731
    assert whole() == [DirectoryFilterForm]  # rendered once, then kept
    offered = set(Profile.objects.exclude(department=None).values_list("department__code", flat=True))
    newcomer = Department.objects.exclude(code__in=offered).first()
    Profile.objects.filter(user=other_member).update(department=newcomer)
    after = member_client.get(url).content.decode()
    assert f'<option value="{newcomer.code}"' in after and f'<option value="{newcomer.code}"' not in first
    assert len(whole()) == 2  # a new department offered: a render of its own
    searched = member_client.get(url, {"q": "zzz", "department": newcomer.code}).content.decode()
    assert f'<option value="{newcomer.code}" selected' in searched and 'value="zzz"' in searched
    # of a search, only the groups of the filters left blank are kept: not the text, not the chosen department
    blank = {key[1] for key in common_forms._FORMS_ONCE.entries if key[6:7] == ("bound",)}
    assert blank == {"metier", "organisation_type", "skill", "level", "display"}
    assert not any("zzz" in html or f'value="{newcomer.code}" selected' in html for html in common_forms._FORMS_ONCE.entries.values())


def _directory_form_html(html: str) -> str:
    return html[html.index('<form method="get" class="panel filters"') : html.index("</form>", html.index('class="panel filters"'))]


def test_a_directory_search_shows_the_same_form_as_rendered_afresh_and_never_another_search(
    member_client, other_member, monkeypatch, settings
):
    """The kept blank filters of a search are the markup a fresh render gives; what one member
    typed or chose never shows in another member's search."""
    from common import forms as common_forms
    from common.memo import Kept
    from community.models import Department, Profile

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    url = reverse("community:directory")
    department = Department.objects.order_by("code").first()
    Profile.objects.filter(user=other_member).update(department=department)  # offered: a member lives there
    code = department.code
    searches = [{"q": "Martin"}, {"q": "Camille", "metier": "mediateur"}, {"q": "Martin", "display": "list"}, {"department": code}]
    kept = [_directory_form_html(member_client.get(url, search).content.decode()) for search in searches * 2]
    settings.DEBUG = True  # nothing kept: every field rendered afresh
    fresh = [_directory_form_html(member_client.get(url, search).content.decode()) for search in searches]
    assert kept == fresh * 2
    assert 'value="Martin"' in kept[0] and "Camille" not in kept[0] and 'value="mediateur" selected' not in kept[0]
    assert 'value="Camille"' in kept[1] and 'value="mediateur" selected' in kept[1] and "Martin" not in kept[1]
    assert 'value="list" selected' in kept[2] and 'value="list" selected' not in kept[0]
    assert f'value="{code}" selected' in kept[3] and f'value="{code}" selected' not in kept[0]


def test_a_forged_skill_in_a_search_makes_no_key_of_its_own(member_client, monkeypatch):
    from common import forms as common_forms
    from common.memo import Kept

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    url = reverse("community:directory")
    member_client.get(url, {"q": "Martin"})
    keys = set(common_forms._FORMS_ONCE.entries)
    for n in range(5):
        html = member_client.get(url, {"q": "Martin", "skill": f"forged-{n}"}).content.decode()
        assert f'value="forged-{n}" selected' in html
    assert set(common_forms._FORMS_ONCE.entries) == keys


def _directory_fold(html: str) -> str:
    """The opening tag of the directory's fold (the page's only one)."""
    import re

    return re.search(r'<details class="filters-fold"[^>]*>', html).group(0)


# a search as the form sends it: every field, the blank ones and the display's default included
_SENT = {"q": "", "department": "", "metier": "", "organisation_type": "", "skill": "", "level": "", "display": "cards", "organisation": ""}


def test_the_directory_keeps_its_keywords_in_view_and_folds_the_other_filters_until_one_is_used(member_client):
    """Phones see the keywords, then "Plus de critères" folded (six filters stood between the
    search and its first result at 375 px); the fold starts open once a filter in it is set (and
    on wide screens, by nav.js), never for the keywords alone nor for a search sent as the page
    showed it."""
    url = reverse("community:directory")
    plain = member_client.get(url).content.decode()
    form = _directory_form_html(plain)
    before, inside = form.split('<details class="filters-fold"')
    assert 'name="q"' in before and 'for="id_q"' in before  # the keywords and their label stay outside
    for name in ("department", "metier", "organisation_type", "skill", "level", "display"):
        assert f'name="{name}"' in inside and f'for="id_{name}"' in inside, name  # each filter in the fold, labelled
    assert "<summary>" in inside and "Plus de critères</summary>" in inside
    assert 'role="search"' in plain and 'hx-target="#directory-results"' in plain
    assert "data-open-wide" in _directory_fold(plain) and " open" not in _directory_fold(plain)
    closed = [{"q": "Martin"}, {**_SENT, "q": "Martin"}, _SENT, {"page": "2"}, {"organisation": "mairie-de-montbeliard"}]
    for search in closed:
        assert " open" not in _directory_fold(member_client.get(url, search).content.decode()), search
    opened = [
        {"metier": "mediateur"},
        {**_SENT, "q": "Martin", "metier": "mediateur"},
        {"display": "list"},
        {"skill": "pix"},
        {"level": "nope"},
    ]
    for search in opened:
        assert _directory_fold(member_client.get(url, search).content.decode()).endswith(" open>"), search


def test_the_directory_fold_and_its_kept_filters_never_carry_one_search_into_the_next(member_client, monkeypatch, settings):
    """The unfiltered form is kept whole (``FormOnce``), its fold closed; a search's blank filters
    are kept one by one. A chosen métier shows selected, its fold open, on its own search only:
    the search after it, and the plain page, render as a fresh form does."""
    from common import forms as common_forms
    from common.memo import Kept
    from community.forms import DirectoryFilterForm

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    url = reverse("community:directory")
    searches = [None, {"metier": "mediateur"}, {**_SENT, "q": "Martin"}, None, {**_SENT, "metier": "mediateur"}, {"q": "Martin"}]
    kept = [_directory_form_html(member_client.get(url, search or {}).content.decode()) for search in searches]
    settings.DEBUG = True  # nothing kept: every form rendered afresh
    fresh = [_directory_form_html(member_client.get(url, search or {}).content.decode()) for search in searches]
    assert kept == fresh
    chosen = 'value="mediateur" selected'
    for search, html in zip(searches, kept, strict=True):
        used = bool(search and search.get("metier"))
        assert (chosen in html) is used and _directory_fold(html).endswith(" open>") is used, search
    whole = [html for key, html in common_forms._FORMS_ONCE.entries.items() if key[:2] == (DirectoryFilterForm, None)]
    assert len(whole) == 1 and '<details class="filters-fold" data-open-wide>' in whole[0]  # the plain page's form, closed
    assert not any(chosen in html or "Martin" in html for html in common_forms._FORMS_ONCE.entries.values())


def _profile_page(client, user):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("community:profile_detail", args=[user.profile.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_profile_page_queries_do_not_grow_with_skills_interests_or_a_commune(member_client):
    from community.services import skills_from_text

    besancon = Commune.objects.get(insee="25056")
    few = member_with(display_name="Alix Peu", skills=["Pix"])
    many = member_with(display_name="Basile Beaucoup", commune=besancon, skills=["Pix", "Scratch", "Canva", "Linux", "Aidants Connect"])
    many.profile.interests.set(skills_from_text("Jardinage, Photo, Radio"))
    body_few, queries_few = _profile_page(member_client, few)
    body_many, queries_many = _profile_page(member_client, many)
    assert queries_many == queries_few
    assert "Pix" in body_few and all(name in body_many for name in ("Scratch", "Linux", "Radio", besancon.name))
    assert besancon.department.name in body_many  # the commune's department, read with the profile


def test_the_account_menu_opens_pages_that_answer_and_names_the_notification_settings(member_client):
    """Every link of the account menu answers, and the one to the notification settings is named as
    that page ("Mes notifications" once led there, where the bell's list bears that name)."""
    import re

    page = member_client.get(reverse("community:dashboard")).content.decode()
    menu = page[page.index('class="account-panel"') :]
    menu = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', menu[: menu.index("</nav>")]))
    assert len(menu) >= 6
    for href in menu:
        if not href.startswith("/cms/"):
            assert member_client.get(href).status_code == 200, href
    settings_page = member_client.get(reverse("community:notification_preferences")).content.decode()
    title = re.search(r"<h1>(.*?)</h1>", settings_page).group(1)
    assert menu[reverse("community:notification_preferences")] == title == "Préférences de notification"
    assert "Mes notifications" not in menu.values()
