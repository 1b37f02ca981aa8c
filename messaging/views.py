"""Private messaging pages: inbox, new conversation, conversation, blocks, reports.

A conversation is a 404 for anyone who is not an active participant (hub staff included).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error, validation_text
from common.ratelimit import rate_limited
from common.storage import private_attachment_response
from community.access import member_required, staff_required
from community.models import MemberStatus, User
from community.selectors import DirectoryFilters, profile_list_directory

from . import selectors, services
from .forms import ConversationStartForm, MessageForm, RecipientSearchForm, ReportForm
from .models import MAX_PARTICIPANTS, MessageReport, ReportStatus
from .rendering import render_message_fragment

MAX_SEARCH_RESULTS = 12


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=request.is_secure()):
        return target
    return default


@member_required
def inbox(request):
    rows = selectors.inbox_for(viewer=request.user)
    return TemplateResponse(request, "messaging/inbox.html", {"rows": rows, "current_section": "messages"})


def _ids(values) -> list[int]:
    out = []
    for value in values:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk > 0 and pk not in out:
            out.append(pk)
    return out[: MAX_PARTICIPANTS * 2]


def _candidates(viewer, ids):
    return (
        User.objects.filter(pk__in=ids, is_active=True, erased_at__isnull=True, profile__status=MemberStatus.APPROVED)
        .exclude(pk=viewer.pk)
        .select_related("profile")
        .order_by("profile__display_name", "pk")
    )


@member_required
@rate_limited("message")
def conversation_create(request):
    """Choose people (from a profile, the directory or the search here), then write."""
    search = RecipientSearchForm(request.GET or None)
    chosen = _ids(request.POST.getlist("recipients") if request.method == "POST" else request.GET.getlist("a"))
    found = []
    if request.method == "GET" and search.is_valid() and search.cleaned_data["q"]:
        profiles = profile_list_directory(viewer=request.user, filters=DirectoryFilters(q=search.cleaned_data["q"]))
        found = [p for p in profiles.select_related("user").exclude(user=request.user)[:MAX_SEARCH_RESULTS] if p.user_id not in chosen]
    candidates = _candidates(request.user, chosen)
    form = ConversationStartForm(request.POST or None, request.FILES or None, candidates=candidates, initial={"recipients": chosen})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = services.conversation_start(
                actor=request.user,
                recipients=list(data["recipients"]),
                subject=data["subject"],
                body=data["body"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(conversation)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "search": search, "found": found, "chosen": chosen, "current_section": "messages", "max": MAX_PARTICIPANTS}
    return TemplateResponse(request, "messaging/conversation_create.html", context, status=status)


def _page_context(request, page, form=None):
    return {
        "page": page,
        "conversation": page.conversation,
        "form": form or MessageForm(),
        "current_section": "messages",
        "ws_url": f"/ws/messages/{page.conversation.pk}/",
    }


@member_required
def conversation_detail(request, pk):
    before = _ids([request.GET.get("avant")])
    page = selectors.conversation_page(viewer=request.user, conversation_id=pk, before=before[0] if before else None)
    if not before:
        services.conversation_mark_read(actor=request.user, conversation=page.conversation)
    return TemplateResponse(request, "messaging/conversation_detail.html", _page_context(request, page))


@member_required
@require_POST
@rate_limited("message")
def message_send(request, pk):
    participant = selectors.participation_get(viewer=request.user, conversation_id=pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = services.message_send(
                actor=request.user,
                conversation=participant.conversation,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            if _wants_json(request):
                message = selectors.messages_visible(conversation=participant.conversation).get(pk=message.pk)
                return JsonResponse({"ok": True, "message_id": message.pk, "html": render_message_fragment(message)})
            return redirect(participant.conversation.get_absolute_url() + f"#message-{message.pk}")
    if _wants_json(request):
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    page = selectors.conversation_page(viewer=request.user, conversation_id=pk)
    return TemplateResponse(request, "messaging/conversation_detail.html", _page_context(request, page, form), status=400)


@member_required
@require_POST
def conversation_read(request, pk):
    """The live page tells the server it has shown messages up to ``last_id``."""
    participant = selectors.participation_get(viewer=request.user, conversation_id=pk)
    up_to = _ids([request.POST.get("last_id")])
    services.conversation_mark_read(actor=request.user, conversation=participant.conversation, up_to_id=up_to[0] if up_to else None)
    return JsonResponse({"ok": True})


@member_required
@require_POST
def conversation_leave(request, pk):
    participant = selectors.participation_get(viewer=request.user, conversation_id=pk)
    services.conversation_leave(actor=request.user, conversation=participant.conversation)
    messages.success(request, _("Vous avez quitté la conversation."))
    return redirect("messaging:inbox")


@member_required
@rate_limited("report")
def message_report(request, pk, message_id):
    message = selectors.message_get_for_participant(viewer=request.user, conversation_id=pk, message_id=message_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_report(actor=request.user, message=message, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Merci : l'équipe du hub va examiner ce message."))
            return redirect(message.conversation)
    return TemplateResponse(
        request,
        "messaging/message_report.html",
        {"form": form, "message": message, "conversation": message.conversation, "current_section": "messages"},
    )


@member_required
def attachment_download(request, pk, attachment_id):
    att = selectors.attachment_get_for_participant(viewer=request.user, conversation_id=pk, attachment_id=attachment_id)
    return private_attachment_response(request, att)


@member_required
def blocks(request):
    return TemplateResponse(
        request, "messaging/blocks.html", {"blocks": list(selectors.blocked_members(viewer=request.user)), "current_section": "messages"}
    )


@member_required
@require_POST
def block_toggle(request, user_id):
    other = get_object_or_404(User.objects.select_related("profile"), pk=user_id, is_active=True)
    try:
        if request.POST.get("action") == "debloquer":
            services.block_delete(actor=request.user, blocked=other)
            messages.success(request, _("%(name)s peut de nouveau vous écrire.") % {"name": other.public_name})
        else:
            services.block_create(actor=request.user, blocked=other)
            messages.success(request, _("%(name)s ne peut plus vous écrire.") % {"name": other.public_name})
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    return redirect(_safe_next(request, reverse("messaging:blocks")))


@staff_required
@require_POST
def report_decide(request, report_id):
    report = get_object_or_404(MessageReport, pk=report_id, status=ReportStatus.OPEN)
    try:
        services.report_decide(
            actor=request.user, report=report, status=request.POST.get("status", ""), hide=request.POST.get("hide") == "1"
        )
    except ValidationError as exc:
        messages.error(request, validation_text(exc))
    else:
        messages.success(request, _("Signalement traité."))
    return redirect(_safe_next(request, "/"))
