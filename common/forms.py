"""Forms: the project form renderer and the one way to show a service's ``ValidationError``.

Services raise ``ValidationError`` (with a dict of field messages, or plain messages); views show
them either on the form they came from or as flash messages. These helpers are the only place
that knows how to unpack one.
"""

import copy
import re
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES
from django.forms import BoundField, ClearableFileInput, FileField, ModelForm, Textarea
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .memo import Kept
from .uploads import ATTACHMENT_ACCEPT


class FormRenderer(TemplatesSetting):
    """Every ``{{ form }}`` and ``{{ field.as_field_group }}`` renders through ``templates/forms/``:
    label, help text (linked with ``aria-describedby``), errors and widget, the same everywhere."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


_FORMS_ONCE = Kept(limit=512)
# A prefixed form (one per card: ``a12-body``) is rendered once with Django's own stand-in for a
# prefix (a formset's empty form uses it), replaced by the form's prefix at each use.
_PREFIX_MARK = "__prefix__"
_PLAIN_PREFIX = re.compile(r"[A-Za-z0-9_-]+\Z")


class _KeptBoundField(BoundField):
    """A field of a ``FormOnce`` form: its group kept under ``_field_once_key`` when there is one."""

    def as_field_group(self):
        return _FORMS_ONCE.get(self.form._field_once_key(self), super().as_field_group)


class FormOnce:
    """For a form shown on every page of a kind whose markup depends only on the language and on a
    few initial values taken among fixed choices (the reply form under each topic, blank; the
    notification level, by level): it is rendered once per language, values and process (~1–2 ms
    of CPU a page), whole (``{{ form }}``) or a field group at a time
    (``{{ form.field_group_once.level }}``). ``once_initial`` names the initial values a render may
    be kept for; other initial values, bound forms and other templates render as usual, and with
    ``DEBUG`` on (templates reloaded while editing) nothing is kept. A blank form with a plain
    prefix (the comment form under each stream card) is kept once for every prefix, its prefix put
    in at each use. A form class takes
    this mixin only when nothing else changes its markup, or names what does in ``once_vary``
    (choices read from the database: ``choices_key``)."""

    once_initial: tuple[str, ...] = ()
    # Also keep each field's group wherever the form renders it (``{{ form }}`` of a bound form
    # included): a search form's fields left blank render the same on every search.
    once_field_groups: bool = False
    bound_field_class = _KeptBoundField

    def once_vary(self) -> tuple:
        """What else the markup depends on (hashable); part of the key."""
        return ()

    def _field_once_key(self, field: BoundField) -> tuple | None:
        """The key of a field's group (``once_field_groups``): everything its markup depends on
        besides the form's class — language, ids, the field's initial value, ``once_vary`` and,
        in a bound form, its value. A bound field is kept only while blank (``None``, ``""``,
        ``False``, no choice) and without errors: what a member typed renders every time."""
        name = field.name
        if not self.once_field_groups or self.prefix or field.field.show_hidden_initial or callable(field.field.initial):
            return None
        if name in self.initial and name not in self.once_initial:
            return None
        key = (type(self), name, get_language(), self.auto_id, self.initial.get(name), self.once_vary())
        if not self.is_bound:
            return key
        value = field.value()
        if field.errors or not (value is None or value is False or value == "" or value == [] or value == ()):
            return None
        return (*key, "bound", value if not isinstance(value, list) else ())

    def _once_key(self, part: str | None) -> tuple | None:
        if self.is_bound or not set(self.initial) <= set(self.once_initial):
            return None
        if self.prefix and (not _PLAIN_PREFIX.match(self.prefix) or any(_PREFIX_MARK in str(v) for v in self.initial.values())):
            return None
        initial = tuple(sorted(self.initial.items()))
        return (type(self), part, get_language(), self.auto_id, initial, self.once_vary(), bool(self.prefix))

    def _kept(self, part: str | None, build: Callable[["FormOnce"], str]) -> str:
        """``build(form)`` kept under the key of ``part`` (``None``: the whole form); a prefixed
        form's is built by a copy of it prefixed with the mark, then given its own prefix."""
        key = self._once_key(part)
        if key is None or not self.prefix:
            return _FORMS_ONCE.get(key, lambda: build(self))
        marked = _FORMS_ONCE.get(key, lambda: build(self._marked()))
        return SafeString(marked.replace(_PREFIX_MARK, self.prefix))

    def _marked(self) -> "FormOnce":
        twin = copy.copy(self)
        twin.prefix, twin._bound_fields_cache = _PREFIX_MARK, {}
        return twin

    def render(self, template_name=None, context=None, renderer=None):
        if template_name or context or renderer:
            return super().render(template_name, context, renderer)
        return self._kept(None, lambda form: super().render())

    __str__ = render  # Django's forms bind these to their own ``render``
    __html__ = render

    @property
    def field_group_once(self) -> "_FieldGroupsOnce":
        return _FieldGroupsOnce(self)


def choices_key(choices) -> tuple:
    """A field's choices as plain strings (lazy labels resolved, option groups as tuples), for
    ``FormOnce.once_vary``."""
    return tuple((str(value), choices_key(label) if isinstance(label, (list, tuple)) else str(label)) for value, label in choices)


class _FieldGroupsOnce:
    """``form.field_group_once[name]``: the field's ``as_field_group()`` through ``FormOnce``."""

    def __init__(self, form: "FormOnce"):
        self.form = form

    def __getitem__(self, name: str) -> SafeString:
        return self.form._kept(name, lambda form: form[name].as_field_group())


class FoldedCriteria:
    """A search form shown as its keywords, then its other criteria under « Plus de critères »
    (``details.filters-fold``: folded on phones, opened on wide screens by ``static/js/nav.js``),
    the funding search's and the directory's. The fold starts open once a criterion in it is set,
    so a search never hides what it was filtered by."""

    keyword_fields: tuple[str, ...] = ("q",)

    @property
    def more_criteria_used(self) -> bool:
        """A criterion of the fold is set: changed from its initial value (``changed_data``) to a
        value that is not blank. A select without a blank choice (a sort, a display) names its
        default as the field's ``initial``: a search sent as the page showed it opens nothing, nor
        does a link that leaves the field out. Keywords and hidden fields are not in the fold."""
        if not self.is_bound:
            return False
        return any(
            name not in self.keyword_fields and not self[name].is_hidden and self[name].value() not in EMPTY_VALUES
            for name in self.changed_data
        )

    def keyword_field_list(self) -> list[BoundField]:
        """The fields shown before the fold."""
        return [field for field in self.visible_fields() if field.name in self.keyword_fields]

    def folded_fields(self) -> list[BoundField]:
        """The visible fields inside the fold, in the form's order."""
        return [field for field in self.visible_fields() if field.name not in self.keyword_fields]


def validation_messages(exc: ValidationError) -> list[str]:
    """The messages of a ``ValidationError``, field messages included, in order."""
    if hasattr(exc, "error_dict"):
        return [message for messages_ in exc.message_dict.values() for message in messages_]
    return list(exc.messages)


def validation_text(exc: ValidationError) -> str:
    """The messages of a ``ValidationError`` as one sentence (for a flash message or a 400 body)."""
    return " ".join(validation_messages(exc))


def form_add_validation_error(form, exc: ValidationError) -> None:
    """Attach a service's error to the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def messages_add_validation_error(request, exc: ValidationError) -> None:
    """One flash message per message of the error (for views without a form to show it on)."""
    for message in validation_messages(exc):
        messages.error(request, message)


class ServiceModelForm(ModelForm):
    """A ModelForm that only collects and cleans fields: the app's service validates the model and
    saves it (one place for the rule), so the form skips ModelForm's instance validation."""

    def _post_clean(self):
        pass


class MarkdownTextarea(Textarea):
    """A textarea for member text in Markdown: ``static/js/markdown-editor.js`` adds a small toolbar
    (bold, italic, link, list, quote) and a preview rendered by the server's own sanitiser; without
    JavaScript it is a plain textarea."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 6, "data-markdown": "", **(attrs or {})})


class MultipleFileInput(ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(FileField):
    """Several files in one field (attachments to a post or a message): cleans to a list, empty
    when nothing was chosen. The picker offers images and PDF; ``common.uploads`` judges them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []
