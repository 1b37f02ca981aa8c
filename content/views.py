"""Pages of the resource library and the observatory: thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exports import csv_response
from common.forms import form_add_validation_error
from common.ratelimit import rate_limited
from community.access import member_required

from . import observatory, selectors, services
from .forms import NEW_COLLECTION, CollectionAddForm, CollectionForm, RejectForm, ReportForm, ResourceFilterForm, ResourceForm
from .models import Resource

PAGE_SIZE = 20


def _section(context: dict) -> dict:
    return {"current_section": "ressources", **context}


def resource_list(request):
    facets = selectors.library_facets()
    form = ResourceFilterForm(request.GET or None, facets=facets, departments=selectors.resource_filter_departments())
    filters = selectors.ResourceFilters()
    if form.is_valid():
        filters = selectors.ResourceFilters(**{k: form.cleaned_data.get(k) or "" for k in selectors.ResourceFilters.__dataclass_fields__})
    page = Paginator(selectors.resource_list_search(viewer=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "content/_resource_results.html" if getattr(request, "htmx", False) else "content/resource_list.html"
    return TemplateResponse(request, template, _section({"form": form, "page": page, "facets": facets}))


def resource_detail(request, slug):
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    collections = list(selectors.collection_list_of(user=request.user)) if request.user.is_authenticated else []
    context = {
        "resource": resource,
        "can_moderate": selectors.can_moderate(user=request.user, resource=resource),
        "voted": selectors.has_voted(user=request.user, resource=resource),
        "collection_form": CollectionAddForm(collections=collections, auto_id="collection-%s") if request.user.is_authenticated else None,
        "reject_form": RejectForm(published=resource.is_published),
        "origin_links": selectors.origin_links(viewer=request.user, resource=resource),
    }
    return TemplateResponse(request, "content/resource_detail.html", _section(context))


def resource_download(request, slug):
    """Serve the file as an attachment, never inline, only if the viewer may see the resource."""
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    if not resource.file:
        raise Http404
    response = FileResponse(
        resource.file.open("rb"), as_attachment=True, filename=resource.file_name or "ressource", content_type=resource.file_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache" if not resource.is_published else "public, max-age=3600"
    return response


@member_required
@rate_limited("post")
def resource_create(request):
    form = ResourceForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_submit(
                actor=request.user,
                data=form.model_data(),
                themes=form.cleaned_data["themes"],
                audiences=form.cleaned_data["audiences"],
                upload=form.cleaned_data.get("upload"),
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            if resource.is_published:
                messages.success(request, _("Ressource publiée."))
            else:
                messages.success(request, _("Merci ! Votre ressource sera relue avant sa publication."))
            return redirect(resource)
    return TemplateResponse(request, "content/resource_form.html", _section({"form": form}))


@member_required
def my_resources(request):
    resources = selectors.resource_list_submitted_by(user=request.user)
    return TemplateResponse(request, "content/my_resources.html", _section({"resources": resources}))


@member_required
@require_POST
def resource_vote(request, slug):
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    voted = services.resource_vote_toggle(actor=request.user, resource=resource)
    messages.success(request, _("Merci pour votre vote.") if voted else _("Vote retiré."))
    return redirect(resource)


@member_required
@rate_limited("report")
def resource_report(request, slug):
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_report(actor=request.user, resource=resource, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Merci, l'équipe a été prévenue."))
            return redirect(resource)
    return TemplateResponse(request, "content/resource_report.html", _section({"resource": resource, "form": form}))


def _moderatable(request, slug) -> Resource:
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    if not selectors.can_moderate(user=request.user, resource=resource):
        raise PermissionDenied
    return resource


@member_required
@require_POST
def resource_publish(request, slug):
    resource = _moderatable(request, slug)
    services.resource_publish(actor=request.user, resource=resource)
    messages.success(request, _("Ressource publiée."))
    return redirect(request.POST.get("next") == "moderation" and "content:moderation" or resource)


@member_required
@require_POST
def resource_reject(request, slug):
    resource = _moderatable(request, slug)
    form = RejectForm(request.POST)
    if form.is_valid():
        services.resource_reject(actor=request.user, resource=resource, note=form.cleaned_data["note"])
        messages.success(request, _("Ressource refusée ; son auteur·rice a été prévenu·e."))
    else:
        messages.error(request, _("Expliquez en quelques mots pourquoi la ressource est refusée."))
    return redirect(request.POST.get("next") == "moderation" and "content:moderation" or resource)


@member_required
def moderation(request):
    """Staff, and moderators of a group for its resources (403 for other members)."""
    resources = list(selectors.resource_list_to_moderate(user=request.user))
    if not request.user.is_hub_staff and not resources and not selectors.moderated_group_ids(request.user).exists():
        raise PermissionDenied
    for resource in resources:
        resource.reject_form = RejectForm(auto_id=f"reject-{resource.pk}-%s")
    context = {"resources": resources, "reports": selectors.report_list_to_moderate(user=request.user)}
    return TemplateResponse(request, "content/moderation.html", _section(context))


@member_required
@require_POST
def report_resolve(request, pk):
    report = selectors.report_get_for_moderator(user=request.user, pk=pk)
    services.report_resolve(actor=request.user, report=report)
    messages.success(request, _("Signalement traité."))
    return redirect("content:moderation")


# --- Collections --------------------------------------------------------------------------------
@member_required
def collection_list(request):
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        collection = services.collection_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Collection créée."))
        return redirect(collection)
    collections = selectors.collection_list_of(user=request.user)
    return TemplateResponse(request, "content/collection_list.html", _section({"collections": collections, "form": form}))


def collection_detail(request, slug):
    collection = selectors.collection_get_for_viewer(viewer=request.user, slug=slug)
    is_owner = request.user.is_authenticated and collection.owner_id == request.user.pk
    form = CollectionForm(request.POST or None, instance=collection) if is_owner else None
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        if form.is_valid():
            services.collection_update(actor=request.user, collection=collection, **form.cleaned_data)
            messages.success(request, _("Collection mise à jour."))
            return redirect(collection)
    resources = selectors.collection_resources(viewer=request.user, collection=collection)
    context = {"collection": collection, "resources": resources, "is_owner": is_owner, "form": form}
    return TemplateResponse(request, "content/collection_detail.html", _section(context))


@member_required
@require_POST
def collection_add(request, slug):
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    form = CollectionAddForm(request.POST, collections=selectors.collection_list_of(user=request.user))
    if not form.is_valid():
        raise Http404  # not one of the member's collections
    if form.cleaned_data["collection"] in ("", NEW_COLLECTION):
        collection = services.collection_create(actor=request.user, title=form.cleaned_data["new_title"].strip() or _("Ma sélection"))
    else:
        collection = selectors.collection_get_owned(user=request.user, slug=form.cleaned_data["collection"])
    services.collection_add(actor=request.user, collection=collection, resource=resource)
    messages.success(request, _("Ajoutée à la collection « %(title)s ».") % {"title": collection.title})
    return redirect(resource)


@member_required
@require_POST
def collection_remove(request, slug, resource_slug):
    collection = selectors.collection_get_owned(user=request.user, slug=slug)
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=resource_slug)
    services.collection_remove(actor=request.user, collection=collection, resource=resource)
    messages.success(request, _("Ressource retirée de la collection."))
    return redirect(collection)


@member_required
@require_POST
def collection_delete(request, slug):
    collection = selectors.collection_get_owned(user=request.user, slug=slug)
    services.collection_delete(actor=request.user, collection=collection)
    messages.success(request, _("Collection supprimée."))
    return redirect("content:collection_list")


# --- Observatory ----------------------------------------------------------------------------------
def observatory_index(request):
    """Staff see every chart; visitors and members see the subset the hub chose to publish
    (404 when it chose none)."""
    charts, full = observatory.charts_for(viewer=request.user)
    if not full and not charts:
        raise Http404
    context = {"charts": charts, "full": full, "intro": selectors.observatory_intro(), "current_section": "observatoire"}
    return TemplateResponse(request, "content/observatory.html", context)


def observatory_csv(request, key):
    """The rows of one chart as CSV (cells safe from spreadsheet formulas), with the same
    visibility as the page: every chart for staff, the published subset for others."""
    chart = observatory.chart_for_viewer(viewer=request.user, key=key)
    response = csv_response(filename=f"observatoire-{key}.csv", header=chart.columns, rows=chart.rows)
    response["X-Content-Type-Options"] = "nosniff"
    return response
