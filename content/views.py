"""Pages of the resource library and the observatory: thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.access import member_required
from community.models import Department

from . import observatory, selectors, services
from .forms import CollectionForm, RejectForm, ReportForm, ResourceFilterForm, ResourceForm
from .models import Collection, Resource, ResourceReport

PAGE_SIZE = 20


def _section(context: dict) -> dict:
    return {"current_section": "ressources", **context}


def resource_list(request):
    facets = selectors.library_facets()
    departments = list(Department.objects.filter(resources__isnull=False).distinct().order_by("code"))
    form = ResourceFilterForm(request.GET or None, facets=facets, departments=departments)
    filters = selectors.ResourceFilters()
    if form.is_valid():
        filters = selectors.ResourceFilters(**{k: form.cleaned_data.get(k) or "" for k in selectors.ResourceFilters.__dataclass_fields__})
    page = Paginator(selectors.resource_list_search(viewer=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "content/_resource_results.html" if getattr(request, "htmx", False) else "content/resource_list.html"
    return TemplateResponse(request, template, _section({"form": form, "page": page, "facets": facets}))


def resource_detail(request, slug):
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    context = {
        "resource": resource,
        "can_moderate": selectors.can_moderate(user=request.user, resource=resource),
        "voted": selectors.has_voted(user=request.user, resource=resource),
        "collections": list(selectors.collection_list_of(user=request.user)) if request.user.is_authenticated else [],
        "reject_form": RejectForm(),
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
def resource_create(request):
    form = ResourceForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_submit(
                author=request.user,
                data=form.model_data(),
                themes=form.cleaned_data["themes"],
                audiences=form.cleaned_data["audiences"],
                upload=form.cleaned_data.get("upload"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
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
    voted = services.resource_vote_toggle(resource=resource, user=request.user)
    messages.success(request, _("Merci pour votre vote.") if voted else _("Vote retiré."))
    return redirect(resource)


@member_required
def resource_report(request, slug):
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resource_report(resource=resource, reporter=request.user, reason=form.cleaned_data["reason"])
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
    services.resource_publish(resource=resource, moderator=request.user)
    messages.success(request, _("Ressource publiée."))
    return redirect(request.POST.get("next") == "moderation" and "content:moderation" or resource)


@member_required
@require_POST
def resource_reject(request, slug):
    resource = _moderatable(request, slug)
    form = RejectForm(request.POST)
    if form.is_valid():
        services.resource_reject(resource=resource, moderator=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("Ressource refusée ; son auteur·rice a été prévenu·e."))
    else:
        messages.error(request, _("Expliquez en quelques mots pourquoi la ressource est refusée."))
    return redirect(request.POST.get("next") == "moderation" and "content:moderation" or resource)


@member_required
def moderation(request):
    resources = list(selectors.resource_list_to_moderate(user=request.user))
    reports = ResourceReport.objects.filter(resolved_at__isnull=True).select_related("resource", "reporter__profile")
    if not request.user.is_hub_staff:
        reports = reports.filter(resource__group_id__in=selectors.moderated_group_ids(request.user))
    if not request.user.is_hub_staff and not resources and not selectors.moderated_group_ids(request.user).exists():
        raise PermissionDenied
    return TemplateResponse(
        request,
        "content/moderation.html",
        _section({"resources": resources, "reports": list(reports[:100]), "reject_form": RejectForm()}),
    )


@member_required
@require_POST
def report_resolve(request, pk):
    report = get_object_or_404(ResourceReport.objects.select_related("resource"), pk=pk)
    if not selectors.can_moderate(user=request.user, resource=report.resource):
        raise Http404
    services.report_resolve(report=report, moderator=request.user)
    messages.success(request, _("Signalement traité."))
    return redirect("content:moderation")


# --- Collections --------------------------------------------------------------------------------
@member_required
def collection_list(request):
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        collection = services.collection_create(owner=request.user, **form.cleaned_data)
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
            services.collection_update(collection=collection, user=request.user, **form.cleaned_data)
            messages.success(request, _("Collection mise à jour."))
            return redirect(collection)
    resources = selectors.collection_resources(viewer=request.user, collection=collection)
    context = {"collection": collection, "resources": resources, "is_owner": is_owner, "form": form}
    return TemplateResponse(request, "content/collection_detail.html", _section(context))


@member_required
@require_POST
def collection_add(request, slug):
    resource = selectors.resource_get_for_viewer(viewer=request.user, slug=slug)
    collection_slug = request.POST.get("collection", "")
    if collection_slug == "__new__" or not collection_slug:
        title = request.POST.get("new_title", "").strip() or _("Ma sélection")
        collection = services.collection_create(owner=request.user, title=title)
    else:
        collection = get_object_or_404(Collection, slug=collection_slug, owner=request.user)
    services.collection_add(collection=collection, resource=resource, user=request.user)
    messages.success(request, _("Ajoutée à la collection « %(title)s ».") % {"title": collection.title})
    return redirect(resource)


@member_required
@require_POST
def collection_remove(request, slug, resource_slug):
    collection = get_object_or_404(Collection, slug=slug, owner=request.user)
    resource = get_object_or_404(Resource, slug=resource_slug)
    services.collection_remove(collection=collection, resource=resource, user=request.user)
    messages.success(request, _("Ressource retirée de la collection."))
    return redirect(collection)


@member_required
@require_POST
def collection_delete(request, slug):
    collection = get_object_or_404(Collection, slug=slug, owner=request.user)
    services.collection_delete(collection=collection, user=request.user)
    messages.success(request, _("Collection supprimée."))
    return redirect("content:collection_list")


# --- Observatory ----------------------------------------------------------------------------------
def observatory_index(request):
    """Staff see every chart; visitors and members see the subset the hub chose to publish
    (404 when it chose none)."""
    charts, full = observatory.charts_for(viewer=request.user)
    if not full and not charts:
        raise Http404
    from .models import ObservatorySettings

    context = {"charts": charts, "full": full, "intro": ObservatorySettings.load().public_intro, "current_section": "observatoire"}
    return TemplateResponse(request, "content/observatory.html", context)


def observatory_csv(request, key):
    full = request.user.is_authenticated and request.user.is_hub_staff
    if key not in observatory.available_keys() or (not full and key not in observatory.public_chart_keys()):
        raise Http404
    chart = observatory.chart_build(key, public=not full)
    if chart is None:
        raise Http404
    response = HttpResponse("\ufeff" + chart.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="observatoire-{key}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
