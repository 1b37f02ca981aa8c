"""The project form renderer (common.forms.FormRenderer, templates/forms/): every field rendered
through it gets its label, help text and errors linked to the widget, and a help text typed by a
member (an event question's help, say) is shown as text, never as markup."""

from django import forms
from django.utils.safestring import mark_safe

from common.forms import FormOnce


class _Form(forms.Form):
    name = forms.CharField(label="Nom", help_text="Prénom et nom")
    note = forms.CharField(label="Note", required=False, help_text='<img src=x onerror="alert(1)">')
    link = forms.CharField(label="Lien", required=False, help_text=mark_safe('Voir <a href="/aide/">l’aide</a>'))


def test_a_field_group_links_label_help_and_errors_to_the_widget():
    form = _Form(data={"name": ""})
    html = form["name"].as_field_group()
    assert '<label for="id_name">' in html
    assert '<div class="helptext" id="id_name_helptext">Prénom et nom</div>' in html
    assert '<ul class="errorlist" id="id_name_error">' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'aria-invalid="true"' in html


def test_the_whole_form_renders_every_field_as_a_group_in_a_field_div():
    html = str(_Form())
    assert html.count('<div class="field">') == 3
    assert 'aria-describedby="id_note_helptext"' in html


def test_a_plain_help_text_is_escaped_and_a_safe_one_keeps_its_markup():
    form = _Form()
    note = form["note"].as_field_group()
    assert "<img" not in note
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in note
    assert 'Voir <a href="/aide/">l’aide</a>' in form["link"].as_field_group()


def test_a_blank_reply_form_renders_once_per_language_and_a_filled_one_every_time(monkeypatch):
    from django.forms.utils import RenderableMixin
    from django.utils import translation

    from common import forms as common_forms
    from common.memo import Kept
    from groups.forms import PostForm

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    renders = []
    real = RenderableMixin.render

    def counted(self, *args, **kwargs):
        if not any(args) and not any(kwargs.values()):  # a whole form (labels render through the form with a template name)
            renders.append(type(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(RenderableMixin, "render", counted)
    with translation.override("fr"):
        first, second, third = str(PostForm()), PostForm().render(), PostForm().__html__()
        assert first == second == third and 'name="body"' in first and "Votre réponse" in first
        assert renders.count(PostForm) == 1
        quoted = str(PostForm(initial={"body": "> cité\n\n"}))
        bound = str(PostForm(data={"body": ""}))
        prefixed = str(PostForm(prefix="autre"))
        assert "&gt; cité" in quoted and "&gt; cité" not in first
        assert "errorlist" in bound and "errorlist" not in first
        assert 'name="autre-body"' in prefixed
        assert renders.count(PostForm) == 4  # each of these rendered afresh (the prefixed one kept for any prefix)
    with translation.override("en"):
        str(PostForm())
        str(PostForm())
    assert renders.count(PostForm) == 5  # once more for English, then from the memo
    assert set(common_forms._FORMS_ONCE.entries) == {
        (PostForm, None, "fr", "id_%s", (), (), False),
        (PostForm, None, "fr", "id_%s", (), (), True),
        (PostForm, None, "en", "id_%s", (), (), False),
    }


def test_a_blank_prefixed_form_renders_once_for_every_prefix(monkeypatch):
    """The comment form under each stream card: kept once, each card's prefix put in its names and
    ids; what cannot be kept (a bound form, a prefix that is not plain) renders afresh."""
    from django.forms.utils import RenderableMixin
    from django.utils import translation

    from common import forms as common_forms
    from common.memo import Kept
    from community.forms import ActivityCommentForm

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    renders = []
    real = RenderableMixin.render

    def counted(self, *args, **kwargs):
        if isinstance(self, forms.BaseForm) and not any(args) and not any(kwargs.values()):
            renders.append(self.prefix)
        return real(self, *args, **kwargs)

    with translation.override("fr"):
        fresh = {prefix: _fresh(ActivityCommentForm, prefix=prefix) for prefix in ("a12", "a7", "a1234")}
        monkeypatch.setattr(RenderableMixin, "render", counted)
        for prefix, html in [*fresh.items(), *fresh.items()]:
            assert str(ActivityCommentForm(prefix=prefix)) == html
            assert f'name="{prefix}-body"' in html and f'id="id_{prefix}-body"' in html and "__prefix__" not in html
        assert renders == ["__prefix__"]  # one render, by a copy prefixed with the mark
        bound = str(ActivityCommentForm(data={"a12-body": ""}, prefix="a12"))
        odd = str(ActivityCommentForm(prefix='a"1'))
        assert "errorlist" in bound and 'name="a12-body"' in bound
        assert 'name="a&quot;1-body"' in odd
        assert renders == ["__prefix__", "a12", 'a"1']  # rendered afresh, not kept
        assert len(common_forms._FORMS_ONCE.entries) == 1


def test_a_level_form_is_kept_per_level_and_shows_the_right_choice(monkeypatch):
    from django.utils import translation

    from common import forms as common_forms
    from common.memo import Kept
    from groups.forms import GroupLevelForm, LevelForm
    from groups.models import NotifyLevel

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    with translation.override("fr"):
        for level in (NotifyLevel.WATCHING, NotifyLevel.MUTED, NotifyLevel.WATCHING):
            kept = LevelForm(initial={"level": level}).field_group_once["level"]
            fresh = LevelForm(initial={"level": level})["level"].as_field_group()
            assert kept == fresh and f'value="{level}" selected' in kept
            group_kept = str(GroupLevelForm(initial={"level": level}, auto_id="group_%s"))
            group_fresh = GroupLevelForm(initial={"level": level}, auto_id="group_%s").render(template_name="forms/div.html")
            assert group_kept == group_fresh and 'id="group_level"' in group_kept
        assert len(common_forms._FORMS_ONCE.entries) == 4  # two levels × two forms, the third loop from the memo
        bound = LevelForm(data={"level": "nonsense"}).field_group_once["level"]
        assert "errorlist" in bound and len(common_forms._FORMS_ONCE.entries) == 4  # a bound form is never kept


def test_a_move_form_is_kept_per_list_of_targets(monkeypatch):
    """The moderators' "move to" select (one option per group they see) renders once per list."""
    from types import SimpleNamespace

    from django.utils import translation

    from common import forms as common_forms
    from common.memo import Kept
    from groups.forms import MoveForm

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    many = [SimpleNamespace(slug=f"groupe-{i}", name=f"Groupe <{i}>") for i in range(200)]
    with translation.override("fr"):
        for targets in (many, many[1:], many):
            kept = MoveForm(targets=targets).field_group_once["target"]
            assert kept == MoveForm(targets=targets)["target"].as_field_group()
            assert kept.count("<option") == len(targets) and "Groupe &lt;1&gt;" in kept
        assert len(common_forms._FORMS_ONCE.entries) == 2  # two lists, the third loop from the memo
        assert "groupe-0" not in MoveForm(targets=many[1:]).field_group_once["target"]


class _SearchForm(FormOnce, forms.Form):
    once_field_groups = True

    q = forms.CharField(label="Mots", required=False)
    themes = forms.MultipleChoiceField(
        label="Thèmes", required=False, choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    open_now = forms.BooleanField(label="Ouverts", required=False)
    amount = forms.IntegerField(label="Montant", required=False)
    since = forms.DateField(label="Depuis", required=False, initial=lambda: "2031-01-01")


def _fresh(form_class, *args, **kwargs):
    """The form's markup rendered through Django's templates, nothing kept (as with DEBUG on)."""
    from django.test import override_settings

    with override_settings(DEBUG=True):
        return str(form_class(*args, **kwargs))


def test_once_field_groups_keeps_blank_fields_of_a_bound_form_and_renders_what_was_filled(monkeypatch):
    from django.utils import translation

    from common import forms as common_forms
    from common.memo import Kept

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    searches = [
        {"q": "numérique"},
        {"themes": ["a"], "open_now": "on"},
        {"q": "autre"},  # after a search that checked boxes: none checked here
        {"amount": "abc"},  # an error: rendered afresh, with its message
        {},
        {"themes": ["zz"]},
    ]
    with translation.override("fr"):
        for data in searches * 2:
            assert str(_SearchForm(data)) == _fresh(_SearchForm, data)
        kept_fields = {key[1] for key in common_forms._FORMS_ONCE.entries}
        # the date's initial is a callable (may change): never kept; a filled or wrong field neither
        assert kept_fields == {"q", "themes", "open_now", "amount"}
        assert all(key[-2:] != ("bound", "numérique") for key in common_forms._FORMS_ONCE.entries)
        assert 'value="a" id="id_themes_0" checked' not in str(_SearchForm({"q": "x"}))
        assert 'value="a" id="id_themes_0" checked' in str(_SearchForm({"themes": ["a"]}))
        assert "errorlist" in str(_SearchForm({"amount": "abc"}))
    with translation.override("en"):
        assert str(_SearchForm({"q": "x"})) == _fresh(_SearchForm, {"q": "x"})
    assert {key[2] for key in common_forms._FORMS_ONCE.entries} == {"fr", "en"}
    assert str(_SearchForm({"q": "x"}, prefix="p")) == _fresh(_SearchForm, {"q": "x"}, prefix="p")
    before = len(common_forms._FORMS_ONCE.entries)
    str(_SearchForm({"q": "x"}, prefix="p"))
    assert len(common_forms._FORMS_ONCE.entries) == before  # a prefixed form is never kept


def test_once_field_groups_keeps_a_field_with_an_initial_value_only_when_named(monkeypatch):
    from django.utils import translation

    from common import forms as common_forms
    from common.memo import Kept

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    with translation.override("fr"):
        for name in ("une", "deux", "une"):
            assert str(_SearchForm(initial={"q": name})) == _fresh(_SearchForm, initial={"q": name})
            assert f'value="{name}"' in str(_SearchForm(initial={"q": name}))
    assert "q" not in {key[1] for key in common_forms._FORMS_ONCE.entries}


def test_once_field_groups_renders_a_blank_field_that_was_given_an_error(monkeypatch):
    """A service's error put on a blank field (``form_add_validation_error``) shows: a field with
    errors is never taken from, nor put into, the kept renders."""
    from django.utils import translation

    from common import forms as common_forms
    from common.memo import Kept

    monkeypatch.setattr(common_forms, "_FORMS_ONCE", Kept(limit=512))
    with translation.override("fr"):
        str(_SearchForm({"q": "x"}))
        form = _SearchForm({"q": "x"})
        form.add_error("amount", "Montant refusé par le service.")
        html = str(form)
        assert "Montant refusé par le service." in html and 'aria-invalid="true"' in html
        assert "Montant refusé" not in str(_SearchForm({"q": "x"}))
