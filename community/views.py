"""Community pages: dashboard, directory, profiles, organisations, notifications, RGPD."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error
from common.ratelimit import rate_limited
from common.registry import registry

from . import activity, push, selectors, services
from .access import can_manage_organisation, member_required, staff_required
from .adapter import INVITATION_SESSION_KEY
from .forms import (
    ActivityCommentForm,
    DirectoryFilterForm,
    EraseAccountForm,
    InvitationForm,
    NotificationPreferencesForm,
    OrganisationFilterForm,
    OrganisationForm,
    OrganisationManagerForm,
    ProfileForm,
    StreamFilterForm,
)
from .models import ActivityComment, Invitation, MemberStatus, Organisation, Profile, is_approved_member
from .notifications import notification_mark_all_read, notification_mark_read, preferences_for, preferences_update
from .panels import stream_context
from .rgpd import account_erase, personal_data_export

DIRECTORY_PAGE_SIZE = 24


@member_required
def dashboard(request):
    """The member's home: "Mon réseau" (the stream, filtered by the query string), panels, notifications."""
    notifications = selectors.notifications_for(user=request.user)[:5]
    context, status = _stream_or_error(request, scope={}, heading=_("Mon réseau"))
    context |= {
        "notifications": notifications,
        "panels": registry.render_panels(registry.dashboard_panels, request),
        "profile": request.user.profile,
    }
    return TemplateResponse(request, "community/dashboard.html", context, status=status)


def _stream_or_error(request, *, scope: dict, **kwargs):
    """The stream context for the query string, or (context, 400) with the form's French error."""
    form = StreamFilterForm(request.GET)
    if not form.is_valid():
        context = stream_context(request, scope=scope, **kwargs)
        context["stream_error"] = " ".join(e for errors in form.errors.values() for e in errors)
        return context, 400
    page_kwargs = {k: v for k, v in form.scope().items() if k in ("filter", "cursor")}
    return stream_context(request, scope=scope, page_kwargs=page_kwargs, **kwargs), 200


@member_required
def stream(request):
    """The stream on its own page (the "load more" link without JavaScript), or, for htmx, the next
    items; ``element=<id>`` asks for one card (live insertion): 204 when it is not in this stream."""
    form = StreamFilterForm(request.GET)
    if not form.is_valid():
        errors = " ".join(e for errors in form.errors.values() for e in errors)
        if request.htmx:
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        context = stream_context(request, scope={}, heading=_("Mon réseau")) | {"stream_error": errors}
        return TemplateResponse(request, "community/stream.html", context, status=400)
    scope = {key: form.cleaned_data[key] for key in ("groupe", "membre", "organisation") if form.cleaned_data.get(key)}
    page_kwargs = {k: v for k, v in form.scope().items() if v is not None and v != ""}
    context = stream_context(request, scope=scope, heading=_("Mon réseau"), show_filters=not scope, page_kwargs=page_kwargs)
    if "only_id" in page_kwargs:
        if not context["stream"].items:
            return HttpResponse(status=204)
        return TemplateResponse(request, "community/_stream_item.html", context | {"item": context["stream"].items[0]})
    template = "community/_stream_items.html" if request.htmx else "community/stream.html"
    return TemplateResponse(request, template, context)


def _back(request, default: str):
    """Where to go after a POST from a card: ``?next=`` when it is a path of this site."""
    target = request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@member_required
def activity_detail(request, pk):
    """One stream item with every comment (404 when not visible to the viewer)."""
    item = activity.activity_get_for_viewer(viewer=request.user, pk=pk)
    item.recent_comments = list(item.comments.all())
    item.comment_form = ActivityCommentForm(prefix=f"a{item.pk}") if item.allows_comments else None
    return TemplateResponse(request, "community/activity_detail.html", {"item": item, "next_path": request.get_full_path()})


@member_required
@require_POST
@rate_limited("post")
def activity_like(request, pk):
    """Like a visible item or take the like back; htmx gets the reactions bar."""
    item, _liked = activity.activity_like_toggle(actor=request.user, pk=pk)
    if request.htmx:
        context = {"item": item, "next_path": request.GET.get("next", "")}
        return TemplateResponse(request, "community/_activity_reactions.html", context)
    return _back(request, item.get_absolute_url())


@member_required
@require_POST
@rate_limited("post")
def activity_comment(request, pk):
    """Comment a visible item; htmx gets the refreshed comments, with the form's errors if any."""
    activity.activity_get_for_viewer(viewer=request.user, pk=pk)  # 404 before reading the form
    form = ActivityCommentForm(request.POST, prefix=f"a{pk}")
    if form.is_valid():
        try:
            activity.activity_comment_create(actor=request.user, pk=pk, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            form = ActivityCommentForm(prefix=f"a{pk}")
    if request.htmx:
        item = activity.activity_get_for_viewer(viewer=request.user, pk=pk)
        item.recent_comments = list(item.comments.all())[-activity.COMMENTS_SHOWN :]
        item.comment_form = form
        context = {"item": item, "next_path": request.GET.get("next", "")}
        return TemplateResponse(request, "community/_activity_comments.html", context, status=400 if form.errors else 200)
    if form.errors:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, _("Commentaire publié."))
    return _back(request, reverse("community:activity_detail", args=[pk]))


@member_required
@require_POST
def activity_comment_delete(request, pk):
    """Delete one's own comment (staff: any); the comment must be on a visible item."""
    comment = get_object_or_404(ActivityComment.objects.select_related("activity"), pk=pk)
    if not activity.activity_visible(viewer=request.user, pk=comment.activity_id):
        raise Http404
    activity.activity_comment_delete(actor=request.user, comment=comment)
    messages.success(request, _("Commentaire supprimé."))
    return _back(request, reverse("community:activity_detail", args=[comment.activity_id]))


@member_required
@require_POST
def follow_member(request, pk):
    """Follow a member (``suivre=0`` to stop); 404 for a profile the viewer cannot see."""
    profile = selectors.profile_get_for_viewer(viewer=request.user, pk=pk)
    try:
        services.follow_set(actor=request.user, member=profile.user, follow=request.POST.get("suivre") != "0")
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    return redirect(profile.get_absolute_url())


@member_required
@require_POST
def follow_organisation(request, slug):
    """Follow an organisation (``suivre=0`` to stop)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    services.follow_set(actor=request.user, organisation=organisation, follow=request.POST.get("suivre") != "0")
    return redirect(organisation.get_absolute_url())


@member_required
def directory(request):
    facets = selectors.directory_facets()
    form = DirectoryFilterForm(
        request.GET or None, departments=facets["departments"], referential=facets["referential"], free_skills=facets["skills"]
    )
    filters = selectors.DirectoryFilters()
    display = "cards"
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.DirectoryFilters(
            **{k: data.get(k) or "" for k in ("q", "department", "metier", "organisation_type", "skill", "organisation", "level")}
        )
        display = data.get("display") or "cards"
    page = selectors.directory_page(viewer=request.user, filters=filters, number=request.GET.get("page"), per_page=DIRECTORY_PAGE_SIZE)
    cards = selectors.member_cards(page.object_list, viewer=request.user, skills=5 if display == "cards" else None)
    context = {"form": form, "page": page, "cards": cards, "display": display, "facets": facets}
    template = "community/_directory_results.html" if request.htmx else "community/directory.html"
    return TemplateResponse(request, template, context)


def profile_detail(request, pk):
    profile = selectors.profile_get_for_viewer(viewer=request.user, pk=pk)
    shown = profile.shown_fields(request.user)
    context = {"profile": profile, "shown": shown, "member": profile.user, "panels": []}
    if is_approved_member(request.user):
        context["panels"] = registry.render_panels(registry.profile_panels, request, profile=profile)
        context["following"] = selectors.follow_state(viewer=request.user, member=profile.user)
        context["follow_url"] = reverse("community:follow_member", args=[profile.pk])
        context |= stream_context(request, scope={"membre": profile.user_id}, show_filters=False, page_kwargs={"actor_id": profile.user_id})
    return TemplateResponse(request, "community/profile_detail.html", context)


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
                    skill_levels=form.skill_levels(),
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
    context = {
        "organisation": organisation,
        "members": members,
        "following": selectors.follow_state(viewer=request.user, organisation=organisation),
        "follow_url": reverse("community:follow_organisation", args=[organisation.slug]),
        "panels": registry.render_panels(registry.organisation_panels, request, organisation=organisation),
        "can_manage": can_manage_organisation(request.user, organisation),
        "managers": selectors.organisation_managers(organisation=organisation, viewer=request.user),
    }
    context |= stream_context(
        request, scope={"organisation": organisation.pk}, show_filters=False, page_kwargs={"organisation_id": organisation.pk}
    )
    return TemplateResponse(request, "community/organisation_detail.html", context)


@member_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Organisation créée. Vous pouvez maintenant la choisir dans votre profil."))
            return redirect(org.get_absolute_url())
    return TemplateResponse(request, "community/organisation_form.html", {"form": form})


def _organisation_edit_page(request, organisation, *, form, manager_form=None, status=200):
    managers = selectors.organisation_managers(organisation=organisation, viewer=request.user)
    candidates = selectors.organisation_manager_candidates(organisation=organisation)
    context = {
        "form": form,
        "organisation": organisation,
        "managers": managers,
        "can_remove_last": request.user.is_hub_staff,
        "manager_form": manager_form or OrganisationManagerForm(candidates=candidates, auto_id="manager-%s"),
    }
    return TemplateResponse(request, "community/organisation_form.html", context, status=status)


def _organisation_managed(request, slug) -> Organisation:
    """The organisation, for its managers and staff (403 for other members)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can_manage_organisation(request.user, organisation):
        raise PermissionDenied
    return organisation


@member_required
def organisation_edit(request, slug):
    """Its managers (``can_manage_organisation``: staff and its managers) edit an
    organisation and change or remove its logo, and add or remove co-managers; others get 403."""
    organisation = _organisation_managed(request, slug)
    # The form works on a copy: a ModelForm writes its values (the upload too) on its instance.
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=Organisation.objects.get(pk=organisation.pk))
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in services.ORGANISATION_EDIT_FIELDS}
        logo = (form.cleaned_data["logo"] or "") if "logo" in form.changed_data else None
        try:
            services.organisation_update(actor=request.user, organisation=organisation, data=data, logo=logo)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Organisation mise à jour."))
            return redirect(organisation.get_absolute_url())
    return _organisation_edit_page(request, organisation, form=form)


@member_required
@require_POST
def organisation_manager_add(request, slug):
    """Add a co-manager (one of its members, or any member by e-mail); they are notified."""
    organisation = _organisation_managed(request, slug)
    candidates = selectors.organisation_manager_candidates(organisation=organisation)
    manager_form = OrganisationManagerForm(request.POST, candidates=candidates, auto_id="manager-%s")
    if manager_form.is_valid():
        user = manager_form.cleaned_data["member"]
        try:
            added = services.organisation_manager_add(actor=request.user, organisation=organisation, user=user)
        except ValidationError as exc:
            form_add_validation_error(manager_form, exc)
        else:
            if added:
                messages.success(request, _("%(name)s gère désormais l'organisation avec vous.") % {"name": user.public_name})
            else:
                messages.info(request, _("%(name)s gérait déjà l'organisation.") % {"name": user.public_name})
            return redirect(reverse("community:organisation_edit", args=[organisation.slug]) + "#gestionnaires")
    form = OrganisationForm(instance=organisation)
    return _organisation_edit_page(request, organisation, form=form, manager_form=manager_form, status=400)


@member_required
@require_POST
def organisation_manager_remove(request, slug, user_id):
    """Remove a co-manager (oneself included); the last one stays unless staff remove them."""
    organisation = _organisation_managed(request, slug)
    user = get_object_or_404(organisation.managers.all(), pk=user_id)
    try:
        services.organisation_manager_remove(actor=request.user, organisation=organisation, user=user)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
        return redirect(reverse("community:organisation_edit", args=[organisation.slug]) + "#gestionnaires")
    messages.success(request, _("%(name)s ne gère plus l'organisation.") % {"name": user.public_name})
    if not can_manage_organisation(request.user, organisation):
        return redirect(organisation.get_absolute_url())  # they removed themselves
    return redirect(reverse("community:organisation_edit", args=[organisation.slug]) + "#gestionnaires")


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
    with_push = push.push_configured()
    form = NotificationPreferencesForm(request.POST or None, preferences=prefs, with_push=with_push)
    if request.method == "POST" and form.is_valid():
        preferences_update(actor=request.user, choices=form.changed_choices(), push=form.push_choices())
        messages.success(request, _("Préférences enregistrées."))
        return redirect("community:notification_preferences")
    context = {
        "form": form,
        "with_push": with_push,
        "devices": list(selectors.push_devices(viewer=request.user)) if with_push else [],
        "vapid_public_key": settings.VAPID_PUBLIC_KEY if with_push else "",
    }
    return TemplateResponse(request, "community/notification_preferences.html", context)


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


@member_required
@require_POST
@rate_limited("post")
def push_subscribe(request):
    """JSON: register this browser for push ({endpoint, keys: {p256dh, auth}}); 400 with a French error."""
    if not push.push_configured():
        return JsonResponse({"error": _("Les notifications push ne sont pas disponibles sur ce site.")}, status=404)
    data = _json_body(request)
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    try:
        subscription = push.push_subscribe(
            actor=request.user,
            endpoint=str(data.get("endpoint") or ""),
            p256dh=str(keys.get("p256dh") or ""),
            auth=str(keys.get("auth") or ""),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"id": subscription.pk, "message": _("Cet appareil recevra vos notifications.")}, status=201)


@member_required
@require_POST
def push_unsubscribe(request):
    """Forget one of my devices: JSON {endpoint} from the page's script, or the list's form (id)."""
    if request.content_type == "application/json":
        removed = push.push_unsubscribe(actor=request.user, endpoint=str(_json_body(request).get("endpoint") or ""))
        if not removed:
            raise Http404
        return JsonResponse({"message": _("Cet appareil ne recevra plus de notifications.")})
    try:
        device_id = int(request.POST.get("appareil", ""))
    except ValueError as exc:
        raise Http404 from exc
    if not push.push_unsubscribe(actor=request.user, subscription_id=device_id):
        raise Http404
    messages.success(request, _("Appareil retiré : il ne recevra plus de notifications."))
    return redirect(reverse("community:notification_preferences") + "#appareils")


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
