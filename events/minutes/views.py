"""Minutes pages: read, write (with the template), revisions, amendment round, publication, print, PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error
from common.ratelimit import rate_limited
from community.access import member_required

from ..models import Amendment, AmendmentStatus, Audience
from ..selectors import can_manage
from . import selectors, services
from .access import minutes_access, minutes_access_writer, participant_users
from .forms import AmendmentForm, DecisionForm, MinutesForm, PublishForm, RoundForm
from .pdf import minutes_pdf
from .text import section_titles, split_sections


def _page_context(request, access, **forms):
    minutes = access.minutes
    body = selectors.visible_body(minutes, full_text=access.full_text)
    titles = section_titles(minutes.body)
    amendments = selectors.amendment_list(minutes) if access.full_text and not minutes.is_published else []
    round_open = minutes.round_open
    context = {
        "event": access.event,
        "minutes": minutes,
        "access": access,
        "body": body,
        "round_open": round_open,
        "amendments": amendments,
        "waiting": sum(1 for a in amendments if a.is_proposal and a.status == AmendmentStatus.OPEN),
        "current_section": "agenda",
    }
    readers = selectors.minutes_readers(minutes) if access.full_text and not minutes.is_published else []
    context["readers"] = readers
    if access.can_amend and round_open:
        context["amend_form"] = forms.get("amend_form") or AmendmentForm(sections=titles)
        context["said_nothing_to_report"] = any(u.pk == request.user.pk for u in readers)
        context["has_contributed"] = any(a.author_id == request.user.pk for a in amendments)
    if access.can_write and not minutes.is_published:
        context["round_form"] = forms.get("round_form") or RoundForm()
        context["decision_form"] = DecisionForm()
        public = access.event.audience == Audience.PUBLIC
        context["publish_form"] = forms.get("publish_form") or PublishForm(
            sections=titles, public=public, initial={"public_sections": titles}
        )
    return context


def minutes_detail(request, slug):
    access = minutes_access(viewer=request.user, slug=slug)
    if access.minutes is None:
        return redirect("events:minutes_edit", slug=slug)
    return TemplateResponse(request, "events/minutes_detail.html", _page_context(request, access))


@member_required
@rate_limited("post")
def minutes_edit(request, slug):
    access = minutes_access_writer(viewer=request.user, slug=slug)
    event, minutes = access.event, access.minutes
    if minutes is not None and minutes.is_published:
        messages.info(request, _("Le compte rendu est publié : il ne peut plus être modifié."))
        return redirect(minutes.get_absolute_url())
    manager = can_manage(request.user, event)
    initial = {"body": minutes.body if minutes else selectors.minutes_template(viewer=request.user, event=event)}
    if minutes is not None:
        initial["secretary"] = minutes.secretary_id
    candidates = participant_users(event, minutes) if manager else None
    form = MinutesForm(request.POST or None, initial=initial, candidates=candidates, with_secretary=manager)
    if request.method == "POST" and form.is_valid():
        try:
            minutes = services.minutes_save(
                actor=request.user,
                event=event,
                body=form.cleaned_data["body"],
                secretary=form.cleaned_data.get("secretary"),
                set_secretary=manager,
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Compte rendu enregistré (version %(n)s).") % {"n": minutes.revision_count})
            return redirect(minutes.get_absolute_url())
    context = {"event": event, "minutes": minutes, "form": form, "current_section": "agenda"}
    return TemplateResponse(request, "events/minutes_form.html", context, status=400 if form.errors else 200)


def _reader(request, slug):
    access = minutes_access(viewer=request.user, slug=slug)
    if access.minutes is None or not access.full_text:
        raise Http404
    return access


def minutes_revisions(request, slug):
    access = _reader(request, slug)
    context = {"event": access.event, "minutes": access.minutes, "revisions": selectors.revision_list(access.minutes)}
    return TemplateResponse(request, "events/minutes_revisions.html", context)


def minutes_revision(request, slug, number):
    access = _reader(request, slug)
    revision = selectors.revision_get(minutes=access.minutes, number=number)
    context = {"event": access.event, "minutes": access.minutes, "revision": revision}
    return TemplateResponse(request, "events/minutes_revision.html", context)


@member_required
@require_POST
def minutes_round_open(request, slug):
    access = minutes_access_writer(viewer=request.user, slug=slug)
    if access.minutes is None:
        raise Http404
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_round_open(actor=request.user, minutes=access.minutes, deadline=form.cleaned_data["deadline"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Relecture ouverte : les participant·es sont prévenu·es."))
            return redirect(access.minutes.get_absolute_url())
    return TemplateResponse(request, "events/minutes_detail.html", _page_context(request, access, round_form=form), status=400)


@member_required
@require_POST
def minutes_round_close(request, slug):
    access = minutes_access_writer(viewer=request.user, slug=slug)
    if access.minutes is None:
        raise Http404
    services.minutes_round_close(actor=request.user, minutes=access.minutes)
    messages.success(request, _("Relecture close."))
    return redirect(access.minutes.get_absolute_url())


@member_required
@require_POST
@rate_limited("post")
def amendment_create(request, slug):
    access = minutes_access(viewer=request.user, slug=slug)
    if access.minutes is None or not access.can_amend:
        raise PermissionDenied
    form = AmendmentForm(request.POST, sections=section_titles(access.minutes.body))
    if form.is_valid():
        try:
            services.amendment_create(actor=request.user, minutes=access.minutes, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Merci : votre contribution est transmise au ou à la secrétaire."))
            return redirect(access.minutes.get_absolute_url() + "#relecture")
    return TemplateResponse(request, "events/minutes_detail.html", _page_context(request, access, amend_form=form), status=400)


@member_required
@require_POST
def minutes_nothing_to_report(request, slug):
    """« Rien à signaler »: a participant read the draft and has nothing to add, in one click."""
    access = minutes_access(viewer=request.user, slug=slug)
    if access.minutes is None or not access.can_amend:
        raise PermissionDenied
    try:
        services.minutes_nothing_to_report(actor=request.user, minutes=access.minutes)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Merci : « rien à signaler » est transmis au ou à la secrétaire."))
    return redirect(access.minutes.get_absolute_url() + "#relecture")


@member_required
@require_POST
def amendment_decide(request, slug, pk, decision):
    access = minutes_access_writer(viewer=request.user, slug=slug)
    if access.minutes is None or decision not in ("accepter", "refuser"):
        raise Http404
    amendment = get_object_or_404(Amendment, pk=pk, minutes=access.minutes)
    form = DecisionForm(request.POST)
    response = form.cleaned_data["response"] if form.is_valid() else ""
    try:
        services.amendment_decide(actor=request.user, amendment=amendment, accept=decision == "accepter", response=response)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(
            request, _("Proposition acceptée : le texte est mis à jour.") if decision == "accepter" else _("Proposition refusée.")
        )
    return redirect(access.minutes.get_absolute_url() + "#relecture")


@member_required
@require_POST
def minutes_publish(request, slug):
    access = minutes_access_writer(viewer=request.user, slug=slug)
    if access.minutes is None:
        raise Http404
    public = access.event.audience == Audience.PUBLIC
    form = PublishForm(request.POST, sections=section_titles(access.minutes.body), public=public)
    if form.is_valid():
        try:
            services.minutes_publish(actor=request.user, minutes=access.minutes, public_sections=form.cleaned_data.get("public_sections"))
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Compte rendu validé et publié : les participant·es sont prévenu·es."))
            return redirect(access.minutes.get_absolute_url())
    return TemplateResponse(request, "events/minutes_detail.html", _page_context(request, access, publish_form=form), status=400)


def minutes_print(request, slug):
    access = minutes_access(viewer=request.user, slug=slug)
    if access.minutes is None:
        raise Http404
    context = {
        "event": access.event,
        "minutes": access.minutes,
        "sections": split_sections(selectors.visible_body(access.minutes, full_text=access.full_text)),
        "actions": selectors.decided_actions(viewer=request.user, minutes=access.minutes) if access.full_text else [],
        "printed_at": timezone.now(),
    }
    return TemplateResponse(request, "events/minutes_print.html", context)


def minutes_pdf_download(request, slug):
    access = minutes_access(viewer=request.user, slug=slug)
    if access.minutes is None:
        raise Http404
    body = selectors.visible_body(access.minutes, full_text=access.full_text)
    actions = selectors.decided_actions(viewer=request.user, minutes=access.minutes) if access.full_text else []
    lines = [selectors.action_line(a) for a in actions]
    response = HttpResponse(minutes_pdf(event=access.event, body=body, actions=lines), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="compte-rendu-{access.event.slug}.pdf"'
    return response
