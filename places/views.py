"""Places pages: thin views over ``selectors``, ``services`` and ``opendata``."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exports import csv_response
from common.forms import form_add_validation_error, messages_add_validation_error
from common.registry import registry
from community.access import member_required, staff_required

from . import conf, opendata, selectors, services
from .access import can_manage_place, place_get_for_manager, place_get_for_viewer
from .forms import ManagerAddForm, OfferForm, PlaceFilterForm, PlaceForm, PlaceImportForm

PAGE_SIZE = 20


def _section(context: dict) -> dict:
    return {"current_section": "lieux", "tile_url": conf.tile_url(), "tile_attribution": conf.tile_attribution(), **context}


def _filter_form(request) -> PlaceFilterForm:
    return PlaceFilterForm(request.GET or None, communes=selectors.place_communes())


def place_list(request):
    """The finder: published places by need, public, modality, fees, accessibility, language,
    distance and "open at", as a list with each place's open-now state, and the map (an
    enhancement: the list is complete without JavaScript and without map tiles)."""
    form = _filter_form(request)
    filters = form.filters()
    search = selectors.place_search(filters=filters)
    page = Paginator(search.pageable(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "places": selectors.place_cards(search=search, page_items=page.object_list),
        "search": search,
        "today": timezone.localdate(),
        "filtered": bool(filters),
        "map_data_url": request.path + "carte.geojson" + (f"?{query.urlencode()}" if query else ""),
    }
    template = "places/_place_results.html" if request.htmx else "places/place_list.html"
    return TemplateResponse(request, template, _section(context))


def place_map_data(request):
    """GeoJSON of the published places with a position, with the list's filters (one query)."""
    return JsonResponse(selectors.place_map_features(filters=_filter_form(request).filters()))


def place_detail(request, pk):
    """A place's page; unpublished places are shown to their managers and staff only (404 otherwise)."""
    place = place_get_for_viewer(viewer=request.user, pk=pk)
    context = {
        "place": place,
        "can_manage": can_manage_place(request.user, place),
        "panels": registry.render_panels(registry.place_panels, request, place=place),
        **selectors.place_hours(place=place),
    }
    return TemplateResponse(request, "places/place_detail.html", _section(context))


@member_required
def place_create(request):
    form = PlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            place = services.place_create(actor=request.user, data=form.data_for_service())
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            if place.is_published:
                messages.success(request, _("Le lieu est créé et publié."))
            else:
                messages.success(request, _("Le lieu est créé. L'équipe du hub le publiera après vérification."))
            return redirect(place)
    return TemplateResponse(request, "places/place_form.html", _section({"form": form, "place": None}))


@member_required
def place_edit(request, pk):
    place = place_get_for_manager(viewer=request.user, pk=pk)
    form = PlaceForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_update(actor=request.user, place=place, data=form.data_for_service())
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Les modifications sont enregistrées."))
            return redirect(place)
    return TemplateResponse(request, "places/place_form.html", _section({"form": form, "place": place}))


@member_required
def place_offer(request, pk):
    """The offer of a place (what, for whom, how, when), edited by its managers; saving confirms it."""
    place = place_get_for_manager(viewer=request.user, pk=pk)
    form = OfferForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_offer_update(actor=request.user, place=place, data=form.data_for_service())
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("L'offre est enregistrée et confirmée à la date d'aujourd'hui."))
            return redirect(place)
    return TemplateResponse(request, "places/place_offer.html", _section({"form": form, "place": place}))


@require_POST
@member_required
def place_offer_confirm(request, pk):
    """ "Still true": a manager confirms the record without changing it."""
    place = place_get_for_manager(viewer=request.user, pk=pk)
    services.place_offer_confirm(actor=request.user, place=place)
    messages.success(request, _("Merci : les informations du lieu sont confirmées à la date d'aujourd'hui."))
    return redirect(place)


@require_POST
@staff_required
def place_moderate(request, pk):
    place = place_get_for_viewer(viewer=request.user, pk=pk)
    publish = request.POST.get("action") == "publish"
    services.place_set_published(actor=request.user, place=place, published=publish)
    messages.success(request, _("Le lieu est publié.") if publish else _("Le lieu est retiré de la carte publique."))
    return redirect("places:moderation" if request.POST.get("next") == "moderation" else place)


@member_required
def place_managers(request, pk):
    """The members who manage a place, and the form to add one (its managers and staff)."""
    place = place_get_for_manager(viewer=request.user, pk=pk)
    form = ManagerAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.place_manager_add(actor=request.user, place=place, member=member)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s gère désormais ce lieu.") % {"name": member.public_name})
            return redirect("places:place_managers", pk=place.pk)
    context = {"place": place, "managers": selectors.place_manager_list(place=place), "form": form}
    return TemplateResponse(request, "places/place_managers.html", _section(context))


@require_POST
@member_required
def place_manager_remove(request, pk, user_pk):
    """Remove one manager; someone who removes themselves goes back to the place (or their places)."""
    place = place_get_for_manager(viewer=request.user, pk=pk)
    member = selectors.place_manager_get(place=place, pk=user_pk)
    try:
        services.place_manager_remove(actor=request.user, place=place, member=member)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("%(name)s ne gère plus ce lieu.") % {"name": member.public_name})
        if not can_manage_place(request.user, place):
            return redirect(place if place.is_published else "places:my_places")
    return redirect("places:place_managers", pk=place.pk)


@member_required
def my_places(request):
    return TemplateResponse(request, "places/my_places.html", _section({"places": selectors.place_list_managed_by(user=request.user)}))


@staff_required
def moderation(request):
    page = Paginator(selectors.place_list_for_moderation(), 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "places/moderation.html", _section({"page": page, "places": page.object_list}))


def open_data(request):
    """The open-data page: downloads in the national schema and, for staff, the import."""
    return TemplateResponse(request, "places/open_data.html", _section({"count": selectors.place_list_public().count()}))


def _download(content: str, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="lieux-mediation-numerique-{stamp}.{extension}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def export_csv(request):
    return _download(opendata.export_csv(), "text/csv", "csv")


def export_json(request):
    return _download(opendata.export_json(), "application/json", "json")


def export_geojson(request):
    return _download(opendata.export_geojson(), "application/geo+json", "geojson")


def export_freshness(request):
    """When each published place's record was last confirmed, and which are stale (CSV)."""
    stamp = timezone.localdate().isoformat()
    return csv_response(filename=f"lieux-fraicheur-{stamp}.csv", header=selectors.FRESHNESS_HEADER, rows=selectors.place_freshness_rows())


@staff_required
def import_places(request):
    """Staff import a schema CSV; the report lists every (row, field, message)."""
    form = PlaceImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.place_import(actor=request.user, content=form.cleaned_data["file"], mode=form.cleaned_data["mode"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
    context = {"form": form, "report": report, "report_json": json.dumps(report.as_dict()) if report else ""}
    return TemplateResponse(request, "places/import.html", _section(context))
