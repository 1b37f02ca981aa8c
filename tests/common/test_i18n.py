"""``common.i18n.FlatTranslationCatalog``: the same answers as Django's catalog walk, in one lookup."""

import gettext

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from common.i18n import FlatTranslationCatalog


def _walk(catalogs, key, default=None):
    """Django's ``TranslationCatalog.get``: the first catalog holding the key wins."""
    for catalog in catalogs:
        if key in catalog:
            return catalog[key]
    return default


def _gnu(entries: dict, plural) -> gettext.GNUTranslations:
    trans = gettext.GNUTranslations()
    trans._catalog = dict(entries)
    trans.plural = plural
    return trans


def test_django_builds_its_translations_with_the_flat_catalog():
    assert trans_real.TranslationCatalog is FlatTranslationCatalog
    assert isinstance(trans_real.translation("fr")._catalog, FlatTranslationCatalog)
    assert isinstance(trans_real.translation("en")._catalog, FlatTranslationCatalog)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_key_of_every_catalog_reads_as_in_the_walk(language):
    catalog = trans_real.translation(language)._catalog
    assert len(catalog._catalogs) > 1  # the several dictionaries the flat index stands for
    keys = {key for part in catalog._catalogs for key in part}
    assert keys
    for key in keys:
        expected = _walk(catalog._catalogs, key)
        assert catalog.get(key) == expected
        assert catalog[key] == expected
        assert key in catalog
    missing = "Une phrase qu'aucun catalogue ne contient"
    assert catalog.get(missing) is None
    assert catalog.get(missing, "défaut") == "défaut"
    assert missing not in catalog
    with pytest.raises(KeyError):
        catalog[missing]


def test_a_later_file_wins_and_plural_rules_stay_per_catalog():
    one_rule = lambda n: int(n != 1)  # noqa: E731
    other_rule = lambda n: int(n > 1)  # noqa: E731
    catalog = FlatTranslationCatalog(_gnu({"Groupe": "Groupe A", ("fichier", 0): "A0", ("fichier", 1): "A1"}, one_rule))
    assert catalog.get("Groupe") == "Groupe A"  # index built before the update below
    catalog.update(_gnu({"Groupe": "Groupe B", "Sujet": "Sujet B", ("fichier", 0): "B0", ("fichier", 1): "B1"}, other_rule))
    assert catalog.get("Groupe") == "Groupe B"  # the index follows the update
    assert catalog.get("Sujet") == "Sujet B"
    assert catalog.plural("fichier", 0) == "B0"  # other_rule(0) == 0
    assert catalog.plural("fichier", 2) == "B1"
    catalog["Groupe"] = "Groupe C"
    assert catalog["Groupe"] == "Groupe C"


def test_gettext_answers_through_the_flat_catalog():
    with translation.override("fr"):
        walked = _walk(trans_real.translation("fr")._catalog._catalogs, "This field is required.")
        assert walked and walked != "This field is required."
        assert translation.gettext("This field is required.") == walked
        assert translation.gettext("Une phrase qu'aucun catalogue ne contient") == "Une phrase qu'aucun catalogue ne contient"
