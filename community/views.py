"""Community pages: dashboard, directory, profiles, organisations, notifications, RGPD."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.registry import registry

from . import selectors, services
from .access import member_required, staff_required
from .adapter import INVITATION_SESSION_KEY
from .forms import (
    DirectoryFilterForm,
    EraseAccountForm,
    InvitationForm,
    NotificationPreferencesForm,
    OrganisationFilterForm,
    OrganisationForm,
    ProfileForm,
)
from .models import Invitation, MemberStatus, Organisation, Profile
from .notifications import notification_mark_all_read, notification_mark_read, preferences_for, preferences_update
from .rgpd import account_erase, personal_data_export

DIRECTORY_PAGE_SIZE = 24


@member_required
def dashboard(request):
    notifications = selectors.notifications_for(user=request.user)[:5]
    return TemplateResponse(
        request,
        "community/dashboard.html",
        {
            "notifications": notifications,
            "panels": registry.render_panels(registry.dashboard_panels, request),
            "profile": request.user.profile,
        },
    )


@member_required
def directory(request):
    facets = selectors.directory_facets()
    form = DirectoryFilterForm(request.GET or None, departments=facets["departments"])
    filters = selectors.DirectoryFilters()
    display = "cards"
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.DirectoryFilters(
            **{k: data.get(k) or "" for k in ("q", "department", "metier", "organisation_type", "skill", "organisation")}
        )
        display = data.get("display") or "cards"
    profiles = selectors.profile_list_directory(viewer=request.user, filters=filters)
    page = Paginator(profiles, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [(p, p.shown_fields(request.user)) for p in page.object_list]
    context = {"form": form, "page": page, "cards": cards, "display": display, "facets": facets}
    template = "community/_directory_results.html" if request.htmx else "community/directory.html"
    return TemplateResponse(request, template, context)


def profile_detail(request, pk):
    profile = selectors.profile_get_for_viewer(viewer=request.user, pk=pk)
    shown = profile.shown_fields(request.user)
    panels = registry.render_panels(registry.profile_panels, request, profile=profile) if request.user.is_authenticated else []
    return TemplateResponse(
        request, "community/profile_detail.html", {"profile": profile, "shown": shown, "panels": panels, "member": profile.user}
    )


@login_required
def profile_edit(request, pk=None):
    profile = request.user.profile if pk is None else get_object_or_404(Profile.objects.select_related("user"), pk=pk)
    if profile.user_id != request.user.pk and not request.user.is_hub_staff:
        raise PermissionDenied
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=Profile.objects.get(pk=profile.pk))
        if form.is_valid():
            try:
                services.profile_update(
                    actor=request.user,
                    profile=profile,
                    data=form.service_data(),
                    skills=form.cleaned_data["skills_text"],
                    interests=form.cleaned_data["interests_text"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Profil enregistré."))
                return redirect(profile.get_absolute_url())
    else:
        form = ProfileForm(instance=profile)
    return TemplateResponse(request, "community/profile_edit.html", {"form": form, "profile": profile})


@member_required
def organisation_list(request):
    form = OrganisationFilterForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    orgs = selectors.organisation_list(q=q, type=request.GET.get("type", ""), department=request.GET.get("department", ""))
    page = Paginator(orgs, 30).get_page(request.GET.get("page"))
    return TemplateResponse(request, "community/organisation_list.html", {"page": page, "q": q, "form": form})


@member_required
def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.select_related("commune__department"), slug=slug)
    members = selectors.organisation_members(organisation=organisation)
    return TemplateResponse(request, "community/organisation_detail.html", {"organisation": organisation, "members": members})


@member_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Organisation créée. Vous pouvez maintenant la choisir dans votre profil."))
            return redirect(org.get_absolute_url())
    return TemplateResponse(request, "community/organisation_form.html", {"form": form})


@member_required
def notification_list(request):
    unread_only = request.GET.get("non-lues") == "1"
    page = Paginator(selectors.notifications_for(user=request.user, unread_only=unread_only), 30).get_page(request.GET.get("page"))
    rows = selectors.notification_rows(page.object_list)
    return TemplateResponse(request, "community/notification_list.html", {"page": page, "rows": rows, "unread_only": unread_only})


@member_required
@require_POST
def notification_read(request, pk):
    notification_mark_read(actor=request.user, notification_id=pk)
    target = request.POST.get("next", "")
    # a path on this site only: "/\\evil.example" passes a startswith("/") test and browsers read it as "//evil.example"
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=request.is_secure()):
        return redirect(target)
    return redirect("community:notifications")


@member_required
@require_POST
def notification_read_all(request):
    count = notification_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)s notification(s) marquée(s) comme lue(s).") % {"count": count})
    return redirect("community:notifications")


@member_required
def notification_preferences(request):
    prefs = preferences_for(request.user)
    form = NotificationPreferencesForm(request.POST or None, preferences=prefs)
    if request.method == "POST" and form.is_valid():
        preferences_update(actor=request.user, choices=form.changed_choices())
        messages.success(request, _("Préférences enregistrées."))
        return redirect("community:notification_preferences")
    return TemplateResponse(request, "community/notification_preferences.html", {"form": form})


@login_required
def pending(request):
    profile = request.user.profile
    if profile.status == MemberStatus.APPROVED:
        return redirect("community:dashboard")
    return TemplateResponse(request, "community/pending.html", {"profile": profile})


@staff_required
def pending_members(request):
    return TemplateResponse(request, "community/pending_members.html", {"profiles": selectors.pending_profiles()})


@staff_required
@require_POST
def pending_member_decide(request, pk):
    profile = get_object_or_404(Profile, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.member_decide(actor=request.user, profile=profile, approve=approve)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Adhésion validée.") if approve else _("Demande refusée."))
    return redirect("community:pending_members")


@staff_required
def invitations(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(actor=request.user, email=form.cleaned_data["email"], message=form.cleaned_data["message"])
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _("Invitation envoyée."))
            return redirect("community:invitations")
    recent = Invitation.objects.select_related("invited_by__profile", "accepted_by__profile")[:50]
    return TemplateResponse(request, "community/invitations.html", {"form": form, "invitations": recent})


def invitation_accept(request, token):
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        return TemplateResponse(request, "community/invitation_invalid.html", status=404)
    request.session[INVITATION_SESSION_KEY] = invitation.token
    return redirect(f"{reverse('account_signup')}?{urlencode({'email': invitation.email})}")


@login_required
def my_data(request):
    form = EraseAccountForm()
    return TemplateResponse(request, "community/my_data.html", {"form": form, "profile": request.user.profile})


@login_required
@require_POST
def my_data_download(request):
    payload = personal_data_export(user=request.user)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="maillage-mes-donnees-{stamp}.json"'
    return response


@login_required
@require_POST
def my_data_leave_directory(request):
    leave = request.POST.get("leave") == "1"
    services.profile_leave_directory(actor=request.user, profile=request.user.profile, leave=leave)
    messages.success(request, _("Vous n'apparaissez plus dans l'annuaire.") if leave else _("Vous apparaissez de nouveau dans l'annuaire."))
    return redirect("community:my_data")


@login_required
@require_POST
def my_data_erase(request):
    form = EraseAccountForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, "community/my_data.html", {"form": form, "profile": request.user.profile}, status=400)
    user = request.user
    with transaction.atomic():
        account_erase(user=user)
    logout(request)
    messages.success(request, _("Votre compte a été supprimé. Merci d'avoir fait partie du réseau."))
    return redirect("/")
