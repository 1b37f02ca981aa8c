"""Action pages: my actions, a board per container, one action with its history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error
from community.access import member_required

from . import selectors, services
from .access import action_get_for_viewer, can_change
from .forms import ActionForm, CommentForm, StatusForm
from .models import ActionStatus
from .origins import origin_resolve

PAGE_SIZE = 50


def _board_context(request, qs, filters):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "actions": list(page.object_list),
        "filters": filters,
        "statuses": ActionStatus.choices,
        "querystring": request.GET.urlencode(),
    }


@member_required
def my_actions_view(request):
    filters = selectors.BoardFilters.from_query(request.GET)
    qs = selectors.my_actions(viewer=request.user, filters=filters)
    context = _board_context(request, qs, filters)
    return TemplateResponse(request, "actions/my_actions.html", context)


@member_required
def board_view(request, container):
    filters = selectors.BoardFilters.from_query(request.GET)
    qs = selectors.board_actions(viewer=request.user, container=container, filters=filters)
    if qs is None:
        raise Http404
    context = _board_context(request, qs, filters)
    context["container"] = container
    context["owners"] = selectors.board_owners(viewer=request.user, container=container)
    first = context["actions"][0] if context["actions"] else qs.model.objects.filter(container=container).first()
    context["board_title"] = first.container_title if first else ""
    return TemplateResponse(request, "actions/board.html", context)


def _origin_or_404(request, kind, origin_id):
    origin = origin_resolve(viewer=request.user, kind=kind, origin_id=origin_id)
    if origin is None:
        raise Http404
    return origin


@member_required
def action_create_view(request, kind, origin_id):
    origin = _origin_or_404(request, kind, origin_id)
    if not origin.can_add:
        raise PermissionDenied
    form = ActionForm(request.POST or None, candidates=origin.candidates)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(actor=request.user, origin=origin, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Action créée ; les responsables sont prévenu·es."))
            return redirect(origin.url if request.POST.get("retour") == "origine" else action.get_absolute_url())
    return TemplateResponse(request, "actions/action_form.html", {"form": form, "origin": origin, "action": None})


def _detail_context(request, action, **extra):
    action = selectors.action_for_page(action)
    owner_ids = {u.pk for u in action.owners.all()}
    return {
        "action": action,
        "entries": list(selectors.action_entries(action)),
        "can_change": can_change(user=request.user, action=action, owner_ids=owner_ids),
        "status_form": StatusForm(initial={"status": action.status}),
        "comment_form": CommentForm(),
        "statuses": ActionStatus.choices,
        **extra,
    }


@member_required
def action_detail_view(request, pk):
    action = action_get_for_viewer(viewer=request.user, pk=pk)
    return TemplateResponse(request, "actions/action_detail.html", _detail_context(request, action))


@member_required
def action_edit_view(request, pk):
    action = action_get_for_viewer(viewer=request.user, pk=pk)
    if not can_change(user=request.user, action=action):
        raise PermissionDenied
    origin = _origin_or_404(request, action.origin_kind, action.origin_id)
    initial = {"description": action.description, "owners": list(action.owners.all()), "due_date": action.due_date}
    form = ActionForm(request.POST or None, initial=initial, candidates=origin.candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(actor=request.user, action=action, origin=origin, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Action modifiée."))
            return redirect(action.get_absolute_url())
    return TemplateResponse(request, "actions/action_form.html", {"form": form, "origin": origin, "action": action})


@member_required
@require_POST
def action_status_view(request, pk):
    action = action_get_for_viewer(viewer=request.user, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            action = services.action_set_status(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            messages.success(request, _("Statut : %(status)s.") % {"status": action.get_status_display()})
    else:
        messages.error(request, _("Statut inconnu."))
    back = request.POST.get("retour", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect(action.get_absolute_url())


@member_required
@require_POST
def action_comment_view(request, pk):
    action = action_get_for_viewer(viewer=request.user, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.action_comment(actor=request.user, action=action, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Commentaire ajouté."))
            return redirect(action.get_absolute_url() + "#historique")
    return TemplateResponse(request, "actions/action_detail.html", _detail_context(request, action, comment_form=form), status=400)
