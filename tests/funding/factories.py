"""Funding calls made the way staff make them: through ``services.call_create``."""

import itertools
from datetime import timedelta

from django.utils import timezone

from funding import services
from funding.models import codes_to_text

_seq = itertools.count(1)


def make_call(*, publish=True, themes=("inclusion_numerique",), beneficiaries=("association",), actor=None, **fields):
    n = next(_seq)
    data = {
        "title": f"Appel à projets numéro {n} {'xyz'[n % 3]}{n * 7919 % 1000}",
        "funders": f"Fondation {n}",
        "kind": "appel_a_projets",
        "description": "Texte de présentation de l’ppel.",
        "themes": codes_to_text(themes),
        "beneficiaries": codes_to_text(beneficiaries),
        "scope": "national",
        "deadline": timezone.localdate() + timedelta(days=30),
        "official_url": f"https://exemple.fr/appels/{n}",
    }
    data.update(fields)
    return services.call_create(data=data, actor=actor, publish=publish)
