"""Text normalisation for accent- and case-insensitive search on every database.

``normalize("Médiathèque Œuvre")`` is ``"mediatheque oeuvre"``. Searchable models keep a
``search_text`` column filled with ``normalize`` of their searchable fields (by the service that
writes them) and selectors filter it with ``search_filter``: the same rule on SQLite and on
PostgreSQL, where a trigram index makes ``contains`` fast.
"""

import re
import unicodedata

from django.db.models import Q

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "’": "'", "ø": "o", "ł": "l", "đ": "d"})
_SPACES = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """Lower case, without accents or ligatures, single spaces."""
    if not text:
        return ""
    lowered = str(text).lower().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def search_terms(query: str | None, *, limit: int = 8) -> list[str]:
    """The normalised words of a search box (at most ``limit``)."""
    return [word for word in normalize(query).split(" ") if word][:limit]


def search_filter(query: str | None, *, field: str = "search_text") -> Q:
    """A ``Q`` matching rows whose ``field`` holds every word of ``query`` (empty query: all)."""
    condition = Q()
    for word in search_terms(query):
        condition &= Q(**{f"{field}__contains": word})
    return condition


_ELIDING = frozenset("aeiouyàâäéèêëîïôöùûüœæ")


def of_place(name: str) -> str:
    """« de » before a place name as French writes it: « de Dole », « d'Arbois », « d'Épinal »,
    « du Creusot », « des Rousses », « de La Charité-sur-Loire ». Elision before a vowel only: a
    name starting with h may take it or not (Héricourt, Le Havre), so it keeps « de »."""
    name = (name or "").strip()
    head, _space, rest = name.partition(" ")
    if rest and head in ("Le", "Les"):
        return f"{'du' if head == 'Le' else 'des'} {rest}"
    if name[:1].lower() in _ELIDING:
        return f"d'{name}"
    return f"de {name}"
