"""The French catalogue check (``make checks``) and the scan of template text outside gettext."""

import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ops import checks, translations
from ops.translations import (
    _source_fill,
    catalogue_check,
    catalogue_path,
    catalogues_update,
    gettext_available,
    template_texts,
    template_untranslated_new,
)


def texts(source: str) -> list[str]:
    return [text for _line, text in template_texts(source)]


def test_plain_text_outside_gettext_is_found():
    assert texts("{% load i18n %}<h1>Mes lieux</h1><p>{% translate 'Bonjour' %}</p>") == ["Mes lieux"]


def test_translated_text_and_variables_are_not_found():
    source = """{% load i18n %}
    <p>{% translate "Mes lieux" %} · {{ place.nom }} ({{ count }} €)</p>
    {% blocktranslate count counter=n %}{{ counter }} lieu trouvé{% plural %}{{ counter }} lieux{% endblocktranslate %}
    {% comment %}Texte de commentaire{% endcomment %}{# autre commentaire #}
    <script>const message = "Bonjour";</script><style>p::after { content: "Texte"; }</style>
    <code>titre;financeurs;description</code>"""
    assert texts(source) == []


def test_attributes_people_read_are_scanned():
    source = (
        '<img alt="Carte des lieux" src="x.png"><input type="submit" value="Envoyer">'
        '<input type="text" value="valeur saisie" placeholder="{% translate "Rechercher" %}">'
        '<a title="Voir la fiche" href="/lieux/" class="button button-small">x</a>'
    )
    assert texts(source) == ["Carte des lieux", "Envoyer", "Voir la fiche"]


def test_line_numbers_and_neutral_words():
    source = "{% load i18n %}\n<p>{% translate 'Export' %}</p>\n<p>CSV · JSON · GeoJSON</p>\n<p>Maillage</p>\n<p>Horaires</p>"
    assert list(template_texts(source)) == [(5, "Horaires")]


def test_identifiers_are_not_language():
    assert texts("{% block body_class %}certificate-page{% endblock %}") == []


def test_plain_text_email_templates_are_scanned(tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "hello.txt").write_text("{% load i18n %}Bonjour {{ name }},\n{% translate 'Merci' %}\n")
    new, unused = template_untranslated_new([tmp_path], allowed=set())
    assert [(item.template, item.line, item.text) for item in new] == [("emails/hello.txt", 1, "Bonjour ,")]
    assert unused == set()


def test_allowlist_covers_a_text_or_a_whole_template_and_reports_unused_lines(tmp_path):
    (tmp_path / "a.html").write_text("<p>Texte un</p><p>Texte deux</p>")
    (tmp_path / "b.html").write_text("<p>Autre texte</p>")
    allowed = {"a.html: Texte un", "b.html", "c.html", "a.html: Texte disparu"}
    new, unused = template_untranslated_new([tmp_path], allowed=allowed)
    assert [item.text for item in new] == ["Texte deux"]
    assert unused == {"c.html", "a.html: Texte disparu"}


def test_the_project_templates_show_no_new_text_outside_gettext():
    """The tree as it is: every template translated, or still listed in the allow-list backlog."""
    new, _unused = template_untranslated_new()
    assert [item.allowlist_key() for item in new] == []


def test_system_check_warns_on_new_untranslated_text(settings, tmp_path):
    (tmp_path / "nouveau.html").write_text("<h1>Titre oublié</h1>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    settings.BASE_DIR = tmp_path
    warnings = checks.templates_translated(None)
    assert [warning.id for warning in warnings] == ["ops.W001"]
    assert "nouveau.html:1" in warnings[0].msg and "Titre oublié" in warnings[0].msg


def test_source_fill_gives_french_entries_their_msgid_and_keeps_revisions(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        textwrap.dedent(
            """\
            msgid ""
            msgstr ""
            "Plural-Forms: nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\\n"

            msgid "Nouveau"
            msgstr ""

            msgid "Revu"
            msgstr "Revu et corrigé"

            msgid ""
            "Long "
            "texte"
            msgstr ""

            msgid "%(n)s lieu"
            msgid_plural "%(n)s lieux"
            msgstr[0] ""
            msgstr[1] ""

            msgid "%(n)s membre"
            msgid_plural "%(n)s membres"
            msgstr[0] "%(n)s membre"
            msgstr[1] "%(n)s membres"
            """
        )
    )
    _source_fill(po)
    text = po.read_text()
    assert 'msgid "Nouveau"\nmsgstr "Nouveau"' in text
    assert 'msgstr "Revu et corrigé"' in text
    assert 'msgstr ""\n"Long "\n"texte"' in text
    assert 'msgstr[0] "%(n)s lieu"\nmsgstr[1] "%(n)s lieux"\nmsgstr[2] "%(n)s lieux"' in text
    assert 'msgstr[1] "%(n)s membres"\nmsgstr[2] "%(n)s membres"' in text


MANAGE = """\
import sys
from pathlib import Path

import django
from django.conf import settings

BASE = Path(__file__).resolve().parent
settings.configure(USE_I18N=True, LANGUAGE_CODE="fr", LOCALE_PATHS=[BASE / "locale"], INSTALLED_APPS=[],
                   TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE / "templates"]}])
django.setup()
from django.core.management import execute_from_command_line  # noqa: E402

execute_from_command_line(sys.argv)
"""


@pytest.mark.skipif(not gettext_available(), reason="GNU gettext is not installed")
def test_catalogue_check_fails_on_a_msgid_missing_from_the_french_catalogue(tmp_path):
    (tmp_path / "manage.py").write_text(MANAGE)
    for locale in translations.LOCALES:
        catalogue_path(tmp_path, locale).parent.mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{% load i18n %}<p>{% translate 'Bonjour' %}</p>")
    (tmp_path / "views.py").write_text("from django.utils.translation import gettext as _, ngettext\n_('Un lieu')\n")
    catalogues_update(tmp_path)
    report = catalogue_check(tmp_path)
    assert report.ok and report.english_total == 2 and report.english_untranslated == 2
    assert 'msgid "Bonjour"\nmsgstr "Bonjour"' in catalogue_path(tmp_path, "fr").read_text()

    (tmp_path / "views.py").write_text(
        "from django.utils.translation import gettext as _, ngettext\n_('Un lieu')\n_('Nouvelle page')\nngettext('%(n)s place', '%(n)s places', 2)\n"
    )
    report = catalogue_check(tmp_path)
    assert not report.ok
    assert report.missing == ["%(n)s place", "Nouvelle page"]
    assert report.stale == [] and report.untranslated == []
    assert "Nouvelle page" not in catalogue_path(tmp_path, "fr").read_text()  # the check writes nothing

    catalogues_update(tmp_path)  # `make messages`
    assert catalogue_check(tmp_path).ok


@pytest.mark.skipif(not gettext_available(), reason="GNU gettext is not installed")
def test_catalogue_check_fails_on_an_empty_french_entry(tmp_path, settings):
    (tmp_path / "manage.py").write_text(MANAGE)
    catalogue_path(tmp_path, "fr").parent.mkdir(parents=True)
    catalogue_path(tmp_path, "en").parent.mkdir(parents=True)
    (tmp_path / "views.py").write_text("from django.utils.translation import gettext as _\n_('Un lieu')\n")
    catalogues_update(tmp_path)
    french = catalogue_path(tmp_path, "fr")
    french.write_text(french.read_text().replace('msgstr "Un lieu"', 'msgstr ""'))
    assert catalogue_check(tmp_path).untranslated == ["Un lieu"]
    settings.BASE_DIR = tmp_path
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]
    with pytest.raises(CommandError, match="1 translation problem"):
        call_command("messages", check=True)
