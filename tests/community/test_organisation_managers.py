"""Co-managers of an organisation: members see who manages it; its managers and staff add a
member of the organisation (or any member, by e-mail) and remove one, never the last one unless
staff; the added member is notified."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community import services
from community.models import OutboundEmail
from tests.factories import StaffFactory, UserFactory, member_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator():
    return member_with(display_name="Alix Créatrice")


@pytest.fixture
def org(creator):
    return services.organisation_create(actor=creator, name="Médiathèque de Gray", type="mediatheque")


def _edit(org):
    return reverse("community:organisation_edit", args=[org.slug])


def _add(org):
    return reverse("community:organisation_manager_add", args=[org.slug])


def _remove(org, user):
    return reverse("community:organisation_manager_remove", args=[org.slug, user.pk])


def test_members_see_who_manages_an_organisation(client_for, org, creator):
    hidden = member_with(display_name="Camille Discrète", in_directory=False)
    org.managers.add(hidden)
    page = client_for(member_with()).get(org.get_absolute_url()).content.decode()
    assert "Gestionnaires" in page and "Alix Créatrice" in page and creator.profile.get_absolute_url() in page
    assert "Camille Discrète" not in page  # not listed in the directory: not named to other members
    assert _remove(org, creator) not in page and _add(org) not in page  # nothing to change from here
    # its managers (and staff) see them all, with the forms, on the edit page
    edit = client_for(creator).get(_edit(org)).content.decode()
    assert "Camille Discrète" in edit and _add(org) in edit and _remove(org, hidden) in edit
    assert "Camille Discrète" in client_for(StaffFactory()).get(_edit(org)).content.decode()


def test_manager_adds_a_member_of_the_organisation_who_is_notified(client_for, org, creator):
    colleague = member_with(display_name="Bruno Collègue", organisation=org)
    other = member_with(display_name="Dana Ailleurs")
    edit = client_for(creator).get(_edit(org)).content.decode()
    assert ">Bruno Collègue</option>" in edit and "Dana Ailleurs" not in edit  # choices: its own members
    response = client_for(creator).post(_add(org), {"member": colleague.pk})
    assert response.status_code == 302 and response["Location"].endswith("#gestionnaires")
    assert set(org.managers.all()) == {creator, colleague}
    note = colleague.notifications.get()
    assert "Médiathèque de Gray" in note.verb and note.data["url"] == _edit(org)
    assert OutboundEmail.objects.filter(recipient=colleague).count() == 1  # "instant" by default
    # the new co-manager may now edit it; adding them again sends nothing more
    assert client_for(colleague).get(_edit(org)).status_code == 200
    assert services.organisation_manager_add(actor=creator, organisation=org, user=colleague) is False
    assert colleague.notifications.count() == 1
    # any member of the network, by the e-mail of their account (case-free)
    assert client_for(colleague).post(_add(org), {"email": other.email.upper()}).status_code == 302
    assert other in org.managers.all() and other.notifications.count() == 1


def test_add_refuses_unknown_addresses_pending_accounts_and_outsiders(client_for, org, creator):
    pending = UserFactory(profile_data={"status": "pending"})
    for data, error in [
        ({"email": "personne@exemple.fr"}, "Aucun membre du réseau"),
        ({"email": pending.email}, "Aucun membre du réseau"),
        ({}, "ou donnez une adresse e-mail"),
        ({"member": member_with().pk}, "Sélectionnez un choix valide"),  # not one of its members
    ]:
        response = client_for(creator).post(_add(org), data)
        assert response.status_code == 400 and error in response.content.decode()
    assert list(org.managers.all()) == [creator]
    outsider = member_with(organisation=org)  # a member of the organisation is not its manager
    assert client_for(outsider).post(_add(org), {"member": outsider.pk}).status_code == 403
    assert client_for(outsider).post(_remove(org, creator)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.organisation_manager_add(actor=outsider, organisation=org, user=outsider)
    with pytest.raises(ValidationError):
        services.organisation_manager_add(actor=creator, organisation=org, user=pending)
    assert list(org.managers.all()) == [creator]


def test_remove_never_the_last_manager_unless_staff(client_for, org, creator):
    page = client_for(creator).get(_edit(org)).content.decode()
    assert _remove(org, creator) not in page and "garde au moins un·e gestionnaire" in page
    response = client_for(creator).post(_remove(org, creator), follow=True)
    assert "garde au moins un·e gestionnaire" in response.content.decode()
    assert list(org.managers.all()) == [creator]
    colleague = member_with(organisation=org)
    services.organisation_manager_add(actor=creator, organisation=org, user=colleague)
    # a co-manager removes another, or leaves (then lands on the organisation's page)
    assert client_for(colleague).post(_remove(org, creator)).status_code == 302
    assert list(org.managers.all()) == [colleague]
    with pytest.raises(PermissionDenied):
        services.organisation_manager_remove(actor=creator, organisation=org, user=colleague)
    with pytest.raises(ValidationError):
        services.organisation_manager_remove(actor=colleague, organisation=org, user=colleague)
    # staff may remove the last one: the organisation stays editable by staff
    staff = StaffFactory()
    assert _remove(org, colleague) in client_for(staff).get(_edit(org)).content.decode()
    assert client_for(staff).post(_remove(org, colleague)).status_code == 302
    assert not org.managers.exists()
    assert client_for(colleague).get(_edit(org)).status_code == 403
    # removing someone who does not manage it: 404
    assert client_for(staff).post(_remove(org, colleague)).status_code == 404
