"""Items 2, 4 and 5 of issue 15: consortium space, application tracking, help from the hub."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from actions.origins import origin_resolve
from actions.services import action_create
from community.models import Activity, Commune
from community.rgpd import account_erase
from events.services import calendar_token_rotate
from funding import services
from funding.models import ApplicationStatus, ConsortiumMember, SupportRequest
from funding.personal_data import export_funding
from groups.access import is_active_member as group_member
from groups.models import AccessMode
from tests.factories import OrganisationFactory, StaffFactory, UserFactory, member_with

from .factories import make_call

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _member(insee="21231"):
    org = OrganisationFactory(commune=Commune.objects.get(insee=insee))
    return member_with(organisation=org)


def _consortium(lead=None, call=None, **kwargs):
    lead = lead or _member()
    call = call or make_call()
    data = {"name": "Numérique en Bourgogne", "partners_wanted": "Une structure du Jura", **kwargs}
    return services.consortium_create(call=call, actor=lead, **data), lead


def _join(consortium, user, role="Ateliers"):
    member = services.consortium_request_join(consortium=consortium, actor=user, role=role)
    return services.consortium_member_decide(member=member, actor=_lead(consortium), accept=True)


def _lead(consortium):
    return consortium.members.get(is_lead=True).user


def test_a_lead_opens_a_consortium_with_its_secret_group_and_an_announcement(client_for):
    consortium, lead = _consortium()
    assert consortium.lead_organisation == lead.profile.organisation
    assert consortium.group.access == AccessMode.SECRET and group_member(user=lead, group=consortium.group)
    item = Activity.objects.get(object_ref=f"funding.consortium:{consortium.pk}")
    assert item.audience == "members" and item.verb == "Cherche des partenaires"
    private, _lead2 = _consortium(visibility="private")
    assert not Activity.objects.filter(object_ref=f"funding.consortium:{private.pk}").exists()
    page = client_for(lead).get(consortium.call.get_absolute_url()).content.decode()
    assert "Monter un consortium" in page and consortium.name in page


def test_bad_input_french_errors_nothing_half_saved():
    closed = make_call(deadline=timezone.localdate() - timedelta(days=2))
    lead = _member()
    with pytest.raises(ValidationError, match="plus ouvert"):
        services.consortium_create(call=closed, actor=lead, name="Trop tard")
    with pytest.raises(ValidationError, match="votre structure"):
        services.consortium_create(call=make_call(), actor=UserFactory(), name="Sans structure")
    assert not ConsortiumMember.objects.exists()


def test_member_asks_to_join_lead_accepts_through_the_pages(client_for):
    consortium, lead = _consortium()
    partner = _member(insee="39300") if Commune.objects.filter(insee="39300").exists() else _member()
    partner_client, lead_client = client_for(partner), client_for(lead)
    response = partner_client.post(f"/financements/consortiums/{consortium.pk}/rejoindre/", {"role": "Accompagnement administratif"})
    assert response.status_code == 302
    member = ConsortiumMember.objects.get(consortium=consortium, user=partner)
    assert member.status == "requested" and member.organisation == partner.profile.organisation
    assert "demande à rejoindre" in lead.notifications.get().verb
    page = lead_client.get(consortium.get_absolute_url()).content.decode()
    assert "Accompagnement administratif" in page and "Demandes à rejoindre" in page
    # only the lead decides
    other = _member()
    assert (
        client_for(other).post(f"/financements/consortiums/{consortium.pk}/membres/{member.pk}/decision/", {"accept": "1"}).status_code
        == 403
    )
    lead_client.post(f"/financements/consortiums/{consortium.pk}/membres/{member.pk}/decision/", {"accept": "1"})
    member.refresh_from_db()
    assert member.status == "active" and group_member(user=partner, group=consortium.group)
    page = partner_client.get(consortium.get_absolute_url()).content.decode()
    assert "Espace de travail" in page and partner.profile.organisation.name in page and "Territoires couverts" in page
    assert "Rejoindre ce consortium" not in page


def test_invitations_private_visibility_and_deleted_accounts(client_for):
    consortium, lead = _consortium(visibility="private")
    invitee, outsider = _member(), _member()
    url = consortium.get_absolute_url()
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(StaffFactory()).get(url).status_code == 404
    assert client_for(outsider).post(f"/financements/consortiums/{consortium.pk}/rejoindre/", {"role": "x"}).status_code == 404
    response = client_for(lead).post(f"/financements/consortiums/{consortium.pk}/inviter/", {"email": invitee.email, "role": "Formation"})
    assert response.status_code == 302
    assert "vous invite" in invitee.notifications.get().verb
    invitee_client = client_for(invitee)
    assert "Vous êtes invité·e" in invitee_client.get(url).content.decode()
    invitee_client.post(f"/financements/consortiums/{consortium.pk}/invitation/", {"accept": "1"})
    assert ConsortiumMember.objects.get(consortium=consortium, user=invitee).status == "active"
    gone = _member()
    account_erase(user=gone)
    gone.refresh_from_db()
    with pytest.raises(ValidationError, match="supprimé"):
        services.consortium_invite(consortium=consortium, actor=lead, user=gone)
    with pytest.raises(PermissionDenied):
        services.consortium_invite(consortium=consortium, actor=invitee, user=outsider)
    response = client_for(lead).post(f"/financements/consortiums/{consortium.pk}/inviter/", {"email": "personne@exemple.org"})
    assert response.status_code == 400 and "Aucun membre du réseau" in response.content.decode()


def test_leaving_keeps_the_history_readable(client_for):
    consortium, lead = _consortium()
    partner = _member()
    _join(consortium, partner)
    client_for(partner).post(f"/financements/consortiums/{consortium.pk}/quitter/")
    member = ConsortiumMember.objects.get(consortium=consortium, user=partner)
    assert member.status == "left" and not group_member(user=partner, group=consortium.group)
    page = client_for(lead).get(consortium.get_absolute_url()).content.decode()
    assert "Ont participé" in page and partner.public_name in page
    with pytest.raises(ValidationError, match="chef de file"):
        services.consortium_leave(consortium=consortium, actor=lead)


def test_shared_files_go_through_the_upload_guard(client_for):
    consortium, lead = _consortium()
    outsider = _member()
    url = f"/financements/consortiums/{consortium.pk}/fichiers/"
    response = client_for(lead).post(url, {"file": SimpleUploadedFile("budget.pdf", PDF, "application/pdf"), "note": ""})
    assert response.status_code == 302
    page = client_for(lead).get(consortium.get_absolute_url()).content.decode()
    assert "budget.pdf" in page
    bad = client_for(lead).post(url, {"file": SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html")})
    assert bad.status_code == 400 and "seules les images" in bad.content.decode()
    assert client_for(outsider).post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 403
    assert "budget.pdf" not in client_for(outsider).get(consortium.get_absolute_url()).content.decode()


def test_application_tracking_history_and_notifications(client_for):
    consortium, lead = _consortium()
    partner = _member()
    _join(consortium, partner)
    partner.notifications.all().delete()
    url = f"/financements/consortiums/{consortium.pk}/candidature/"
    response = client_for(lead).post(url, {"status": "won"})  # not offered from "en préparation"
    assert response.status_code == 400
    with pytest.raises(ValidationError, match="Passage impossible"):
        services.application_update(consortium=consortium, actor=lead, status="won")
    client_for(lead).post(url, {"status": "submitted", "amount_asked": "45000", "note": "Dossier complet"})
    consortium.refresh_from_db()
    assert consortium.status == ApplicationStatus.SUBMITTED and consortium.submitted_on == timezone.localdate()
    assert consortium.amount_asked == 45000
    assert "déposé" in partner.notifications.get().verb
    with pytest.raises(ValidationError, match="retenue"):
        services.application_update(consortium=consortium, actor=partner, status="lost", amount_granted=100)
    services.application_update(consortium=consortium, actor=partner, status="won", amount_granted=30000, funder_answer="Bravo")
    consortium.refresh_from_db()
    assert consortium.status == "won" and consortium.amount_granted == 30000 and consortium.decided_on
    assert [(h.from_status, h.to_status) for h in consortium.history.all()] == [("preparing", "submitted"), ("submitted", "won")]
    assert "retenu" in lead.notifications.filter(verb__contains="retenu").get().verb
    with pytest.raises(PermissionDenied):
        services.application_update(consortium=consortium, actor=_member(), status="won")
    page = client_for(partner).get(consortium.get_absolute_url()).content.decode()
    assert "Historique" in page and "Dossier complet" in page


def test_help_from_the_hub_queue_assignment_answer(client_for, staff_client, staff):
    consortium, lead = _consortium()
    response = client_for(lead).post(
        f"/financements/consortiums/{consortium.pk}/aide/", {"kind": "letter", "message": "Une lettre de soutien du hub, svp."}
    )
    assert response.status_code == 302
    support = SupportRequest.objects.get()
    assert support.consortium == consortium and support.call == consortium.call
    assert client_for(lead).get("/financements/aide/").status_code == 403
    assert "Lettre de soutien" in staff_client.get("/financements/aide/").content.decode()
    response = staff_client.post(f"/financements/aide/{support.pk}/", {"status": "done", "assignee": staff.pk, "answer": ""})
    assert response.status_code == 200 and "Écrivez une réponse" in response.content.decode()
    staff_client.post(f"/financements/aide/{support.pk}/", {"status": "done", "assignee": staff.pk, "answer": "Lettre envoyée."})
    support.refresh_from_db()
    assert support.status == "done" and support.assignee == staff and support.answer == "Lettre envoyée."
    note = lead.notifications.get(verb__contains="a répondu")
    assert note.description == "Lettre envoyée."
    assert "Lettre envoyée." in client_for(lead).get("/financements/mes-demandes-d-aide/").content.decode()
    with pytest.raises(PermissionDenied):
        services.support_request_create(call=consortium.call, consortium=consortium, actor=_member(), kind="review", message="x" * 20)


def test_help_from_a_call_page_without_a_consortium(client_for, staff_client, staff, settings):
    """Issue 15 item 5: from the call page, a member with no consortium asks the hub for help;
    same form, service, queue, answer and notification as from a consortium."""
    call = make_call()
    member = _member()
    page = client_for(member).get(call.get_absolute_url()).content.decode()
    assert 'id="aide"' in page and reverse("funding:call_support", args=[call.slug]) in page
    assert 'id="id_support_message"' in page  # no clash with the partner search's "message"
    url = reverse("funding:call_support", args=[call.slug])
    # bad input: a clear French error, the form kept, nothing saved
    response = client_for(member).post(url, {"kind": "review", "message": "Trop court"[:5]})
    assert response.status_code == 400
    assert "10 caractères au moins" in response.content.decode() and "Trop " in response.content.decode()
    response = client_for(member).post(url, {"kind": "bribe", "message": "Une demande assez longue."})
    assert response.status_code == 400 and "Sélectionnez un choix valide" in response.content.decode()
    assert not SupportRequest.objects.exists()
    # the request reaches the staff queue, without a consortium
    response = client_for(member).post(url, {"kind": "introduction", "message": "Qui connaît le financeur dans le Jura ?"})
    assert response.status_code == 302 and response["Location"].endswith("#aide")
    support = SupportRequest.objects.get()
    assert support.call == call and support.consortium is None and support.requester == member and support.status == "new"
    assert call.title in staff_client.get("/financements/aide/").content.decode()
    staff_client.post(f"/financements/aide/{support.pk}/", {"status": "done", "assignee": staff.pk, "answer": "Voici un contact."})
    assert member.notifications.get(verb__contains="a répondu").description == "Voici un contact."
    page = client_for(member).get(call.get_absolute_url()).content.decode()
    assert "Mise en relation" in page and "Voici un contact." in page
    assert call.title in client_for(member).get("/financements/mes-demandes-d-aide/").content.decode()
    # someone else's requests are not shown on the call page
    assert "Voici un contact." not in client_for(_member()).get(call.get_absolute_url()).content.decode()
    # a pending account cannot ask; the same rate limit as from a consortium
    pending = UserFactory(profile_data={"status": "pending"})
    assert client_for(pending).post(url, {"kind": "review", "message": "Une relecture svp."}).status_code == 302
    assert SupportRequest.objects.count() == 1
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "1/h"}
    assert client_for(member).post(url, {"kind": "review", "message": "Une relecture svp."}).status_code == 302
    response = client_for(member).post(url, {"kind": "review", "message": "Encore une relecture svp."})
    assert response.status_code == 429 and "Trop de demandes" in response.content.decode()
    assert SupportRequest.objects.count() == 2


def test_hub_view_outcomes_and_csv(staff_client, member_client):
    won, lead = _consortium()
    services.application_update(consortium=won, actor=lead, status="submitted", amount_asked=50000)
    services.application_update(consortium=won, actor=lead, status="won", amount_granted=40000)
    lost, lead2 = _consortium(name='=HYPERLINK("http://x")')
    services.application_update(consortium=lost, actor=lead2, status="submitted")
    services.application_update(consortium=lost, actor=lead2, status="lost")
    _consortium(visibility="private", name="Projet discret")
    page = staff_client.get("/financements/consortiums/bilan/").content.decode()
    assert "50 %" in page and "40\xa0000 €" in page
    assert "Projet discret" in page
    assert member_client.get("/financements/consortiums/bilan/").status_code == 403
    csv = staff_client.get("/financements/consortiums/bilan.csv").content.decode()
    assert "Numérique en Bourgogne" in csv and "40000" in csv and "'=HYPERLINK" in csv
    listing = member_client.get("/financements/consortiums/").content.decode()
    assert "Numérique en Bourgogne" in listing and "Projet discret" not in listing


def test_deadlines_of_my_consortia_are_in_my_calendar_feed(client_for):
    consortium, lead = _consortium()
    partner = _member()
    _join(consortium, partner)
    token = services.calendar_token_get(actor=partner)
    body = client_for(partner).get(f"/financements/echeances/{token.token}.ics").content
    summaries = [str(e["summary"]) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert any(consortium.call.title in s for s in summaries)
    # and in the events app's private feed, through the calendar registry (events never imports funding)
    events_token = calendar_token_rotate(actor=partner)
    body = client_for(partner).get(reverse("events:my_ics", args=[events_token.token])).content
    events = Calendar.from_ical(body).walk("VEVENT")
    mine = [e for e in events if consortium.call.title in str(e["summary"])]
    assert len(mine) == 1 and mine[0].decoded("dtstart") == consortium.call.deadline
    outsider_token = calendar_token_rotate(actor=_member())
    assert consortium.call.title not in client_for(partner).get(reverse("events:my_ics", args=[outsider_token.token])).content.decode()


def test_rgpd_export_and_erase():
    consortium, lead = _consortium()
    partner = _member()
    _join(consortium, partner, role="Médiation à Dole")
    services.support_request_create(call=consortium.call, consortium=consortium, actor=partner, kind="review", message="Relisez-nous svp")
    data = export_funding(partner)
    assert data["consortiums"][0]["role"] == "Médiation à Dole" and data["demandes_d_aide"][0]["message"] == "Relisez-nous svp"
    account_erase(user=partner)
    member = ConsortiumMember.objects.get(consortium=consortium, user=partner)
    assert member.status == "left" and member.role == "" and not SupportRequest.objects.exists()


def _fill_members(consortium, n):
    for _ in range(n):
        _join(consortium, _member())


def test_consortium_page_query_count_fixed_at_5_and_50_members(client_for, django_assert_max_num_queries):
    consortium, lead = _consortium()
    services.consortium_file_add(consortium=consortium, actor=lead, upload=SimpleUploadedFile("a.pdf", PDF))
    client = client_for(lead)
    _fill_members(consortium, 4)
    with django_assert_max_num_queries(60) as ctx:
        assert client.get(consortium.get_absolute_url()).status_code == 200
    small = len(ctx.captured_queries)
    _fill_members(consortium, 45)
    services.consortium_file_add(consortium=consortium, actor=lead, upload=SimpleUploadedFile("b.pdf", PDF))
    with django_assert_max_num_queries(small):
        assert client.get(consortium.get_absolute_url()).status_code == 200


def test_hub_list_query_count_fixed_at_5_and_50_consortia(staff_client, django_assert_max_num_queries):
    lead = _member()
    call = make_call()
    for i in range(5):
        _consortium(lead=lead, call=call, name=f"Projet {i}")
    with django_assert_max_num_queries(40) as ctx:
        staff_client.get("/financements/consortiums/bilan/")
    small = len(ctx.captured_queries)
    for i in range(45):
        _consortium(lead=lead, call=call, name=f"Projet bis {i}")
    with django_assert_max_num_queries(small):
        staff_client.get("/financements/consortiums/bilan/")


def test_task_list_reuses_follow_up_actions(client_for):
    consortium, lead = _consortium()
    partner, outsider = _member(), _member()
    _join(consortium, partner)
    origin = origin_resolve(viewer=lead, kind="funding.consortium", origin_id=consortium.pk)
    assert origin.can_manage and origin.container == f"consortium:{consortium.pk}"
    action_create(
        actor=lead, origin=origin, description="Rédiger le budget", owners=[partner], due_date=timezone.localdate() + timedelta(7)
    )
    page = client_for(partner).get(consortium.get_absolute_url()).content.decode()
    assert "Tâches du consortium" in page and "Rédiger le budget" in page
    assert origin_resolve(viewer=outsider, kind="funding.consortium", origin_id=consortium.pk) is None
    with pytest.raises(ValidationError):
        action_create(actor=lead, origin=origin, description="Intrus", owners=[outsider], due_date=None)
    assert "Rédiger le budget" not in client_for(outsider).get(consortium.get_absolute_url()).content.decode()
    assert client_for(outsider).get(f"/actions/tableau/consortium:{consortium.pk}/").status_code == 404


def test_help_request_tells_the_hub_staff_and_counts_on_their_dashboard(client_for, staff_client, staff):
    """A request reaches every active hub staff member (their preference for
    "funding.support_request" applies), names the call, not the person, and is counted on the
    staff dashboard and in the queue's tabs; members see no such panel."""
    from community.models import Delivery, NotificationPreference, OutboundEmail

    quiet = StaffFactory()
    NotificationPreference.objects.create(user=quiet, kind="funding.support_request", delivery=Delivery.OFF)
    gone = StaffFactory(is_active=False)
    call = make_call(title="Appel numérique solidaire")
    member = _member()
    member.profile.display_name = "Camille Requérante"
    member.profile.save()
    url = reverse("funding:call_support", args=[call.slug])
    assert client_for(member).post(url, {"kind": "letter", "message": "Mon association précise, mon contact perso."}).status_code == 302
    support = SupportRequest.objects.get()
    note = staff.notifications.get()
    assert "Appel numérique solidaire" in note.verb and "lettre de soutien" in note.verb
    assert note.data["url"] == reverse("funding:support_detail", args=[support.pk])
    assert not quiet.notifications.exists() and not gone.notifications.exists() and not member.notifications.exists()
    email = OutboundEmail.objects.get(recipient=staff)
    for private in ("Camille", "Requérante", member.email, "contact perso"):
        assert private not in email.subject + email.body_text + email.body_html + note.verb + note.description
    # the consortium route tells them as well
    consortium, lead = _consortium()
    client_for(lead).post(f"/financements/consortiums/{consortium.pk}/aide/", {"kind": "review", "message": "Une relecture svp."})
    assert staff.notifications.count() == 2
    # counted where staff look: their dashboard and the queue
    services.support_request_update(request=support, actor=staff, status="in_progress", assignee=staff)
    dashboard = staff_client.get("/tableau-de-bord/").content.decode()
    assert "1 nouvelle demande" in dashboard and "1 demande en cours" in dashboard
    queue = staff_client.get("/financements/aide/").content.decode()
    assert "Nouvelles (1)" in queue and "En cours (1)" in queue
    assert "Demandes d'aide au hub" not in client_for(member).get("/tableau-de-bord/").content.decode()
