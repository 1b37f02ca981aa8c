"""Pages from the outside: who sees what (404 for hidden, 403 for may-see-not-change), the
Open Badges JSON-LD, evidence downloads, and fixed query counts on list pages."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labels import services
from labels.models import ApplicationState, Assertion, Evidence, Label
from tests.factories import StaffFactory, UserFactory

from .factories import make_application

S = ApplicationState
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _referential(referential):
    return referential


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(buf, format="PNG")
    return buf.getvalue()


# --- visibility ----------------------------------------------------------------------------------
def test_application_detail_visibility(client_for, reviewer):
    app = make_application(state=S.IN_REVIEW, reviewer=reviewer)
    url = reverse("labels:application_detail", args=[app.pk])
    assert Client().get(url).status_code == 302  # anonymous → login
    assert client_for(UserFactory()).get(url).status_code == 404
    assert client_for(app.applicant).get(url).status_code == 200
    assert client_for(reviewer).get(url).status_code == 200
    response = client_for(StaffFactory()).get(url)
    assert response.status_code == 200
    assert "Notes des évaluateur·rices" in response.content.decode()
    # the side-by-side scores are for staff only
    assert "Notes des évaluateur·rices" not in client_for(app.applicant).get(url).content.decode()


def test_may_see_but_not_change_is_403(client_for, reviewer):
    app = make_application(state=S.IN_REVIEW, reviewer=reviewer)
    assert client_for(reviewer).get(reverse("labels:application_edit", args=[app.pk])).status_code == 403
    assert client_for(reviewer).post(reverse("labels:application_submit", args=[app.pk])).status_code == 403
    assert client_for(app.applicant).get(reverse("labels:application_assign", args=[app.pk])).status_code == 403
    assert client_for(app.applicant).get(reverse("labels:review_edit", args=[app.pk])).status_code == 403
    assert client_for(UserFactory()).post(reverse("labels:application_submit", args=[app.pk])).status_code == 404


@pytest.mark.parametrize("name", ["staff_dashboard", "staff_applications", "committee", "referential_list", "badge_issue"])
def test_staff_pages(client_for, name):
    url = reverse(f"labels:{name}")
    assert Client().get(url).status_code == 302
    assert client_for(UserFactory()).get(url).status_code == 403
    assert client_for(StaffFactory()).get(url).status_code == 200


# --- the flow through the forms -------------------------------------------------------------------------
def test_flow_through_the_pages(client_for, manager):
    from tests.places.factories import make_place

    place = make_place(manager)
    staff, reviewer = StaffFactory(), UserFactory()
    mc, sc, rc = client_for(manager), client_for(staff), client_for(reviewer)
    response = mc.post(reverse("labels:application_create"), {"place": place.pk})
    app = place.label_applications.get()
    assert response.url == reverse("labels:application_edit", args=[app.pk])
    fields = {f"answer_{c.pk}": f"Réponse {c.code}" for c in app.referential.axes.all()[0].criteria.all()}
    fields.update({f"answer_{c.pk}": "B" for c in app.referential.axes.all()[1].criteria.all()})
    response = mc.post(reverse("labels:application_edit", args=[app.pk]), {**fields, "submit": "1"})
    app.refresh_from_db()
    assert app.state == S.SUBMITTED
    sc.post(reverse("labels:application_assign", args=[app.pk]), {"reviewers": [reviewer.pk]})
    app.refresh_from_db()
    assert app.state == S.IN_REVIEW
    rc.post(reverse("labels:review_edit", args=[app.pk]), {"no_conflict": "yes"})
    rc.post(reverse("labels:application_corrections", args=[app.pk]), {"comment": "Précisez"})
    app.refresh_from_db()
    assert app.state == S.CORRECTIONS
    mc.post(reverse("labels:application_submit", args=[app.pk]))
    app.refresh_from_db()
    assert app.state == S.IN_REVIEW
    scores = {}
    for c in app.referential.axes.all()[0].criteria.all() | app.referential.axes.all()[1].criteria.all():
        scores[f"score_{c.pk}"] = "2"
        scores[f"note_{c.pk}"] = "ok"
    rc.post(reverse("labels:review_edit", args=[app.pk]), {**scores, "comment": "Bien", "submit": "1"})
    committee = sc.get(reverse("labels:committee")).content.decode()
    assert place.nom in committee
    response = sc.post(reverse("labels:application_decide", args=[app.pk]), {"decision": S.GRANTED, "reason": "", "validity_years": 3})
    assert response.status_code == 200  # reason missing: the form comes back
    sc.post(reverse("labels:application_decide", args=[app.pk]), {"decision": S.GRANTED, "reason": "Conforme", "validity_years": 3})
    app.refresh_from_db()
    assert app.state == S.GRANTED
    assertion = Assertion.objects.get(label__application=app)
    page = Client().get(reverse("labels:verify", args=[assertion.uid])).content.decode()
    assert "Label valide" in page and place.nom in page


# --- evidence -----------------------------------------------------------------------------------------------
def test_evidence_upload_checked_and_served_only_to_allowed(client_for, reviewer):
    app = make_application(state=S.DRAFT)
    criterion = app.referential.axes.first().criteria.first()
    mc = client_for(app.applicant)
    url = reverse("labels:evidence_upload", args=[app.pk])
    mc.post(url, {"criterion": criterion.pk, "file": SimpleUploadedFile("charte.pdf", PDF, content_type="application/pdf")})
    mc.post(url, {"criterion": criterion.pk, "file": SimpleUploadedFile("photo.png", _png(), content_type="image/png")})
    mc.post(
        url,
        {
            "criterion": criterion.pk,
            "file": SimpleUploadedFile("piege.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf"),
        },
    )
    assert Evidence.objects.filter(application=app).count() == 2
    pdf = Evidence.objects.get(application=app, content_type="application/pdf")
    assert pdf.original_name == "charte.pdf" and not pdf.file.name.endswith("charte.pdf")
    download = reverse("labels:evidence_download", args=[app.pk, pdf.pk])
    response = mc.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert client_for(UserFactory()).get(download).status_code == 404
    assert Client().get(download).status_code == 302
    assert client_for(StaffFactory()).get(download).status_code == 200
    # a reviewer sees it once assigned
    from .factories import answer_all

    answer_all(app, app.applicant)
    services.application_submit(actor=app.applicant, application=app)
    assert client_for(reviewer).get(download).status_code == 404
    services.application_assign_reviewers(actor=StaffFactory(), application=app, reviewers=[reviewer])
    assert client_for(reviewer).get(download).status_code == 200
    # locked once submitted
    mc.post(url, {"criterion": criterion.pk, "file": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")})
    assert Evidence.objects.filter(application=app).count() == 2


def test_evidence_too_large_is_refused(manager):
    app = make_application(manager=manager)
    criterion = app.referential.axes.first().criteria.first()
    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * (services.EVIDENCE_MAX_BYTES + 1), content_type="application/pdf")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.evidence_add(actor=manager, application=app, criterion=criterion, upload=big)
    assert not Evidence.objects.exists()


# --- Open Badges 2.0 --------------------------------------------------------------------------------------------
def _json(url):
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def test_open_badges_documents_carry_required_fields():
    app = make_application(state=S.GRANTED)
    assertion = Assertion.objects.get(label__application=app)
    data = _json(reverse("labels:ob_assertion", args=[assertion.uid]))
    assert data["@context"] == "https://w3id.org/openbadges/v2"
    assert data["type"] == "Assertion"
    assert data["id"].endswith(reverse("labels:ob_assertion", args=[assertion.uid]))
    assert data["recipient"]["type"] == "email" and data["recipient"]["hashed"] is True
    assert data["recipient"]["identity"] == Assertion.hash_identity(app.applicant.email, data["recipient"]["salt"])
    assert app.applicant.email not in json.dumps(data)
    assert data["verification"] == {"type": "hosted"}
    assert data["issuedOn"] and data["expires"]
    assert "revoked" not in data
    badge = _json(data["badge"].split("testserver", 1)[-1].split("127.0.0.1:8000", 1)[-1])
    assert badge["type"] == "BadgeClass" and badge["@context"] == "https://w3id.org/openbadges/v2"
    for field in ("id", "name", "description", "image", "criteria", "issuer"):
        assert badge[field]
    issuer = _json(reverse("labels:ob_issuer"))
    assert issuer["type"] == "Issuer"
    for field in ("id", "name", "url", "email"):
        assert issuer[field]
    image = Client().get(reverse("labels:badge_image", args=[assertion.badge_class.slug]))
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")


def test_withdrawn_label_assertion_is_revoked_with_reason():
    app = make_application(state=S.GRANTED)
    label = Label.objects.get(application=app)
    services.label_withdraw(actor=StaffFactory(), label=label, reason="Lieu fermé définitivement")
    data = _json(reverse("labels:ob_assertion", args=[label.assertion.uid]))
    assert data["revoked"] is True and data["revocationReason"] == "Lieu fermé définitivement"
    page = Client().get(reverse("labels:verify", args=[label.assertion.uid])).content.decode()
    assert "Label retiré" in page and "Label valide" not in page


def test_competence_badge_issue_profile_and_revocation(client_for):
    from labels.models import BadgeClass

    badge = BadgeClass.objects.create(slug="ateliers", name="Animation d'ateliers", description="Sait animer", criteria="Formation")
    member, staff = UserFactory(), StaffFactory()
    assert client_for(member).post(reverse("labels:badge_issue"), {"badge_class": badge.pk, "email": member.email}).status_code == 403
    response = client_for(staff).post(
        reverse("labels:badge_issue"), {"badge_class": badge.pk, "email": member.email, "narrative": "Session 1"}
    )
    assertion = Assertion.objects.get(recipient=member)
    assert response.url == reverse("labels:verify", args=[assertion.uid])
    profile = client_for(UserFactory()).get(member.profile.get_absolute_url()).content.decode()
    assert "Animation d&#x27;ateliers" in profile or "Animation d'ateliers" in profile
    data = _json(reverse("labels:ob_assertion", args=[assertion.uid]))
    assert data["recipient"]["identity"] == Assertion.hash_identity(member.email, data["recipient"]["salt"])
    client_for(staff).post(reverse("labels:assertion_revoke", args=[assertion.uid]), {"reason": "Erreur"})
    assert _json(reverse("labels:ob_assertion", args=[assertion.uid]))["revocationReason"] == "Erreur"


# --- RGPD -----------------------------------------------------------------------------------------------------------
def test_rgpd_export_and_erase():
    from labels.models import BadgeClass
    from labels.personal_data import erase_labels, export_labels

    app = make_application(state=S.SUBMITTED)
    badge = BadgeClass.objects.create(slug="b", name="B", description="d", criteria="c")
    member = app.applicant
    services.competence_badge_issue(actor=StaffFactory(), badge_class=badge, recipient=member)
    data = export_labels(member)
    assert data["candidatures"][0]["id"] == app.pk and data["badges"][0]["badge"] == "B"
    erase_labels(member)
    assertion = Assertion.objects.get(badge_class=badge)
    assert assertion.revoked and assertion.recipient is None and assertion.recipient_name == "ancien membre"


# --- query counts ----------------------------------------------------------------------------------------------------
def _make_many(n, staff, reviewer):
    from .factories import answer_all

    for _ in range(n):
        manager = UserFactory()
        from tests.places.factories import make_place

        app = services.application_create(actor=manager, place=make_place(manager))
        answer_all(app, manager)
        services.application_submit(actor=manager, application=app)
        services.application_assign_reviewers(actor=staff, application=app, reviewers=[reviewer])
        review = app.reviews.get()
        services.review_declare(actor=reviewer, review=review, no_conflict=True)
        review.refresh_from_db()
        crit = [c.pk for a in app.referential.axes.all() for c in a.criteria.all()]
        services.review_save(actor=reviewer, review=review, scores=dict.fromkeys(crit, (1, "")), submit=True)
        if _ % 2:
            services.application_decide(actor=staff, application=app, decision=S.GRANTED, reason="ok")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_cost_a_fixed_number_of_queries(client_for):
    staff, reviewer = StaffFactory(), UserFactory()
    sc = client_for(staff)
    urls = [reverse("labels:staff_applications"), reverse("labels:committee"), reverse("labels:staff_dashboard"), reverse("labels:index")]
    _make_many(10, staff, reviewer)
    small = {url: _count(sc, url) for url in urls}
    small_rc = _count(client_for(reviewer), reverse("community:dashboard"))
    _make_many(90, staff, reviewer)
    large = {url: _count(sc, url) for url in urls}
    assert large == small
    assert _count(client_for(reviewer), reverse("community:dashboard")) == small_rc


def test_dashboard_panels(client_for, reviewer):
    app = make_application(state=S.IN_REVIEW, reviewer=reviewer)
    manager_page = client_for(app.applicant).get(reverse("community:dashboard")).content.decode()
    assert "Mes candidatures au label" in manager_page and app.place.nom in manager_page
    reviewer_page = client_for(reviewer).get(reverse("community:dashboard")).content.decode()
    assert "Mes évaluations" in reviewer_page and "Mes candidatures au label" not in reviewer_page
    other_page = client_for(UserFactory()).get(reverse("community:dashboard")).content.decode()
    assert "Mes évaluations" not in other_page and "Mes candidatures au label" not in other_page


def test_renewal_carries_evidence_over(client_for):
    from .factories import answer_all

    staff = StaffFactory()
    app = make_application(state=S.DRAFT)
    criterion = app.referential.axes.first().criteria.first()
    services.evidence_add(
        actor=app.applicant,
        application=app,
        criterion=criterion,
        upload=SimpleUploadedFile("charte.pdf", PDF, content_type="application/pdf"),
    )
    answer_all(app, app.applicant)
    services.application_submit(actor=app.applicant, application=app)
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[UserFactory()])
    services.application_decide(actor=staff, application=app, decision=S.GRANTED, reason="ok")
    label = Label.objects.get(application=app)
    response = client_for(app.applicant).post(reverse("labels:label_renew", args=[label.pk]))
    renewal = label.renewals.get()
    assert response.url == reverse("labels:application_edit", args=[renewal.pk])
    copied = renewal.evidence.get()
    assert copied.original_name == "charte.pdf"
    assert client_for(app.applicant).get(reverse("labels:evidence_download", args=[renewal.pk, copied.pk])).status_code == 200
    # another member cannot renew someone else's label
    assert client_for(UserFactory()).post(reverse("labels:label_renew", args=[label.pk])).status_code == 404


def test_staff_edit_draft_referentials_in_the_admin_only(client_for, referential):
    from .factories import make_referential

    draft = make_referential(publish=False)
    sc = client_for(StaffFactory())
    assert sc.get(reverse("admin:labels_referential_change", args=[draft.pk])).status_code == 200
    published = sc.get(reverse("admin:labels_referential_change", args=[referential.pk])).content.decode()
    assert 'name="_save"' not in published  # frozen: shown read-only
    assert 'name="_save"' in sc.get(reverse("admin:labels_referential_change", args=[draft.pk])).content.decode()
    assert client_for(UserFactory()).get(reverse("admin:labels_referential_change", args=[draft.pk])).status_code == 302
