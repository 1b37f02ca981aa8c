"""Agenda pages: thin views over ``selectors`` (reads) and ``services`` (writes).

Every page that takes a slug goes through ``event_get_for_viewer`` (hidden = 404) and every
management page through ``event_get_managed`` (visible but not yours = 403).
"""

import io
from datetime import date, timedelta

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.exports import csv_response, xlsx_response
from common.forms import form_add_validation_error, messages_add_validation_error, validation_text
from common.pdf import duration_text
from common.ratelimit import rate_limited
from common.registry import registry
from community.access import member_required, staff_required
from community.models import is_approved_member
from community.selectors import user_get_by_email
from groups.access import group_get_for_viewer, groups_visible_to
from places import conf as places_conf

from . import selectors, services
from .forms import (
    AgendaFilterForm,
    AgendaSettingsForm,
    BreakoutForm,
    CancelForm,
    CheckInForm,
    EventForm,
    FeedUrlForm,
    GroupAgendaPolicyForm,
    IntentionForm,
    NoteForm,
    ProposalDecisionForm,
    ProposalForm,
    QuestionForm,
    RegistrationSearchForm,
    RestitutionForm,
    ReviewForm,
    SeriesForm,
    SessionTimerForm,
    StaffAddForm,
    signup_form_for,
)
from .ics import build_calendar
from .minutes.access import minutes_for_event_page
from .models import (
    SEAT_HOLDING,
    AgendaSettings,
    Breakout,
    CalendarToken,
    EventState,
    EventType,
    GroupAgendaPolicy,
    Proposal,
    Question,
    Registration,
    RegistrationStatus,
)
from .pdf import certificate_pdf as certificate_pdf_bytes

# --- agenda ------------------------------------------------------------------------------------
# Upcoming events per page of the list view (a page of 100 cards cost 45 ms of CPU to render).
AGENDA_PAGE_SIZE = 30


def agenda(request):
    """List (upcoming), month or week view; visitors see the public agenda."""
    groups = list(groups_visible_to(request.user).values_list("slug", "name")) if request.user.is_authenticated else []
    form = AgendaFilterForm(request.GET or None, groups=groups)
    filters = form.cleaned_data if form.is_valid() else {}
    view = request.GET.get("vue", "liste")
    today = timezone.localdate()
    context = {"form": form, "view": view, "current_section": "agenda", "today": today}
    if view == "mois":
        try:
            year, month = int(request.GET.get("annee", today.year)), int(request.GET.get("mois", today.month))
            context.update(selectors.agenda_month(viewer=request.user, filters=filters, year=year, month=month))
        except ValueError as exc:
            raise Http404 from exc
    elif view == "semaine":
        try:
            anchor = date.fromisoformat(request.GET.get("date", today.isoformat()))
        except ValueError as exc:
            raise Http404 from exc
        context.update(selectors.agenda_week(viewer=request.user, filters=filters, anchor=anchor))
    else:
        context["view"] = "liste"
        now = timezone.now()
        upcoming = selectors.agenda_list_grouped(viewer=request.user, filters=filters, start=now)
        page = Paginator(upcoming, AGENDA_PAGE_SIZE).get_page(request.GET.get("page"))
        events = list(page.object_list)
        selectors.agenda_series_dates(viewer=request.user, filters=filters, start=now, events=events)
        context.update(cards=selectors.event_cards(events), page=page)
    template = "events/_agenda_results.html" if request.htmx else "events/agenda.html"
    return TemplateResponse(request, template, context)


def _venue(event) -> dict | None:
    """Where the venue map centres: the commune's position (events have no finer one)."""
    commune = event.commune
    if event.format == "online" or commune is None or commune.latitude is None or commune.longitude is None:
        return None
    return {
        "lat": commune.latitude,
        "lon": commune.longitude,
        "name": commune.name,
        "tile_url": places_conf.tile_url(),
        "attribution": places_conf.tile_attribution(),
    }


def past(request):
    events = list(selectors.event_list_past_with_restitution(viewer=request.user, limit=50))
    rows = list(zip(selectors.event_cards(events), [e.has_restitution for e in events], strict=True))
    return TemplateResponse(request, "events/past.html", {"rows": rows, "current_section": "agenda"})


def event_detail(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    registration = selectors.registration_of(user=request.user, event=event)
    manager = selectors.can_manage(request.user, event)
    may_register = selectors.can_register(request.user, event)
    questions = list(event.questions.all())
    form = None
    if event.signup_is_open() and registration is None and may_register:
        form = signup_form_for(event, with_identity=not request.user.is_authenticated, questions=questions)
    breakouts = (
        list(selectors.breakout_list_for_event(event=event)) if event.type == EventType.INTELLIGENCE or event.accepts_proposals else []
    )
    attendees, attendee_total = selectors.attendees_shown(viewer=request.user, event=event)
    context = {
        "event": event,
        "registration": registration,
        "manager": manager,
        "may_register": may_register,
        "form": form,
        "breakouts": breakouts,
        "restitutions": [b for b in breakouts if b.restitution_published_at],
        "show_link": manager or (registration is not None and registration.status == RegistrationStatus.CONFIRMED),
        "current_section": "agenda",
        "series_dates": list(event.series.occurrences.filter(state="published").order_by("start")[:12]) if event.series_id else [],
        "counts": selectors.event_counts(event) if manager else {},
        "attendees": attendees,
        "attendee_total": attendee_total,
        "venue": _venue(event),
        "cancel_form": CancelForm(auto_id="cancel-%s") if manager and not event.is_cancelled else None,
        "intention_form": IntentionForm(initial={"intention": registration.intention, "message": registration.intention_message})
        if registration is not None and registration.user_id and not event.is_past and not event.is_cancelled
        else None,
        "minutes": minutes_for_event_page(viewer=request.user, event=event, manager=manager, registration=registration),
        "proposal_form": ProposalForm()
        if event.accepts_proposals and request.user.is_authenticated and may_register and not event.is_past
        else None,
    }
    return TemplateResponse(request, "events/event_detail.html", context)


@require_http_methods(["GET", "POST"])
@rate_limited("signup")
def signup(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    if request.method == "GET":  # a sign-up link opened directly (or after logging in): show the event
        return redirect(event)
    if not request.user.is_authenticated and event.audience != "public":
        return redirect(f"{reverse('account_login')}?next={event.get_absolute_url()}")
    if request.user.is_authenticated and not is_approved_member(request.user):
        raise PermissionDenied
    form = signup_form_for(event, data=request.POST, with_identity=not request.user.is_authenticated)
    if form.is_valid():
        try:
            reg = services.registration_create(
                event=event,
                actor=request.user if request.user.is_authenticated else None,
                email=form.cleaned_data.get("email", ""),
                name=form.cleaned_data.get("name", ""),
                answers=request.POST,
                guests=form.guests(),
                series=bool(form.cleaned_data.get("serie")),
                shown=bool(form.cleaned_data.get("montrer")),
            )
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            messages.success(request, _status_message(reg))
            return redirect(event)
    return TemplateResponse(
        request,
        "events/event_detail.html",
        {"event": event, "form": form, "may_register": True, "current_section": "agenda", "breakouts": [], "restitutions": []},
        status=400,
    )


def _status_message(reg: Registration) -> str:
    return {
        RegistrationStatus.CONFIRMED: _("Votre inscription est confirmée. Un e-mail avec l'invitation de calendrier vous a été envoyé."),
        RegistrationStatus.WAITLISTED: _(
            "L'événement est complet : vous êtes sur la liste d'attente. Nous vous écrirons si une place se libère."
        ),
        RegistrationStatus.PENDING: _("Presque fini : confirmez votre inscription avec le lien que nous venons de vous envoyer."),
        RegistrationStatus.OFFERED: _("Une place vous est proposée : confirmez-la."),
    }.get(reg.status, "")


@require_http_methods(["GET", "POST"])
@login_required
def unregister(request, slug):
    """GET asks for confirmation (a seat or a waiting-list place is not given up by one click)."""
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = selectors.registration_of(user=request.user, event=event)
    if reg is None:
        raise Http404
    if request.method == "GET":
        return TemplateResponse(
            request, "events/unregister_confirm.html", {"event": event, "registration": reg, "current_section": "agenda"}
        )
    services.registration_cancel(registration=reg, actor=request.user)
    messages.success(request, _("Votre inscription est annulée."))
    return redirect(event)


@require_POST
@member_required
def intention_set(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = selectors.registration_of(user=request.user, event=event)
    if reg is None:
        raise Http404
    form = IntentionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez : présent·e, excusé·e ou absent·e."))
        return redirect(event)
    try:
        services.registration_intention_set(actor=request.user, registration=reg, **form.cleaned_data)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Merci, votre réponse est enregistrée."))
    return redirect(event)


@require_POST
@login_required
def attendance_shown(request, slug):
    """Show or hide me in the event's "Qui vient" (my own registration only)."""
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    shown = request.POST.get("montrer") == "1"
    if not services.registration_set_shown(actor=request.user, event=event, shown=shown):
        raise Http404
    messages.success(request, _("Vous apparaissez dans « Qui vient ».") if shown else _("Vous n’apparaissez plus dans « Qui vient »."))
    return redirect(f"{event.get_absolute_url()}#qui-vient")


@require_POST
@login_required
def offer_accept(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = selectors.registration_of(user=request.user, event=event)
    if reg is None:
        raise Http404
    try:
        services.registration_offer_accept(registration=reg, actor=request.user)
        messages.success(request, _("Votre place est confirmée."))
    except ValidationError as exc:
        messages.error(request, validation_text(exc))
    return redirect(event)


def registration_confirm_token(request, token):
    """The link in the e-mail: GET shows a button (mail scanners must not confirm), POST confirms."""
    reg = get_object_or_404(Registration.objects.select_related("event"), token=token)
    if request.method == "POST":
        reg = services.registration_confirm_email(token=token)
        messages.success(request, _status_message(reg))
        return redirect(reg.event) if reg.event.audience == "public" else redirect("events:agenda")
    return TemplateResponse(request, "events/token_action.html", {"registration": reg, "action": "confirm"})


def registration_cancel_token(request, token):
    reg = get_object_or_404(Registration.objects.select_related("event"), token=token)
    if request.method == "POST":
        services.registration_cancel(registration=reg)
        messages.success(request, _("L'inscription est annulée. Merci de nous avoir prévenus."))
        return redirect("events:agenda")
    return TemplateResponse(request, "events/token_action.html", {"registration": reg, "action": "cancel"})


# --- staff: events and forms -----------------------------------------------------------------
@member_required
def event_create(request):
    """Staff create any event; members propose one to the hub agenda or create one for their group."""
    group = None
    if request.GET.get("groupe"):
        group = group_get_for_viewer(viewer=request.user, slug=request.GET["groupe"])
        if not selectors.can_create_event(request.user, organiser_group=group):
            raise PermissionDenied
    initial = {"organiser_group": group, "audience": "group", "audience_group": group} if group else {}
    form = EventForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    series_form = SeriesForm(request.POST or None, prefix="serie") if request.user.is_hub_staff else None
    if request.method == "POST" and form.is_valid() and (series_form is None or series_form.is_valid()):
        try:
            fields = form.service_fields()
            if series_form is not None and series_form.cleaned_data.get("repeat"):
                series = services.series_create(
                    actor=request.user,
                    interval_weeks=series_form.cleaned_data.get("interval_weeks") or 2,
                    count=series_form.cleaned_data.get("count") or 6,
                    signup_scope=series_form.cleaned_data.get("signup_scope") or "occurrence",
                    **fields,
                )
                event = series.occurrences.order_by("start").first()
            else:
                event = services.event_create(actor=request.user, **fields)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _saved_message(event))
            return redirect("events:questions", slug=event.slug)
    context = {"form": form, "series_form": series_form, "group": group, "current_section": "agenda"}
    return TemplateResponse(request, "events/event_form.html", context)


def _saved_message(event) -> str:
    if event.state == EventState.PENDING:
        return _("Événement transmis à l'équipe du hub pour validation : vous serez prévenu·e de sa décision.")
    return _("Événement enregistré. Ajoutez maintenant les questions du formulaire d'inscription.")


@member_required
def event_edit(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = EventForm(request.POST or None, request.FILES or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # The form validated against the instance; the service re-reads the row and saves.
            fields = form.service_fields()
            event.refresh_from_db()
            event = services.event_update(event=event, actor=request.user, **fields)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _saved_message(event) if event.state == EventState.PENDING else _("Modifications enregistrées."))
            return redirect(event)
    return TemplateResponse(request, "events/event_form.html", {"form": form, "event": event, "current_section": "agenda"})


@require_POST
@member_required
def event_cancel(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.event_cancel(actor=request.user, event=event, reason=reason)
    messages.success(request, _("L'événement est annulé ; les personnes inscrites sont prévenues."))
    return redirect(event)


@member_required
def questions(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.question_save(actor=request.user, event=event, **form.cleaned_data)
        messages.success(request, _("Question ajoutée."))
        return redirect("events:questions", slug=event.slug)
    preview = signup_form_for(event, with_identity=False)
    return TemplateResponse(
        request, "events/questions.html", {"event": event, "form": form, "preview": preview, "items": event.questions.all()}
    )


@require_POST
@member_required
def question_delete(request, slug, pk):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    services.question_delete(actor=request.user, question=get_object_or_404(Question, pk=pk, event=event))
    messages.success(request, _("Question supprimée."))
    return redirect("events:questions", slug=event.slug)


# --- staff: members' events waiting for approval ------------------------------------------------
@staff_required
def review_queue(request):
    """Events members proposed, waiting for a decision; and the hub rule for which ones wait."""
    settings_form = AgendaSettingsForm(request.POST or None, instance=AgendaSettings.current(), auto_id="reglages-%s")
    if request.method == "POST" and settings_form.is_valid():
        services.agenda_settings_update(actor=request.user, **settings_form.cleaned_data)
        messages.success(request, _("Réglages enregistrés."))
        return redirect("events:review_queue")
    pending = list(selectors.event_list_for_review())
    for event in pending:
        event.review_form = ReviewForm(auto_id=f"decision-{event.pk}-%s")
    context = {"pending": pending, "settings_form": settings_form, "current_section": "agenda"}
    return TemplateResponse(request, "events/review_queue.html", context)


@require_POST
@staff_required
def event_review(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une décision."))
        return redirect("events:review_queue")
    try:
        services.event_review(actor=request.user, event=event, **form.cleaned_data)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Décision enregistrée ; la personne est prévenue."))
    return redirect("events:review_queue")


@member_required
def group_agenda_settings(request, slug):
    """A group's admins say whether any member may create events for the group."""
    group = group_get_for_viewer(viewer=request.user, slug=slug)
    if not selectors.can_admin_group_agenda(request.user, group):
        raise PermissionDenied
    policy = GroupAgendaPolicy.objects.filter(group=group).first() or GroupAgendaPolicy(group=group)
    form = GroupAgendaPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        services.group_agenda_policy_set(actor=request.user, group=group, **form.cleaned_data)
        messages.success(request, _("Réglage enregistré."))
        return redirect(group)
    return TemplateResponse(request, "events/group_agenda_settings.html", {"group": group, "form": form, "current_section": "groups"})


# --- staff: registrations, check-in, exports --------------------------------------------------
@member_required
def registrations(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    q = request.GET.get("q", "")
    questions_, regs = selectors.registration_list_with_answers(event=event, q=q, include_cancelled=request.GET.get("annulees") == "1")
    others = []
    if event.series_id:
        others = list(event.series.occurrences.exclude(pk=event.pk).filter(state="published").order_by("start"))
    return TemplateResponse(
        request,
        "events/registrations.html",
        {
            "event": event,
            "registrations": regs,
            "q": q,
            "questions": questions_,
            "add_form": StaffAddForm(),
            "search_form": RegistrationSearchForm(initial={"q": q}, auto_id="reg-%s"),
            "check_in_form": CheckInForm(),
            "others": others,
            "counts": selectors.event_counts(event),
            "attendance": selectors.attendance_summary(event=event, registrations=regs),
        },
    )


@require_POST
@member_required
def registration_action(request, slug, pk, action):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    reg = get_object_or_404(Registration, pk=pk, event=event)
    try:
        if action == "confirmer":
            services.registration_staff_confirm(registration=reg, actor=request.user)
        elif action == "annuler":
            services.registration_cancel(registration=reg, actor=request.user)
        elif action == "pointer":
            services.registration_check_in(registration=reg, actor=request.user)
        elif action == "depointer":
            services.registration_check_in(registration=reg, actor=request.user, present=False)
        elif action == "deplacer":
            to = selectors.event_get_managed(viewer=request.user, slug=request.POST.get("to", ""))
            services.registration_move(registration=reg, to_event=to, actor=request.user)
        else:
            raise Http404
        messages.success(request, _("C'est fait."))
    except ValidationError as exc:
        messages.error(request, validation_text(exc))
    return redirect(f"{reverse('events:registrations', args=[event.slug])}?q={request.POST.get('q', '')}")


@require_POST
@member_required
def registration_add(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = StaffAddForm(request.POST)
    if form.is_valid():
        user = user_get_by_email(form.cleaned_data["email"])
        try:
            services.registration_add(
                actor=request.user, event=event, member=user, email=form.cleaned_data["email"], name=form.cleaned_data["name"]
            )
            messages.success(request, _("Personne ajoutée."))
        except ValidationError as exc:
            messages.error(request, validation_text(exc))
    else:
        messages.error(request, _("Indiquez un nom et une adresse e-mail valide."))
    return redirect("events:registrations", slug=event.slug)


@require_POST
@member_required
def check_in_code(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    try:
        form = CheckInForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Indiquez le code d'inscription."))
        reg = services.registration_check_in_by_code(actor=request.user, event=event, code=form.cleaned_data["code"])
        messages.success(request, _("%(name)s est pointé·e présent·e.") % {"name": reg.name})
    except ValidationError as exc:
        messages.error(request, validation_text(exc))
    return redirect("events:registrations", slug=event.slug)


@member_required
def export_csv(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    header, rows = selectors.export_rows(event=event)
    return csv_response(filename=f"inscrits-{event.slug}.csv", header=header, rows=rows)


@member_required
def export_xlsx(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    header, rows = selectors.export_rows(event=event)
    return xlsx_response(filename=f"inscrits-{event.slug}.xlsx", header=header, rows=rows, title=_("Inscrits"))


def _own_registration(request, event, code=None):
    qs = Registration.objects.filter(event=event, status__in=[*SEAT_HOLDING])
    if code is not None:
        reg = qs.filter(code=code).first()
        if reg and (selectors.can_manage(request.user, event) or (request.user.is_authenticated and reg.user_id == request.user.pk)):
            return reg
        raise Http404
    if not request.user.is_authenticated:
        raise Http404
    reg = qs.filter(user=request.user).first()
    if reg is None:
        raise Http404
    return reg


def qr_code(request, slug, code):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = _own_registration(request, event, code=code)
    out = io.BytesIO()
    segno.make(reg.code, error="m").save(out, kind="svg", scale=6, title=f"Code {reg.code}")
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'none'"
    return response


@login_required
def certificate(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = _own_registration(request, event)
    if not reg.attended_at:
        raise Http404
    context = {"event": event, "registration": reg, "duration": duration_text(event.end - event.start)}
    return TemplateResponse(request, "events/certificate.html", context)


@login_required
def certificate_pdf(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = _own_registration(request, event)
    if not reg.attended_at:
        raise Http404
    response = HttpResponse(certificate_pdf_bytes(event=event, registration=reg), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestation-{event.slug}.pdf"'
    return response


# --- calendar feeds ---------------------------------------------------------------------------
def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def event_ics(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = selectors.registration_of(user=request.user, event=event)
    show = {event.pk} if reg is not None and reg.status == RegistrationStatus.CONFIRMED else set()
    return _ics_response(build_calendar([event], name=event.title, show_link_for=show), f"{event.slug}.ics")


def public_ics(request):
    events = selectors.event_list_filtered(viewer=None, start=timezone.now() - timedelta(days=90))[:500]
    return _ics_response(build_calendar(events, name=_("Agenda public du hub")), "agenda.ics")


def group_ics(request, slug):
    group = group_get_for_viewer(viewer=request.user, slug=slug)
    events = selectors.event_list_filtered(viewer=request.user, filters={"group": group.slug}, start=timezone.now() - timedelta(days=90))[
        :500
    ]
    return _ics_response(build_calendar(events, name=group.name), f"{group.slug}.ics")


def my_ics(request, token):
    """The private feed: the token is the only credential (calendar apps cannot log in)."""
    owner = get_object_or_404(CalendarToken.objects.select_related("user"), token=token).user
    if not owner.is_active or owner.erased_at:
        raise Http404
    regs = Registration.objects.filter(user=owner, status__in=[*SEAT_HOLDING, RegistrationStatus.WAITLISTED]).select_related(
        "event__commune"
    )
    regs = regs.filter(event__end__gte=timezone.now() - timedelta(days=90))
    events = [r.event for r in regs]
    show = {r.event_id for r in regs if r.status == RegistrationStatus.CONFIRMED}
    # other apps' dates for this member (e.g. deadlines of the calls their consortia answer)
    extra = registry.calendar_items_for(owner)
    response = _ics_response(build_calendar(events, name=_("Mes événements"), show_link_for=show, extra_items=extra), "mes-evenements.ics")
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def my_events(request):
    if request.method == "POST":
        services.calendar_token_rotate(actor=request.user)
        messages.success(request, _("Nouvelle adresse de flux créée : l'ancienne ne fonctionne plus."))
        return redirect("events:my_events")
    token = CalendarToken.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(reverse("events:my_ics", args=[token.token])) if token else ""
    feed_form = FeedUrlForm(initial={"url": feed_url}, auto_id="feed-%s")
    regs = selectors.registration_list_mine(user=request.user, upcoming_only=False)
    return TemplateResponse(
        request, "events/my_events.html", {"registrations": regs, "feed_url": feed_url, "feed_form": feed_form, "current_section": "agenda"}
    )


# --- collective-intelligence sessions ---------------------------------------------------------
@require_POST
@member_required
def proposal_create(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_create(event=event, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Merci ! Votre proposition est transmise à l'équipe."))
        except ValidationError as exc:
            messages.error(request, validation_text(exc))
    else:
        messages.error(request, _("Donnez un titre et une présentation à votre proposition."))
    return redirect(event)


@member_required
def proposals(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    items = list(selectors.proposal_list_for_event(viewer=request.user, event=event))
    for item in items:
        item.decision_form = ProposalDecisionForm(auto_id=f"size-{item.pk}-%s")
    return TemplateResponse(request, "events/proposals.html", {"event": event, "proposals": items, "breakout_form": BreakoutForm()})


@require_POST
@member_required
def proposal_decide(request, slug, pk):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    proposal = get_object_or_404(Proposal, pk=pk, event=event)
    form = ProposalDecisionForm(request.POST)
    size = form.cleaned_data["size_limit"] if form.is_valid() else None
    services.proposal_decide(
        proposal=proposal,
        actor=request.user,
        accept=request.POST.get("decision") == "accept",
        size_limit=size,
    )
    messages.success(request, _("Décision enregistrée."))
    return redirect("events:proposals", slug=event.slug)


@require_POST
@member_required
def breakout_create(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = BreakoutForm(request.POST)
    if form.is_valid():
        host = user_get_by_email(form.cleaned_data["host_email"])
        services.breakout_create(
            event=event, actor=request.user, title=form.cleaned_data["title"], host=host, size_limit=form.cleaned_data["size_limit"]
        )
        messages.success(request, _("Sous-groupe créé."))
    else:
        messages.error(request, _("Le sous-groupe a besoin d'un titre."))
    return redirect("events:proposals", slug=event.slug)


@member_required
def session(request, slug):
    """The live page of a session: pick a sub-group, take notes, publish the restitution."""
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    if not selectors.can_join_session(request.user, event):
        raise PermissionDenied
    breakouts = list(selectors.breakout_list_for_event(event=event))
    for b in breakouts:
        b.note_form = NoteForm(auto_id=f"note-{b.pk}-%s")
        b.note_form.fields["body"].label = _("Ajouter une note à « %(t)s »") % {"t": b.title}
        b.restitution_form = RestitutionForm(initial={"restitution": b.restitution}, auto_id=f"restit-{b.pk}-%s")
        b.restitution_form.fields["restitution"].label = _("Restitution de « %(t)s »") % {"t": b.title}
    mine = event.breakout_choices.filter(user=request.user).values_list("breakout_id", flat=True).first()
    manager = selectors.can_manage(request.user, event)
    timer = selectors.session_timer_current(event.pk)
    return TemplateResponse(
        request,
        "events/session.html",
        {
            "event": event,
            "breakouts": breakouts,
            "mine": mine,
            "manager": manager,
            "timer": timer,
            "timer_form": SessionTimerForm(auto_id="timer-%s") if manager else None,
            "current_section": "agenda",
        },
    )


@require_POST
@member_required
def session_timer(request, slug):
    """The organiser starts or stops the session's countdown (form post; live pages update over the websocket).
    Who may is the services' rule: their PermissionDenied (a 403) comes before any input error."""
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    if "stop" in request.POST:
        services.session_timer_stop(actor=request.user, event=event)
        messages.success(request, _("Minuteur arrêté."))
    else:
        form = SessionTimerForm(request.POST)
        valid = form.is_valid()
        data = form.cleaned_data if valid else {}
        try:
            services.session_timer_start(actor=request.user, event=event, minutes=data.get("minutes"), label=data.get("label", ""))
            messages.success(request, _("Minuteur lancé."))
        except ValidationError as exc:
            messages.error(request, validation_text(exc) if valid else _("Choisissez une durée dans la liste."))
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("events:session", slug=slug)


def _breakout_for(request, slug, pk) -> Breakout:
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    return get_object_or_404(Breakout.objects.select_related("event"), pk=pk, event=event)


@require_POST
@member_required
def breakout_choose(request, slug, pk):
    breakout = _breakout_for(request, slug, pk)
    try:
        services.breakout_choose(breakout=breakout, actor=request.user)
        messages.success(request, _("Vous avez rejoint « %(t)s ».") % {"t": breakout.title})
    except ValidationError as exc:
        messages.error(request, validation_text(exc))
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("events:session", slug=slug)


@require_POST
@member_required
def note_create(request, slug, pk):
    breakout = _breakout_for(request, slug, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.note_create(breakout=breakout, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, validation_text(exc))
    else:
        messages.error(request, _("La note est vide."))
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(f"{reverse('events:session', args=[slug])}#sous-groupe-{breakout.pk}")


@require_POST
@member_required
def restitution_publish(request, slug, pk):
    breakout = _breakout_for(request, slug, pk)
    form = RestitutionForm(request.POST)
    if form.is_valid():
        try:
            services.restitution_publish(breakout=breakout, actor=request.user, text=form.cleaned_data["restitution"])
            messages.success(request, _("Restitution publiée sur la page de l'événement."))
        except ValidationError as exc:
            messages.error(request, validation_text(exc))
    return redirect("events:session", slug=slug)
