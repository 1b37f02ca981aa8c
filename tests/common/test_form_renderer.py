"""The project form renderer (common.forms.FormRenderer, templates/forms/): every field rendered
through it gets its label, help text and errors linked to the widget, and a help text typed by a
member (an event question's help, say) is shown as text, never as markup."""

from django import forms
from django.utils.safestring import mark_safe


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
        assert renders.count(PostForm) == 4  # each of these rendered afresh
    with translation.override("en"):
        str(PostForm())
        str(PostForm())
    assert renders.count(PostForm) == 5  # once more for English, then from the memo
    assert set(common_forms._FORMS_ONCE.entries) == {(PostForm, None, "fr", "id_%s", (), ()), (PostForm, None, "en", "id_%s", (), ())}


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
