"""The sign-up form of an event: its questions, and the validation of answers against them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ..forms import signup_form_for
from ..models import Event, Question
from ..selectors import can_manage


def question_save(*, actor, event: Event, question: Question | None = None, **fields) -> Question:
    """Add or change a question of the organiser's own event; choice questions need choices."""
    if not can_manage(actor, event):
        raise PermissionDenied
    if question is None:
        position = (event.questions.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        question = Question(event=event, position=fields.pop("position", position))
    elif question.event_id != event.pk:
        raise PermissionDenied
    for name, value in fields.items():
        setattr(question, name, value)
    if question.kind in ("choice", "multi") and not question.choice_list:
        raise ValidationError({"choices": _("Indiquez au moins un choix (un par ligne).")})
    question.save()
    return question


def question_delete(*, actor, question: Question) -> None:
    """Remove a question from the organiser's own event (answers already given stay in registrations)."""
    if not can_manage(actor, question.event):
        raise PermissionDenied
    question.delete()


def answers_clean(*, event: Event, answers: dict) -> dict:
    """Validate raw answers against the event's form; raises ValidationError with field messages."""
    form = signup_form_for(event, data=answers, with_identity=False, with_guests=False)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form.cleaned_answers()
