"""Place data for tests, created through ``places.services``."""

import itertools

from places.services import place_create

_counter = itertools.count(1)

# Valid SIRETs (Luhn) to cycle through.
SIRETS = ["21210231500018", "21250056500016", "21390198200016", "73282932000074", "35621845100017"]


def place_data(**overrides) -> dict:
    n = next(_counter)
    data = {
        "pivot": SIRETS[n % len(SIRETS)],
        "nom": f"Espace numérique n°{n}",
        "adresse": f"{n} rue de la Liberté",
        "code_postal": "21000",
        "commune": "Dijon",
        "code_insee": "21231",
        "latitude": 47.32 + n / 10000,
        "longitude": 5.04 + n / 10000,
        "services": ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"],
        "frais_a_charge": ["Gratuit"],
        "horaires": "Mo-Fr 09:00-12:00,14:00-17:00",
        "telephone": "03 80 00 00 00",
        "courriels": "contact@exemple.fr",
        "presentation_resume": "Accompagnement au numérique pour toutes et tous.",
    }
    data.update(overrides)
    return data


def _staff():
    """One staff account creates the places of a test (creating one per place is slow)."""
    from community.models import User
    from tests.factories import StaffFactory

    return User.objects.filter(email="lieux-equipe@exemple.fr").first() or StaffFactory(email="lieux-equipe@exemple.fr")


def make_place(manager=None, *, publish=True, **overrides):
    """A published place (created by staff through the service), ``manager`` its manager."""
    if manager is None or (publish and not manager.is_hub_staff):
        place = place_create(actor=_staff(), data=place_data(**overrides), publish=publish)
        if manager is not None:
            place.managers.set([manager])
        return place
    return place_create(actor=manager, data=place_data(**overrides), publish=publish)
