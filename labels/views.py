"""Label pages: thin views over ``services`` and ``selectors``.

Every page that shows an application fetches it through ``application_get_for_viewer`` (404
for anyone who may not see it); every action calls one service that checks the actor again
(403 for someone who may see but not act).
"""

import io
import json
from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import messages_add_validation_error
from community.access import member_required, staff_required
from community.models import User

from . import openbadges, selectors, services
from .access import application_get_for_viewer, application_roles
from .forms import (
    AnswersForm,
    AssignReviewersForm,
    BadgeIssueForm,
    ConflictForm,
    DecisionForm,
    EvidenceForm,
    ReasonForm,
    RequiredCommentForm,
    ReviewForm,
    VisitForm,
)
from .models import EDITABLE_STATES, Application, ApplicationState, Assertion, BadgeClass, Criterion, Label, Referential, Review

S = ApplicationState
PAGE_SIZE = 50


def _back(application: Application):
    return redirect("labels:application_detail", pk=application.pk)


# --- public ----------------------------------------------------------------------------------------
def index(request):
    page = Paginator(selectors.label_list_active(), PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "labels/index.html", {"page": page, "referential": services.referential_current()})


def verify(request, uid):
    assertion = get_object_or_404(Assertion.objects.select_related("badge_class", "label__place", "label__application"), uid=uid)
    return TemplateResponse(request, "labels/verify.html", {"assertion": assertion, "label": assertion.label})


def _jsonld(data: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/ld+json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def ob_issuer(request):
    return _jsonld(openbadges.issuer_json())


def ob_badge_class(request, slug):
    return _jsonld(openbadges.badge_class_json(get_object_or_404(BadgeClass, slug=slug)))


def ob_assertion(request, uid):
    assertion = get_object_or_404(Assertion.objects.select_related("badge_class"), uid=uid)
    return _jsonld(openbadges.assertion_json(assertion))


def badge_class_page(request, slug):
    badge = get_object_or_404(BadgeClass, slug=slug)
    return TemplateResponse(request, "labels/badge_class.html", {"badge": badge})


@lru_cache(maxsize=32)
def _generated_badge_png(name: str, kind: str) -> bytes:
    """A plain round badge drawn with Pillow, for badge classes without an uploaded image."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=22)

    size = 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    colour = (0, 84, 147, 255) if kind == BadgeClass.Kind.LABEL else (120, 40, 110, 255)
    draw.ellipse((8, 8, size - 8, size - 8), fill=colour, outline=(255, 255, 255, 255), width=6)
    words = (name or "Badge").split()
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) > 16 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    lines = lines[:4]
    y = size // 2 - 14 * len(lines)
    for text in lines:
        width = draw.textlength(text, font=font)
        draw.text(((size - width) / 2, y), text, fill=(255, 255, 255, 255), font=font)
        y += 28
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def badge_image(request, slug):
    badge = get_object_or_404(BadgeClass, slug=slug)
    if badge.image:
        return FileResponse(badge.image.open("rb"), content_type="image/png" if badge.image.name.endswith(".png") else "image/jpeg")
    return HttpResponse(_generated_badge_png(badge.name, badge.kind), content_type="image/png")


# --- applicant -------------------------------------------------------------------------------------
@member_required
def my_applications(request):
    from places.models import Place

    applications = list(selectors.application_list_for_manager(viewer=request.user))
    busy = {a.place_id for a in applications if a.state in (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.CORRECTIONS, S.SITE_VISIT)}
    places = [p for p in Place.objects.filter(managers=request.user).order_by("pk") if p.pk not in busy]
    labelled = set(selectors.labelled_place_ids().values_list("place_id", flat=True))
    return TemplateResponse(
        request,
        "labels/my_applications.html",
        {"applications": applications, "places": places, "labelled": labelled, "referential": services.referential_current()},
    )


@member_required
@require_POST
def application_create(request):
    from places.models import Place

    place = Place.objects.filter(pk=request.POST.get("place") or 0).first()
    if place is None:
        raise Http404
    try:
        application = services.application_create(actor=request.user, place=place)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
        return redirect("labels:my_applications")
    messages.success(request, _("Candidature créée : répondez à chaque critère puis déposez-la."))
    return redirect("labels:application_edit", pk=application.pk)


@member_required
def application_detail(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    roles = application_roles(request.user, application)
    data = selectors.application_detail_data(application=application, viewer=request.user, show_scores=roles["is_staff"])
    my_review = next((r for r in data["reviews"] if r.reviewer_id == request.user.pk), None)
    label = Label.objects.filter(application=application).select_related("assertion").first()
    context = {
        "application": application,
        **roles,
        **data,
        "my_review": my_review,
        "label": label,
        "missing": services.application_missing_required(application) if application.state in EDITABLE_STATES else [],
        "decision_form": DecisionForm() if roles["is_staff"] else None,
        "visit_form": VisitForm() if roles["is_staff"] else None,
    }
    return TemplateResponse(request, "labels/application_detail.html", context)


@member_required
def application_edit(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    if not application_roles(request.user, application)["is_manager"]:
        raise PermissionDenied
    if application.state not in EDITABLE_STATES:
        messages.error(request, _("La candidature est verrouillée : elle ne peut plus être modifiée."))
        return _back(application)
    criteria = list(Criterion.objects.filter(axis__referential=application.referential_id).select_related("axis"))
    answers = dict(application.answers.values_list("criterion_id", "text"))
    form = AnswersForm(request.POST or None, criteria=criteria, answers=answers)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_answers_save(actor=request.user, application=application, answers=form.answers())
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            messages.success(request, _("Réponses enregistrées."))
            if "submit" in request.POST:
                return application_submit(request, pk)
            return redirect("labels:application_edit", pk=application.pk)
    data = selectors.application_detail_data(application=application, viewer=request.user, show_scores=False)
    groups = []
    for axis in data["axes"]:
        groups.append({"axis": axis, "rows": [(row, form[f"answer_{row['criterion'].pk}"]) for row in axis.rows]})
    return TemplateResponse(
        request,
        "labels/application_edit.html",
        {"application": application, "form": form, "groups": groups, "evidence_form": EvidenceForm(referential=application.referential_id)},
    )


@member_required
@require_POST
def evidence_upload(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES, referential=application.referential_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.evidence_add(
                actor=request.user, application=application, criterion=form.cleaned_data["criterion"], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            messages.success(request, _("Pièce ajoutée."))
    return redirect("labels:application_edit", pk=application.pk)


@member_required
def evidence_download(request, pk, evidence_pk):
    evidence = selectors.evidence_get_for_viewer(viewer=request.user, application_pk=pk, pk=evidence_pk)
    response = FileResponse(
        evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=True, filename=evidence.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
@require_POST
def evidence_delete(request, pk, evidence_pk):
    evidence = selectors.evidence_get_for_viewer(viewer=request.user, application_pk=pk, pk=evidence_pk)
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Pièce supprimée."))
    return redirect("labels:application_edit", pk=pk)


@member_required
@require_POST
def application_submit(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    try:
        services.application_submit(actor=request.user, application=application, comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
        if application.state in EDITABLE_STATES:
            return redirect("labels:application_edit", pk=pk)
    else:
        messages.success(request, _("Candidature déposée. Elle est maintenant verrouillée."))
    return _back(application)


def _act_with_text(request, pk, *, form_class, field: str, missing, action, done):
    """A workflow step that needs a text (a reason, the expected corrections): the service checks
    the actor and the state; a missing text or a refused step changes nothing."""
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(missing)
        action(actor=request.user, application=application, **{field: form.cleaned_data[field]})
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, done)
    return _back(application)


@member_required
@require_POST
def application_abandon(request, pk):
    return _act_with_text(
        request,
        pk,
        form_class=ReasonForm,
        field="reason",
        missing=_("Indiquez un motif."),
        action=services.application_abandon,
        done=_("Candidature classée sans suite."),
    )


@member_required
@require_POST
def label_renew(request, pk):
    label = get_object_or_404(Label.objects.select_related("application", "place"), pk=pk)
    application_get_for_viewer(viewer=request.user, pk=label.application_id)  # 404 if hidden
    try:
        application = services.label_renewal_create(actor=request.user, label=label)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
        return _back(label.application)
    messages.success(request, _("Demande de renouvellement créée, préremplie avec vos réponses précédentes."))
    return redirect("labels:application_edit", pk=application.pk)


# --- review ------------------------------------------------------------------------------------------
@member_required
def review_edit(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    review = Review.objects.filter(application=application, reviewer=request.user).select_related("application__referential").first()
    if review is None:
        raise PermissionDenied
    review.application = application
    if review.no_conflict_declared_at is None:
        form = ConflictForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                kept = services.review_declare(
                    actor=request.user,
                    review=review,
                    no_conflict=form.cleaned_data["no_conflict"] == "yes",
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                messages_add_validation_error(request, exc)
                return _back(application)
            if kept is None:
                messages.info(request, _("Vous êtes retiré·e de cette évaluation ; l'équipe du hub en est informée."))
                return redirect("community:dashboard")
            return redirect("labels:review_edit", pk=pk)
        return TemplateResponse(request, "labels/review_conflict.html", {"application": application, "form": form})
    axes = selectors.review_form_data(review=review)
    criteria = [row["criterion"] for axis in axes for row in axis.rows]
    scores = {row["criterion"].pk: row["score"] for axis in axes for row in axis.rows if row["score"]}
    form = ReviewForm(request.POST or None, criteria=criteria, scores=scores, initial={"comment": review.comment})
    if request.method == "POST" and form.is_valid():
        try:
            services.review_save(
                actor=request.user,
                review=review,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                submit="submit" in request.POST,
            )
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            messages.success(request, _("Évaluation rendue.") if "submit" in request.POST else _("Évaluation enregistrée."))
            return _back(application) if "submit" in request.POST else redirect("labels:review_edit", pk=pk)
    groups = [
        {"axis": axis, "rows": [(row, form[f"score_{row['criterion'].pk}"], form[f"note_{row['criterion'].pk}"]) for row in axis.rows]}
        for axis in axes
    ]
    return TemplateResponse(
        request, "labels/review_form.html", {"application": application, "review": review, "form": form, "groups": groups}
    )


@member_required
@require_POST
def application_corrections(request, pk):
    return _act_with_text(
        request,
        pk,
        form_class=RequiredCommentForm,
        field="comment",
        missing=_("Expliquez les corrections attendues."),
        action=services.application_request_corrections,
        done=_("Corrections demandées : la candidature retourne au lieu."),
    )


# --- staff ---------------------------------------------------------------------------------------------
@staff_required
def application_assign(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    form = AssignReviewersForm(request.POST or None, candidates=services.reviewer_candidates(application))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_assign_reviewers(
                actor=request.user,
                application=application,
                reviewers=list(form.cleaned_data["reviewers"]),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            messages.success(request, _("Évaluateur·rices affecté·es."))
            return _back(application)
    return TemplateResponse(request, "labels/application_assign.html", {"application": application, "form": form})


@staff_required
@require_POST
def application_visit(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    form = VisitForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(application)
    try:
        services.application_schedule_visit(
            actor=request.user, application=application, when=form.cleaned_data["when"], comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Visite programmée."))
    return _back(application)


@staff_required
def application_decide(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_decide(
                actor=request.user,
                application=application,
                decision=data["decision"],
                reason=data["reason"],
                conditions=data["conditions"],
                validity_years=data["validity_years"],
            )
        except ValidationError as exc:
            messages_add_validation_error(request, exc)
        else:
            messages.success(request, _("Décision enregistrée."))
            return _back(application)
    data = selectors.application_detail_data(application=application, viewer=request.user, show_scores=True)
    return TemplateResponse(request, "labels/application_decide.html", {"application": application, "form": form, **data})


@staff_required
@require_POST
def label_withdraw(request, pk):
    label = get_object_or_404(Label.objects.select_related("application", "place"), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Le motif du retrait est obligatoire."))
        services.label_withdraw(actor=request.user, label=label, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Label retiré ; son badge est révoqué."))
    return _back(label.application)


@staff_required
def committee(request):
    applications = selectors.application_list_ready_for_committee()
    return TemplateResponse(request, "labels/committee.html", {"applications": applications})


@staff_required
def staff_applications(request):
    state = request.GET.get("etat", "")
    if state and state not in S.values:
        state = ""
    page = Paginator(selectors.application_list_staff(state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "labels/staff_applications.html", {"page": page, "state": state, "states": S.choices})


@staff_required
def staff_dashboard(request):
    context = selectors.staff_dashboard()
    context["labels"] = selectors.label_list_active()[:200]
    context["ready_count"] = selectors.application_list_ready_for_committee().count()
    from places import conf as places_conf  # the places app's map pieces, reused as they are

    context["tile_url"] = places_conf.tile_url()
    context["tile_attribution"] = places_conf.tile_attribution()
    return TemplateResponse(request, "labels/staff_dashboard.html", context)


@staff_required
def referential_list(request):
    refs = Referential.objects.all()
    return TemplateResponse(request, "labels/referential_list.html", {"referentials": refs})


@staff_required
def referential_detail(request, pk):
    ref = get_object_or_404(Referential, pk=pk)
    axes = ref.axes.prefetch_related("criteria")
    return TemplateResponse(request, "labels/referential_detail.html", {"referential": ref, "axes": axes})


@staff_required
@require_POST
def referential_new_version(request):
    ref = services.referential_new_version(actor=request.user)
    messages.success(request, _("Nouvelle version créée en brouillon : modifiez ses critères dans l'administration puis publiez-la."))
    return redirect("labels:referential_detail", pk=ref.pk)


@staff_required
@require_POST
def referential_publish(request, pk):
    ref = get_object_or_404(Referential, pk=pk)
    try:
        services.referential_publish(actor=request.user, referential=ref)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Version publiée : les nouvelles candidatures l'utiliseront."))
    return redirect("labels:referential_detail", pk=ref.pk)


@staff_required
def badge_issue(request):
    form = BadgeIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recipient = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if recipient is None:
            form.add_error("email", _("Aucun membre n'a cette adresse."))
        else:
            try:
                assertion = services.competence_badge_issue(
                    actor=request.user,
                    badge_class=form.cleaned_data["badge_class"],
                    recipient=recipient,
                    narrative=form.cleaned_data["narrative"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Badge délivré."))
                return redirect("labels:verify", uid=assertion.uid)
    issued = Assertion.objects.filter(label__isnull=True).select_related("badge_class")[:100]
    return TemplateResponse(request, "labels/badge_issue.html", {"form": form, "issued": issued})


@staff_required
@require_POST
def assertion_revoke(request, uid):
    assertion = get_object_or_404(Assertion, uid=uid)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Le motif de révocation est obligatoire."))
        services.assertion_revoke(actor=request.user, assertion=assertion, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Badge révoqué."))
    return redirect(reverse("labels:verify", args=[assertion.uid]))
