"""Funding pages: search, call page, working together, watches, deadlines feed, staff curation."""

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common.exports import csv_response, xlsx_response
from common.forms import form_add_validation_error, messages_add_validation_error
from common.ratelimit import rate_limited
from common.urls import absolute_url
from community.access import member_required, staff_required

from . import exports, importers, selectors, services
from .calendar import calendar_ics
from .filters import CallFilters, Territory
from .forms import (
    CallForm,
    CallReportForm,
    CallSearchForm,
    CsvImportForm,
    DeclineForm,
    PartnerSearchForm,
    ShareForm,
    SourceForm,
    SupportForm,
    WatchForm,
)
from .models import InterestKind, PartnerSearch, Source

PAGE_SIZE = 20
# The call page holds several forms with a "message" field: each form's ids carry its own prefix
# (the field names, and so what is posted, stay the same).
SUPPORT_IDS = "id_support_%s"
PARTNER_IDS = "id_partner_%s"
SHARE_IDS = "id_share_%s"


def _search(request) -> tuple[CallSearchForm, CallFilters]:
    form = CallSearchForm(request.GET or None)
    filters = form.to_filters(territory=Territory())
    if filters.my_territory:  # the member's territory (one query) only for a search that asks for it
        filters = replace(filters, territory=selectors.territory_of(request.user))
    return form, filters


@member_required
def call_list(request):
    form, filters = _search(request)
    calls = selectors.call_list_for_cards(viewer=request.user, filters=filters)
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "cards": selectors.call_cards(page.object_list),
        "filters": filters,
        "watch_form": WatchForm(initial={"name": filters.q or _("Ma recherche")}),
        "querystring": request.GET.urlencode(),
    }
    template = "funding/_call_results.html" if request.htmx else "funding/call_list.html"
    return TemplateResponse(request, template, context)


@member_required
def call_export(request, fmt):
    """The current search as a spreadsheet (at most ``CALL_EXPORT_LIMIT`` calls)."""
    _form, filters = _search(request)
    calls = selectors.call_list(viewer=request.user, filters=filters)[: exports.CALL_EXPORT_LIMIT]
    rows = exports.call_export_rows(calls)
    if fmt == "xlsx":
        return xlsx_response(filename="appels-a-financement.xlsx", header=exports.call_export_header(), rows=rows, title=_("Appels"))
    return csv_response(filename="appels-a-financement.csv", header=exports.call_export_header(), rows=rows)


def _call_context(request, call, **extra):
    interests = selectors.call_interests(call=call)
    mine = {i.kind for i in interests if i.user_id == request.user.pk}
    groups = selectors.share_groups(viewer=request.user)
    return {
        "call": call,
        "interested": [i for i in interests if i.kind == InterestKind.INTERESTED],
        "applying": [i for i in interests if i.kind == InterestKind.APPLYING],
        "mine": mine,
        "partner_searches": selectors.partner_searches(call=call),
        "consortia": selectors.consortia_of_call(call=call, viewer=request.user),
        "partner_form": PartnerSearchForm(auto_id=PARTNER_IDS),
        "share_form": ShareForm(groups=groups, auto_id=SHARE_IDS) if groups.exists() else None,
        "decline_form": DeclineForm() if request.user.is_hub_staff else None,
        "support_form": SupportForm(auto_id=SUPPORT_IDS),
        "my_support_requests": selectors.support_requests_of(user=request.user, call=call),
        **extra,
    }


@member_required
def call_detail(request, slug):
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    return TemplateResponse(request, "funding/call_detail.html", _call_context(request, call))


@member_required
@require_POST
def call_interest(request, slug):
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    kind = request.POST.get("kind", "")
    try:
        marked = services.interest_toggle(call=call, actor=request.user, kind=kind)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        label = InterestKind(kind).label
        messages.success(request, _("« %(l)s » enregistré.") % {"l": label} if marked else _("« %(l)s » retiré.") % {"l": label})
    return redirect(call.get_absolute_url() + "#ensemble")


@member_required
@require_POST
def partner_search_create(request, slug):
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    form = PartnerSearchForm(request.POST, auto_id=PARTNER_IDS)
    if form.is_valid():
        try:
            services.partner_search_create(call=call, actor=request.user, message=form.cleaned_data["message"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Votre recherche de partenaires est publiée."))
            return redirect(call.get_absolute_url() + "#partenaires")
    return TemplateResponse(request, "funding/call_detail.html", _call_context(request, call, partner_form=form), status=400)


@member_required
@require_POST
@rate_limited("report")
def call_support(request, slug):
    """Ask the hub for help on a call without a consortium (same form, service and limits as
    from a consortium's page)."""
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    form = SupportForm(request.POST, auto_id=SUPPORT_IDS)
    if form.is_valid():
        try:
            services.support_request_create(call=call, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Votre demande est transmise à l'équipe du hub."))
            return redirect(call.get_absolute_url() + "#aide")
    return TemplateResponse(request, "funding/call_detail.html", _call_context(request, call, support_form=form), status=400)


@member_required
@require_POST
def partner_search_close(request, slug, pk):
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    search = get_object_or_404(PartnerSearch, pk=pk, call=call)
    services.partner_search_close(search=search, actor=request.user)
    messages.success(request, _("Recherche de partenaires close."))
    return redirect(call.get_absolute_url() + "#partenaires")


@member_required
@require_POST
def call_share(request, slug):
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    form = ShareForm(request.POST, groups=selectors.share_groups(viewer=request.user), auto_id=SHARE_IDS)
    if form.is_valid():
        try:
            topic = services.call_share_to_group(
                call=call, group=form.cleaned_data["group"], actor=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("L'appel est partagé dans le groupe."))
            return redirect(topic.get_absolute_url())
    return TemplateResponse(request, "funding/call_detail.html", _call_context(request, call, share_form=form), status=400)


# --- Staff: calls, review queue, sources, import -------------------------------------------
@staff_required
def call_create(request):
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(data=form.service_data(), actor=request.user, publish=form.cleaned_data.get("publish", False))
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Appel enregistré."))
            return redirect(call.get_absolute_url())
    return TemplateResponse(request, "funding/call_form.html", {"form": form})


@staff_required
def call_edit(request, slug):
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_update(call=call, data=form.service_data(), actor=request.user)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Appel modifié."))
            return redirect(call.get_absolute_url())
    return TemplateResponse(request, "funding/call_form.html", {"form": form, "call": call})


@staff_required
@require_POST
def call_state(request, slug, action):
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    handler = {"publier": services.call_publish, "ecarter": services.call_reject, "cloturer": services.call_close}.get(action)
    if handler is None:
        raise Http404
    kwargs = {}
    if action == "ecarter":
        form = DeclineForm(request.POST)
        kwargs["reason"] = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        call = handler(call=call, actor=request.user, **kwargs)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
        return redirect("funding:review_queue")
    messages.success(request, _("« %(t)s » : %(s)s.") % {"t": call.title, "s": call.get_state_display().lower()})
    if request.POST.get("next") == "review":
        return redirect("funding:review_queue")
    return redirect(call.get_absolute_url())


@staff_required
@require_POST
def call_merge(request, slug):
    """Fold a reported draft into the call it was flagged as duplicating."""
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    if call.duplicate_of_id is None:
        raise Http404
    try:
        services.call_merge(call=call, into=call.duplicate_of, actor=request.user)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("« %(t)s » est fusionné avec « %(d)s ».") % {"t": call.title, "d": call.duplicate_of.title})
    return redirect("funding:review_queue")


@staff_required
def review_queue(request):
    page = Paginator(selectors.review_queue(), 50).get_page(request.GET.get("page"))
    for call in page.object_list:  # one reason field per reported call, with its own id
        call.decline_form = DeclineForm(auto_id=f"id_%s_{call.pk}")
    return TemplateResponse(request, "funding/review_queue.html", {"page": page})


# --- Members report calls ---------------------------------------------------------------------
@member_required
@rate_limited("report")
def call_report(request):
    form = CallReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_report(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Merci ! L'équipe du hub relit l'appel signalé et vous tiendra au courant."))
            return redirect("funding:my_reports")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "funding/call_report.html", {"form": form}, status=status)


@member_required
def my_reports(request):
    return TemplateResponse(request, "funding/my_reports.html", {"calls": selectors.reports_of(user=request.user)})


@staff_required
def source_list(request):
    return TemplateResponse(request, "funding/source_list.html", {"sources": selectors.source_list()})


@staff_required
def source_edit(request, pk=None):
    source = get_object_or_404(Source, pk=pk) if pk else None
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_save(actor=request.user, data=form.cleaned_data, source=source)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Source enregistrée."))
            return redirect("funding:source_list")
    return TemplateResponse(request, "funding/source_form.html", {"form": form, "source": source})


@staff_required
@require_POST
def source_poll(request, pk):
    source = get_object_or_404(Source, pk=pk)
    result = services.source_poll(source=source)
    if not result.failed:
        messages.success(
            request,
            _("%(s)s : %(c)s nouvel(s) appel(s), %(d)s déjà connu(s).") % {"s": source.name, "c": result.created, "d": result.duplicates},
        )
        for error in result.errors[:5]:
            messages.warning(request, error)
    else:
        messages.error(request, _("%(s)s : échec de la collecte (%(e)s).") % {"s": source.name, "e": source.last_error[:200]})
    return redirect("funding:source_list")


@staff_required
def csv_import(request):
    form = CsvImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.calls_import_csv(
                content=form.cleaned_data["file"].read(),
                actor=request.user,
                publish=form.cleaned_data["publish"],
                valid_rows_only=form.cleaned_data["valid_rows_only"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
    return TemplateResponse(
        request,
        "funding/csv_import.html",
        {"form": form, "report": report, "columns": importers.CSV_COLUMNS},
        status=400 if report and not report.applied else 200,
    )


# --- Watches ----------------------------------------------------------------------------------
@member_required
def watch_list(request):
    return TemplateResponse(request, "funding/watch_list.html", {"watches": selectors.watch_list(user=request.user)})


@member_required
@require_POST
def watch_create(request):
    _form, filters = _search(request)
    form = WatchForm(request.POST)
    if form.is_valid():
        try:
            watch = services.watch_create(
                actor=request.user, name=form.cleaned_data["name"], filters=filters, frequency=form.cleaned_data["frequency"]
            )
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            if watch.wants_email:
                messages.success(
                    request,
                    _("Alerte enregistrée. Confirmez-la avec le lien envoyé à %(email)s pour recevoir les e-mails.")
                    % {"email": request.user.email},
                )
            else:
                messages.success(request, _("Alerte enregistrée."))
            return redirect("funding:watch_detail", pk=watch.pk)
    else:
        messages.error(request, _("Donnez un nom et une fréquence à l'alerte."))
    return redirect(reverse("funding:call_list") + "?" + request.GET.urlencode())


@member_required
def watch_detail(request, pk):
    watch = selectors.watch_get_for_owner(user=request.user, pk=pk)
    form = WatchForm(request.POST or None, initial={"name": watch.name, "frequency": watch.frequency})
    if request.method == "POST" and form.is_valid():
        services.watch_update(watch=watch, actor=request.user, name=form.cleaned_data["name"], frequency=form.cleaned_data["frequency"])
        messages.success(request, _("Alerte modifiée."))
        return redirect("funding:watch_detail", pk=watch.pk)
    search_url = reverse("funding:call_list") + "?" + urlencode(watch.criteria, doseq=True)
    context = {"watch": watch, "form": form, "deliveries": selectors.watch_recent_deliveries(watch=watch), "search_url": search_url}
    return TemplateResponse(request, "funding/watch_detail.html", context)


@member_required
@require_POST
def watch_delete(request, pk):
    watch = selectors.watch_get_for_owner(user=request.user, pk=pk)
    services.watch_delete(watch=watch, actor=request.user)
    messages.success(request, _("Alerte supprimée."))
    return redirect("funding:watch_list")


@member_required
@require_POST
def watch_resend_confirmation(request, pk):
    watch = selectors.watch_get_for_owner(user=request.user, pk=pk)
    services.watch_update(watch=watch, actor=request.user, name=watch.name, frequency=watch.frequency)
    messages.success(request, _("Lien de confirmation envoyé à %(email)s.") % {"email": request.user.email})
    return redirect("funding:watch_detail", pk=watch.pk)


def watch_confirm(request, token):
    """Double opt-in landing page: works without login; the POST confirms (mail scanners only GET)."""
    try:
        watch = services.watch_get_by_token(token=token, salt=services.CONFIRM_SALT, max_age=services.CONFIRM_MAX_AGE)
    except ValidationError as exc:
        return TemplateResponse(request, "funding/token_invalid.html", {"message": exc.messages[0]}, status=404)
    if request.method == "POST":
        watch = services.watch_confirm_email(token=token)
        return TemplateResponse(request, "funding/watch_confirmed.html", {"watch": watch})
    return TemplateResponse(request, "funding/watch_confirm.html", {"watch": watch})


@csrf_exempt
def watch_unsubscribe(request, token):
    """One-click unsubscribe without login. GET shows a single button; POST (the button, or the
    mail client's RFC 8058 ``List-Unsubscribe-Post``) unsubscribes. The token is signed: no CSRF
    risk beyond unsubscribing the token's own watch, which is the point."""
    try:
        watch = services.watch_get_by_token(token=token, salt=services.UNSUBSCRIBE_SALT)
    except ValidationError as exc:
        return TemplateResponse(request, "funding/token_invalid.html", {"message": exc.messages[0]}, status=404)
    if request.method == "POST":
        watch = services.watch_unsubscribe(token=token)
        return TemplateResponse(request, "funding/watch_unsubscribed.html", {"watch": watch})
    return TemplateResponse(request, "funding/watch_unsubscribe.html", {"watch": watch})


# --- Deadlines --------------------------------------------------------------------------------
@member_required
def deadlines(request):
    token = services.calendar_token_get(actor=request.user)
    feed_url = absolute_url(reverse("funding:calendar_feed", args=[token.token]))
    calls = selectors.upcoming_deadlines(user=request.user)
    return TemplateResponse(request, "funding/deadlines.html", {"feed_url": feed_url, "calls": calls})


@member_required
@require_POST
def deadlines_reset(request):
    services.calendar_token_reset(actor=request.user)
    messages.success(request, _("Nouveau lien créé : l'ancien ne fonctionne plus."))
    return redirect("funding:deadlines")


def calendar_feed(request, token):
    owner = selectors.calendar_token_owner(token=token)
    if owner is None:
        raise Http404
    body = calendar_ics(user=owner, calls=selectors.calendar_calls(user=owner))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="echeances-financements.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
