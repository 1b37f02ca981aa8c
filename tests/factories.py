"""Factories for tests. State is set up the way users create it: through services where it matters."""

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from common.text import normalize
from community.models import Commune, MemberStatus, Metier, Organisation, OrganisationType, Profile, User

PASSWORD = "motdepasse-de-test-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"membre{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def profile_data(obj, create, extracted, **kwargs):
        """``UserFactory(profile_data={"status": "pending"})`` shapes the auto-created profile."""
        if not create:
            return
        data = {"display_name": f"{obj.first_name} {obj.last_name}", "status": MemberStatus.APPROVED}
        data.update(extracted or {})
        data["search_text"] = normalize(data["display_name"])  # what Profile.save keeps
        Profile.objects.filter(user=obj).update(**data)
        obj.profile.refresh_from_db()


class StaffFactory(UserFactory):
    """Hub staff: ``is_staff`` plus the "Équipe du hub" group (Wagtail access)."""

    is_staff = True

    @factory.post_generation
    def hub_team(obj, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            obj.groups.add(Group.objects.get(name="Équipe du hub"))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Centre social n°{n}")
    type = OrganisationType.CENTRE_SOCIAL

    @factory.lazy_attribute
    def commune(self):
        return Commune.objects.order_by("insee").first()


def member_with(**profile_fields) -> User:
    """An approved member whose profile has the given fields (``skills=[...]`` as names)."""
    from community.services import skills_from_text

    skills = profile_fields.pop("skills", None)
    user = UserFactory(profile_data={"metier": Metier.MEDIATEUR, **profile_fields})
    if skills:
        user.profile.skills.set(skills_from_text(", ".join(skills)))
    return user


def ws_headers(user=None, origin=b"http://testserver"):
    """Headers of a websocket handshake from our own site, logged in as ``user`` (a saved session);
    ``origin=None`` sends no Origin. Call it outside the event loop (it saves a session)."""
    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if user is not None:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "community.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()))
    return headers
