"""Agenda pages: thin views over ``selectors`` (reads) and ``services`` (writes).

Every page that takes a slug goes through ``event_get_for_viewer`` (hidden = 404) and every
management page through ``event_get_managed`` (visible but not yours = 403).
"""

import csv
import io
from datetime import date, datetime, timedelta

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

from common.registry import registry
from community.access import member_required
from community.models import User, is_approved_member
from groups.access import group_get_for_viewer, groups_visible_to

from . import selectors, services
from .forms import (
    AgendaFilterForm,
    BreakoutForm,
    EventForm,
    NoteForm,
    ProposalForm,
    QuestionForm,
    RestitutionForm,
    SeriesForm,
    StaffAddForm,
    signup_form_for,
)
from .ics import build_calendar
from .models import SEAT_HOLDING, Breakout, CalendarToken, EventType, Proposal, Question, Registration, RegistrationStatus

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


# --- agenda ------------------------------------------------------------------------------------
# Upcoming events per page of the list view (a page of 100 cards cost 45 ms of CPU to render).
AGENDA_PAGE_SIZE = 30


def agenda(request):
    """List (upcoming), month or week view; visitors see the public agenda."""
    groups = list(groups_visible_to(request.user).only("slug", "name")) if request.user.is_authenticated else []
    form = AgendaFilterForm(request.GET or None, groups=groups)
    filters = form.cleaned_data if form.is_valid() else {}
    view = request.GET.get("vue", "liste")
    today = timezone.localdate()
    context = {"form": form, "view": view, "current_section": "agenda", "today": today}
    if view == "mois":
        try:
            year, month = int(request.GET.get("annee", today.year)), int(request.GET.get("mois", today.month))
            first, nxt = selectors.month_bounds(year, month)
        except ValueError as exc:
            raise Http404 from exc
        grid_start = selectors.week_start(first)
        grid_end = selectors.week_start(nxt - timedelta(days=1)) + timedelta(days=7)
        events = list(selectors.event_list_filtered(viewer=request.user, filters=filters, start=_aware(grid_start), end=_aware(grid_end)))
        weeks = []
        day = grid_start
        while day < grid_end:
            week = []
            for _i in range(7):
                week.append(
                    {
                        "date": day,
                        "in_month": day.month == month,
                        "events": [e for e in events if timezone.localtime(e.start).date() <= day <= timezone.localtime(e.end).date()],
                    }
                )
                day += timedelta(days=1)
            weeks.append(week)
        prev = first - timedelta(days=1)
        context.update(
            weeks=weeks,
            title=f"{MONTHS[month - 1]} {year}",
            prev={"annee": prev.year, "mois": prev.month},
            next={"annee": nxt.year, "mois": nxt.month},
            day_names=DAYS,
            events=events,
        )
    elif view == "semaine":
        try:
            anchor = date.fromisoformat(request.GET.get("date", today.isoformat()))
        except ValueError as exc:
            raise Http404 from exc
        start = selectors.week_start(anchor)
        events = list(
            selectors.event_list_filtered(viewer=request.user, filters=filters, start=_aware(start), end=_aware(start + timedelta(days=7)))
        )
        days = [
            {
                "date": start + timedelta(days=i),
                "name": DAYS[i],
                "events": [e for e in events if timezone.localtime(e.start).date() == start + timedelta(days=i)],
            }
            for i in range(7)
        ]
        context.update(
            days=days,
            week_start=start,
            prev=(start - timedelta(days=7)).isoformat(),
            next=(start + timedelta(days=7)).isoformat(),
            events=events,
        )
    else:
        context["view"] = "liste"
        upcoming = selectors.event_list_filtered(viewer=request.user, filters=filters, start=timezone.now())
        page = Paginator(upcoming, AGENDA_PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(events=list(page.object_list), page=page)
    template = "events/_agenda_results.html" if request.htmx else "events/agenda.html"
    return TemplateResponse(request, template, context)


def past(request):
    events = selectors.event_list_past_with_restitution(viewer=request.user, limit=50)
    return TemplateResponse(request, "events/past.html", {"events": events, "current_section": "agenda"})


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
        "proposal_form": ProposalForm()
        if event.accepts_proposals and request.user.is_authenticated and may_register and not event.is_past
        else None,
    }
    return TemplateResponse(request, "events/event_detail.html", context)


@require_http_methods(["GET", "POST"])
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
                user=request.user if request.user.is_authenticated else None,
                email=form.cleaned_data.get("email", ""),
                name=form.cleaned_data.get("name", ""),
                answers=request.POST,
                guests=form.guests(),
                series=request.POST.get("serie") == "1",
            )
        except ValidationError as exc:
            for msg in _error_messages(exc):
                messages.error(request, msg)
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
        return TemplateResponse(request, "events/unregister_confirm.html", {"event": event, "registration": reg, "current_section": "agenda"})
    services.registration_cancel(registration=reg, by=request.user)
    messages.success(request, _("Votre inscription est annulée."))
    return redirect(event)


@require_POST
@login_required
def offer_accept(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = selectors.registration_of(user=request.user, event=event)
    if reg is None:
        raise Http404
    try:
        services.registration_offer_accept(registration=reg, by=request.user)
        messages.success(request, _("Votre place est confirmée."))
    except ValidationError as exc:
        messages.error(request, " ".join(_error_messages(exc)))
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
    if not request.user.is_hub_staff:
        raise PermissionDenied
    form = EventForm(request.POST or None, request.FILES or None, user=request.user)
    series_form = SeriesForm(request.POST or None, prefix="serie")
    if request.method == "POST" and form.is_valid() and series_form.is_valid():
        try:
            fields = form.service_fields()
            if series_form.cleaned_data.get("repeat"):
                series = services.series_create(
                    created_by=request.user,
                    interval_weeks=series_form.cleaned_data.get("interval_weeks") or 2,
                    count=series_form.cleaned_data.get("count") or 6,
                    signup_scope=series_form.cleaned_data.get("signup_scope") or "occurrence",
                    **fields,
                )
                event = series.occurrences.order_by("start").first()
            else:
                event = services.event_create(created_by=request.user, **fields)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Événement enregistré. Ajoutez maintenant les questions du formulaire d'inscription."))
            return redirect("events:questions", slug=event.slug)
    return TemplateResponse(request, "events/event_form.html", {"form": form, "series_form": series_form, "current_section": "agenda"})


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@member_required
def event_edit(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = EventForm(request.POST or None, request.FILES or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # The form validated against the instance; the service re-reads the row and saves.
            fields = form.service_fields()
            event.refresh_from_db()
            event = services.event_update(event=event, by=request.user, **fields)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect(event)
    return TemplateResponse(request, "events/event_form.html", {"form": form, "event": event, "current_section": "agenda"})


@require_POST
@member_required
def event_cancel(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    services.event_cancel(event=event, by=request.user, reason=request.POST.get("reason", "")[:1000])
    messages.success(request, _("L'événement est annulé ; les personnes inscrites sont prévenues."))
    return redirect(event)


@member_required
def questions(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.question_save(event=event, **form.cleaned_data)
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
    services.question_delete(question=get_object_or_404(Question, pk=pk, event=event))
    messages.success(request, _("Question supprimée."))
    return redirect("events:questions", slug=event.slug)


# --- staff: registrations, check-in, exports --------------------------------------------------
@member_required
def registrations(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    q = request.GET.get("q", "")
    regs = list(selectors.registration_list_for_event(event=event, q=q, include_cancelled=request.GET.get("annulees") == "1"))
    questions_ = list(event.questions.all())
    for reg in regs:
        reg.answer_list = [_answer_text(reg.answers.get(str(qu.pk))) for qu in questions_]
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
            "others": others,
            "counts": selectors.event_counts(event),
        },
    )


def _answer_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@require_POST
@member_required
def registration_action(request, slug, pk, action):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    reg = get_object_or_404(Registration, pk=pk, event=event)
    try:
        if action == "confirmer":
            services.registration_staff_confirm(registration=reg, by=request.user)
        elif action == "annuler":
            services.registration_cancel(registration=reg, by=request.user)
        elif action == "pointer":
            services.registration_check_in(registration=reg, by=request.user)
        elif action == "depointer":
            services.registration_check_in(registration=reg, by=request.user, present=False)
        elif action == "deplacer":
            to = selectors.event_get_managed(viewer=request.user, slug=request.POST.get("to", ""))
            services.registration_move(registration=reg, to_event=to, by=request.user)
        else:
            raise Http404
        messages.success(request, _("C'est fait."))
    except ValidationError as exc:
        messages.error(request, " ".join(_error_messages(exc)))
    return redirect(f"{reverse('events:registrations', args=[event.slug])}?q={request.POST.get('q', '')}")


@require_POST
@member_required
def registration_add(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = StaffAddForm(request.POST)
    if form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        try:
            services.registration_create(
                event=event, user=user, email=form.cleaned_data["email"], name=form.cleaned_data["name"], by_staff=request.user
            )
            messages.success(request, _("Personne ajoutée."))
        except ValidationError as exc:
            messages.error(request, " ".join(_error_messages(exc)))
    else:
        messages.error(request, _("Indiquez un nom et une adresse e-mail valide."))
    return redirect("events:registrations", slug=event.slug)


@require_POST
@member_required
def check_in_code(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    try:
        reg = services.registration_check_in_by_code(event=event, code=request.POST.get("code", ""), by=request.user)
        messages.success(request, _("%(name)s est pointé·e présent·e.") % {"name": reg.name})
    except ValidationError as exc:
        messages.error(request, " ".join(_error_messages(exc)))
    return redirect("events:registrations", slug=event.slug)


def _export_rows(event):
    questions_ = list(event.questions.all())
    header = ["Nom", "E-mail", "Statut", "Places", "Accompagnant·es", "Code", "Inscrit·e le", "Présent·e"] + [q.label for q in questions_]
    rows = []
    for reg in selectors.registration_list_for_event(event=event, include_cancelled=True):
        rows.append(
            [
                reg.name,
                reg.email,
                reg.get_status_display(),
                reg.seats,
                ", ".join(reg.guests),
                reg.code,
                timezone.localtime(reg.created_at).strftime("%d/%m/%Y %H:%M"),
                timezone.localtime(reg.attended_at).strftime("%d/%m/%Y %H:%M") if reg.attended_at else "",
            ]
            + [_answer_text(reg.answers.get(str(q.pk))) for q in questions_]
        )
    return header, rows


def _safe_cell(value):
    """Neutralise spreadsheet formulas in member-typed text (CSV/XLSX injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@member_required
def export_csv(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    header, rows = _export_rows(event)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inscrits-{event.slug}.csv"'
    return response


@member_required
def export_xlsx(request, slug):
    from openpyxl import Workbook

    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    header, rows = _export_rows(event)
    wb = Workbook()
    ws = wb.active
    ws.title = "Inscrits"
    ws.append(header)
    for row in rows:
        ws.append([_safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="inscrits-{event.slug}.xlsx"'
    return response


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
    import segno

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
    return TemplateResponse(request, "events/certificate.html", {"event": event, "registration": reg})


@login_required
def certificate_pdf(request, slug):
    from .pdf import certificate_pdf as build

    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    reg = _own_registration(request, event)
    if not reg.attended_at:
        raise Http404
    response = HttpResponse(build(event=event, registration=reg), content_type="application/pdf")
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
    response = _ics_response(
        build_calendar(events, name=_("Mes événements"), show_link_for=show, extra_items=extra), "mes-evenements.ics"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def my_events(request):
    if request.method == "POST":
        services.calendar_token_rotate(user=request.user)
        messages.success(request, _("Nouvelle adresse de flux créée : l'ancienne ne fonctionne plus."))
        return redirect("events:my_events")
    token = CalendarToken.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(reverse("events:my_ics", args=[token.token])) if token else ""
    regs = selectors.registration_list_mine(user=request.user, upcoming_only=False)
    return TemplateResponse(request, "events/my_events.html", {"registrations": regs, "feed_url": feed_url, "current_section": "agenda"})


# --- collective-intelligence sessions ---------------------------------------------------------
@require_POST
@member_required
def proposal_create(request, slug):
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_create(event=event, author=request.user, **form.cleaned_data)
            messages.success(request, _("Merci ! Votre proposition est transmise à l'équipe."))
        except ValidationError as exc:
            messages.error(request, " ".join(_error_messages(exc)))
    else:
        messages.error(request, _("Donnez un titre et une présentation à votre proposition."))
    return redirect(event)


@member_required
def proposals(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    items = selectors.proposal_list_for_event(viewer=request.user, event=event)
    return TemplateResponse(request, "events/proposals.html", {"event": event, "proposals": items, "breakout_form": BreakoutForm()})


@require_POST
@member_required
def proposal_decide(request, slug, pk):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    proposal = get_object_or_404(Proposal, pk=pk, event=event)
    size = request.POST.get("size_limit") or None
    services.proposal_decide(
        proposal=proposal,
        by=request.user,
        accept=request.POST.get("decision") == "accept",
        size_limit=int(size) if size and size.isdigit() else None,
    )
    messages.success(request, _("Décision enregistrée."))
    return redirect("events:proposals", slug=event.slug)


@require_POST
@member_required
def breakout_create(request, slug):
    event = selectors.event_get_managed(viewer=request.user, slug=slug)
    form = BreakoutForm(request.POST)
    if form.is_valid():
        host = User.objects.filter(email__iexact=form.cleaned_data["host_email"]).first() if form.cleaned_data["host_email"] else None
        services.breakout_create(
            event=event, by=request.user, title=form.cleaned_data["title"], host=host, size_limit=form.cleaned_data["size_limit"]
        )
        messages.success(request, _("Sous-groupe créé."))
    else:
        messages.error(request, _("Le sous-groupe a besoin d'un titre."))
    return redirect("events:proposals", slug=event.slug)


@member_required
def session(request, slug):
    """The live page of a session: pick a sub-group, take notes, publish the restitution."""
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    if not services.may_join_session(request.user, event):
        raise PermissionDenied
    breakouts = list(selectors.breakout_list_for_event(event=event))
    mine = event.breakout_choices.filter(user=request.user).values_list("breakout_id", flat=True).first()
    return TemplateResponse(
        request,
        "events/session.html",
        {
            "event": event,
            "breakouts": breakouts,
            "mine": mine,
            "note_form": NoteForm(),
            "restitution_form": RestitutionForm(),
            "manager": selectors.can_manage(request.user, event),
            "current_section": "agenda",
        },
    )


def _breakout_for(request, slug, pk) -> Breakout:
    event = selectors.event_get_for_viewer(viewer=request.user, slug=slug)
    return get_object_or_404(Breakout.objects.select_related("event"), pk=pk, event=event)


@require_POST
@member_required
def breakout_choose(request, slug, pk):
    breakout = _breakout_for(request, slug, pk)
    try:
        services.breakout_choose(breakout=breakout, user=request.user)
        messages.success(request, _("Vous avez rejoint « %(t)s ».") % {"t": breakout.title})
    except ValidationError as exc:
        messages.error(request, " ".join(_error_messages(exc)))
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
                services.note_create(breakout=breakout, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(_error_messages(exc)))
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
            services.restitution_publish(breakout=breakout, by=request.user, text=form.cleaned_data["restitution"])
            messages.success(request, _("Restitution publiée sur la page de l'événement."))
        except ValidationError as exc:
            messages.error(request, " ".join(_error_messages(exc)))
    return redirect("events:session", slug=slug)
