"""Orientation pages: thin views over ``selectors``, ``services`` and ``access``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error
from community.access import member_required
from places.access import place_get_for_viewer

from . import selectors, services
from .access import can_answer, referral_get_for_receiver, referral_get_for_viewer
from .forms import AnswerForm, ReferralForm


def _section(context: dict) -> dict:
    return {"current_section": "lieux", **context}


@member_required
def referral_list(request):
    """The member's referrals: received (to answer) and sent (their status)."""
    context = {
        "received": selectors.referral_list_received(viewer=request.user)[:100],
        "sent": selectors.referral_list_sent(viewer=request.user)[:100],
    }
    return TemplateResponse(request, "orientation/referral_list.html", _section(context))


@member_required
def referral_create(request, place_pk):
    """A member fills a "fiche d'orientation" to a published place (or a named member of its team)."""
    place = place_get_for_viewer(viewer=request.user, pk=place_pk)
    initial = {"need": request.GET.get("besoin", "")}
    form = ReferralForm(request.POST or None, initial=initial, recipients=selectors.place_recipients(place=place))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            referral = services.referral_create(actor=request.user, place=place, recipient=data.pop("recipient"), data=data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("La fiche d'orientation est envoyée. Vous serez prévenu·e de la réponse du lieu."))
            return redirect(referral)
    return TemplateResponse(request, "orientation/referral_form.html", _section({"form": form, "place": place}))


@member_required
def referral_detail(request, pk):
    """A referral, for its sender, its recipient and the place's managers only (404 otherwise)."""
    referral = referral_get_for_viewer(viewer=request.user, pk=pk)
    answering = can_answer(request.user, referral) and referral.is_open
    context = {"referral": referral, "answer_form": AnswerForm(referral=referral) if answering else None}
    return TemplateResponse(request, "orientation/referral_detail.html", _section(context))


@require_POST
@member_required
def referral_answer(request, pk):
    referral = referral_get_for_receiver(viewer=request.user, pk=pk)
    form = AnswerForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            services.referral_answer(
                actor=request.user,
                referral=referral,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
                redirected_to=form.cleaned_data["redirected_to"],
            )
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            messages.success(request, _("Votre réponse est enregistrée ; le prescripteur est prévenu."))
    else:
        messages.error(request, _("Choisissez une réponse."))
    return redirect(referral)
