"""Consortium pages: open one from a call, join or invite, files, application tracking, help from
the hub; the hub's view of all consortia and outcomes (CSV); the staff queue of help requests."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exports import csv_response
from common.forms import form_add_validation_error, messages_add_validation_error
from common.ratelimit import rate_limited
from community.access import member_required, staff_required
from community.selectors import user_get_by_email

from . import exports, matching, selectors, services
from .forms import (
    ApplicationForm,
    ConsortiumFileForm,
    ConsortiumForm,
    ConsortiumSettingsForm,
    InviteForm,
    JoinForm,
    MatchingOptOutForm,
    SupportAnswerForm,
    SupportForm,
)
from .models import ConsortiumMember, SupportRequest

User = get_user_model()


@member_required
def consortium_list(request):
    page = Paginator(selectors.consortium_list_for_viewer(viewer=request.user), 30).get_page(request.GET.get("page"))
    opt_out = MatchingOptOutForm(initial={"opt_out": selectors.matching_opted_out(user=request.user)})
    return TemplateResponse(request, "funding/consortium_list.html", {"page": page, "opt_out_form": opt_out})


@member_required
@require_POST
def matching_opt_out(request):
    form = MatchingOptOutForm(request.POST)
    opted_out = form.is_valid() and form.cleaned_data["opt_out"]
    services.matching_opt_out_set(actor=request.user, opted_out=opted_out)
    if opted_out:
        messages.success(request, _("Vous ne serez plus suggéré·e comme partenaire."))
    else:
        messages.success(request, _("Vous pouvez être suggéré·e comme partenaire."))
    return redirect("funding:consortium_list")


@member_required
def consortium_create(request, slug):
    call = selectors.call_get_for_viewer(viewer=request.user, slug=slug)
    form = ConsortiumForm(request.POST or None, initial={"name": call.title[:200]})
    if request.method == "POST" and form.is_valid():
        try:
            consortium = services.consortium_create(call=call, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Le consortium est ouvert. Invitez vos partenaires !"))
            return redirect(consortium.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "funding/consortium_form.html", {"form": form, "call": call}, status=status)


def _detail(request, consortium, status=200, **forms):
    page = selectors.consortium_page(consortium=consortium, viewer=request.user)
    suggest = page.is_lead and consortium.looking_for_partners and consortium.status == "preparing"
    context = {
        "suggestions": matching.partner_suggestions(consortium=consortium, limit=5) if suggest else [],
        "consortium": consortium,
        "call": consortium.call,
        "page": page,
        "join_form": JoinForm(),
        "invite_form": InviteForm(),
        "file_form": ConsortiumFileForm(),
        "support_form": SupportForm(),
        "settings_form": ConsortiumSettingsForm(
            initial={
                "looking_for_partners": consortium.looking_for_partners,
                "visibility": consortium.visibility,
                "partners_wanted": consortium.partners_wanted,
            }
        ),
        "application_form": ApplicationForm(
            consortium=consortium,
            initial={
                "status": consortium.status,
                "submitted_on": consortium.submitted_on,
                "decided_on": consortium.decided_on,
                "amount_asked": consortium.amount_asked,
                "amount_granted": consortium.amount_granted,
                "funder_answer": consortium.funder_answer,
            },
        ),
        **forms,
    }
    return TemplateResponse(request, "funding/consortium_detail.html", context, status=status)


@member_required
def consortium_detail(request, pk):
    consortium = selectors.consortium_get_for_viewer(viewer=request.user, pk=pk)
    return _detail(request, consortium)


def _post(request, pk, form_class, form_name, action, success, form_kwargs=None):
    """Validate one form of the consortium page and call ``action(consortium, data)``; errors
    re-render the page (400) with the form bound."""
    consortium = selectors.consortium_get_for_viewer(viewer=request.user, pk=pk)
    form = form_class(request.POST, request.FILES or None, **(form_kwargs(consortium) if form_kwargs else {}))
    if form.is_valid():
        try:
            action(consortium, form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(consortium.get_absolute_url())
    return _detail(request, consortium, status=400, **{form_name: form})


@member_required
@require_POST
def consortium_join(request, pk):
    return _post(
        request,
        pk,
        JoinForm,
        "join_form",
        lambda c, d: services.consortium_request_join(consortium=c, actor=request.user, role=d["role"]),
        _("Votre demande est envoyée au chef de file."),
    )


@member_required
@require_POST
def consortium_invite(request, pk):
    def invite(consortium, data):
        by_pk = data.get("member")
        user = User.objects.filter(pk=by_pk).first() if by_pk else user_get_by_email(data["email"])
        if user is None:
            raise ValidationError({"email": _("Aucun membre du réseau n'a cette adresse.")})
        services.consortium_invite(consortium=consortium, actor=request.user, user=user, role=data["role"])

    return _post(request, pk, InviteForm, "invite_form", invite, _("Invitation envoyée."))


@member_required
@require_POST
def consortium_member_decide(request, pk, member_pk):
    consortium = selectors.consortium_get_for_viewer(viewer=request.user, pk=pk)
    member = get_object_or_404(ConsortiumMember.objects.select_related("user", "consortium"), pk=member_pk, consortium=consortium)
    accept = request.POST.get("accept") == "1"
    try:
        services.consortium_member_decide(member=member, actor=request.user, accept=accept)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Demande acceptée.") if accept else _("Demande refusée."))
    return redirect(consortium.get_absolute_url())


@member_required
@require_POST
def consortium_invitation(request, pk):
    consortium = selectors.consortium_get_for_viewer(viewer=request.user, pk=pk)
    member = ConsortiumMember.objects.filter(consortium=consortium, user=request.user).select_related("consortium").first()
    if member is None:
        raise Http404
    accept = request.POST.get("accept") == "1"
    try:
        services.consortium_invitation_answer(member=member, actor=request.user, accept=accept)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Bienvenue dans le consortium !") if accept else _("Invitation déclinée."))
        if not accept and consortium.is_private:
            return redirect("funding:consortium_list")
    return redirect(consortium.get_absolute_url())


@member_required
@require_POST
def consortium_leave(request, pk):
    consortium = selectors.consortium_get_for_viewer(viewer=request.user, pk=pk)
    try:
        services.consortium_leave(consortium=consortium, actor=request.user)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
        return redirect(consortium.get_absolute_url())
    messages.success(request, _("Vous avez quitté le consortium."))
    return redirect("funding:consortium_list")


@member_required
@require_POST
def consortium_settings(request, pk):
    return _post(
        request,
        pk,
        ConsortiumSettingsForm,
        "settings_form",
        lambda c, d: services.consortium_update(consortium=c, actor=request.user, **d),
        _("Réglages enregistrés."),
    )


@member_required
@require_POST
@rate_limited("post")
def consortium_file(request, pk):
    return _post(
        request,
        pk,
        ConsortiumFileForm,
        "file_form",
        lambda c, d: services.consortium_file_add(consortium=c, actor=request.user, upload=d["file"], note=d["note"]),
        _("Fichier partagé."),
    )


@member_required
@require_POST
def consortium_application(request, pk):
    return _post(
        request,
        pk,
        ApplicationForm,
        "application_form",
        lambda c, d: services.application_update(consortium=c, actor=request.user, **d),
        _("Suivi de la candidature enregistré."),
        form_kwargs=lambda c: {"consortium": c},
    )


@member_required
@require_POST
@rate_limited("report")
def consortium_support(request, pk):
    return _post(
        request,
        pk,
        SupportForm,
        "support_form",
        lambda c, d: services.support_request_create(call=c.call, consortium=c, actor=request.user, **d),
        _("Votre demande est transmise à l'équipe du hub."),
    )


# --- The hub's view ---------------------------------------------------------------------------
@staff_required
def consortium_hub(request):
    page = Paginator(selectors.consortium_hub_list(), 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "funding/consortium_hub.html", {"page": page, "outcomes": selectors.consortium_outcomes()})


@staff_required
def consortium_hub_csv(request):
    rows = exports.consortium_export_rows(selectors.consortium_hub_list())
    return csv_response(filename="consortiums-et-resultats.csv", header=exports.consortium_export_header(), rows=rows)


@staff_required
def support_queue(request):
    page = Paginator(selectors.support_queue(status=request.GET.get("statut", "")), 50).get_page(request.GET.get("page"))
    context = {"page": page, "counts": selectors.support_open_counts(), "status": request.GET.get("statut", "")}
    return TemplateResponse(request, "funding/support_queue.html", context)


@staff_required
def support_detail(request, pk):
    support = get_object_or_404(SupportRequest.objects.select_related("call", "consortium", "requester__profile"), pk=pk)
    staff = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), is_active=True).order_by("email")
    form = SupportAnswerForm(
        request.POST or None, staff=staff, initial={"status": support.status, "assignee": support.assignee, "answer": support.answer}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.support_request_update(request=support, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Demande mise à jour."))
            return redirect("funding:support_queue")
    return TemplateResponse(request, "funding/support_detail.html", {"support": support, "form": form})


@member_required
def my_support_requests(request):
    return TemplateResponse(request, "funding/my_support_requests.html", {"requests": selectors.support_requests_of(user=request.user)})
