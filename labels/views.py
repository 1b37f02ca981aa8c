"""Label pages: thin views over ``services`` and ``selectors``.

Every page that shows an application fetches it through ``application_get_for_viewer`` (404
for anyone who may not see it); every action calls one service that checks the actor again
(403 for someone who may see but not act).
"""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error
from community.access import member_required, staff_required
from places import conf as places_conf

from . import openbadges, selectors, services
from .access import application_get_for_viewer, application_roles
from .forms import (
    AnswersForm,
    ApplyForm,
    AssignReviewersForm,
    BadgeIssueForm,
    ConflictForm,
    CorrectionsForm,
    DecisionForm,
    EvidenceForm,
    ReasonForm,
    ReviewForm,
    StateFilterForm,
    SubmitForm,
    VisitForm,
    WithdrawForm,
)
from .models import EDITABLE_STATES, Application, ApplicationState

S = ApplicationState
PAGE_SIZE = 50


def _back(application: Application):
    return redirect("labels:application_detail", pk=application.pk)


def _form_errors_to_messages(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- public ----------------------------------------------------------------------------------------
def index(request):
    page = Paginator(selectors.label_list_active(), PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "labels/index.html", {"page": page, "referential": selectors.referential_current()})


def verify(request, uid):
    assertion = selectors.assertion_get(uid=uid)
    context = {"assertion": assertion, "label": assertion.label, "revoke_form": ReasonForm(auto_id="revoke-%s")}
    return TemplateResponse(request, "labels/verify.html", context)


def _jsonld(data: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/ld+json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def ob_issuer(request):
    return _jsonld(openbadges.issuer_json())


def ob_badge_class(request, slug):
    return _jsonld(openbadges.badge_class_json(selectors.badge_class_get(slug=slug)))


def ob_assertion(request, uid):
    return _jsonld(openbadges.assertion_json(selectors.assertion_get(uid=uid)))


def badge_class_page(request, slug):
    return TemplateResponse(request, "labels/badge_class.html", {"badge": selectors.badge_class_get(slug=slug)})


def badge_image(request, slug):
    badge = selectors.badge_class_get(slug=slug)
    if badge.image:
        return FileResponse(badge.image.open("rb"), content_type="image/png" if badge.image.name.endswith(".png") else "image/jpeg")
    return HttpResponse(openbadges.generated_badge_png(badge.name, badge.kind), content_type="image/png")


# --- applicant -------------------------------------------------------------------------------------
@member_required
def my_applications(request):
    context = selectors.my_applications_page(viewer=request.user)
    context["apply_form"] = ApplyForm(places=context["places"], labelled=context["labelled"], auto_id="apply-%s")
    return TemplateResponse(request, "labels/my_applications.html", context)


@member_required
@require_POST
def application_create(request):
    place = selectors.place_get_for_application(viewer=request.user, pk=request.POST.get("place", ""))
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
    context = {
        "application": application,
        **roles,
        **data,
        "my_review": next((r for r in data["reviews"] if r.reviewer_id == request.user.pk), None),
        "label": selectors.label_of(application),
        "missing": selectors.application_missing_if_editable(application),
        "decision_form": DecisionForm() if roles["is_staff"] else None,
        "visit_form": VisitForm(auto_id="visit-%s") if roles["is_staff"] else None,
        "submit_form": SubmitForm(auto_id="submit-%s"),
        "corrections_form": CorrectionsForm(auto_id="corrections-%s"),
        "abandon_form": ReasonForm(auto_id="abandon-%s"),
        "withdraw_form": WithdrawForm(auto_id="withdraw-%s"),
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
    form = AnswersForm(request.POST or None, **selectors.application_edit_data(application=application))
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
        _form_errors_to_messages(request, form)
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


@dataclass(frozen=True)
class TextStep:
    """A workflow step that needs a text (a reason, the expected corrections)."""

    form_class: type
    field: str
    missing: str
    action: object
    done: str


TEXT_STEPS = {
    "abandon": TextStep(
        ReasonForm,
        "reason",
        gettext_lazy("Indiquez un motif."),
        services.application_abandon,
        gettext_lazy("Candidature classée sans suite."),
    ),
    "corrections": TextStep(
        CorrectionsForm,
        "comment",
        gettext_lazy("Expliquez les corrections attendues."),
        services.application_request_corrections,
        gettext_lazy("Corrections demandées : la candidature retourne au lieu."),
    ),
}


WITHDRAW = TextStep(
    WithdrawForm,
    "reason",
    gettext_lazy("Le motif du retrait est obligatoire."),
    services.label_withdraw,
    gettext_lazy("Label retiré ; son badge est révoqué."),
)
REVOKE = TextStep(
    ReasonForm, "reason", gettext_lazy("Le motif de révocation est obligatoire."), services.assertion_revoke, gettext_lazy("Badge révoqué.")
)


def _run_text_step(request, spec: TextStep, **target) -> None:
    """Check the step's text, call its service with the actor and ``target``, report the outcome
    as a message. The service checks the actor and the state; a refused step changes nothing."""
    form = spec.form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(str(spec.missing))
        spec.action(actor=request.user, **target, **{spec.field: form.cleaned_data[spec.field]})
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, str(spec.done))


@member_required
@require_POST
def application_step(request, pk, step: str):
    """Abandon (``sans-suite/``) or send back for corrections (``corrections/``): one view, the
    step comes from the URL."""
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    _run_text_step(request, TEXT_STEPS[step], application=application)
    return _back(application)


@member_required
@require_POST
def label_renew(request, pk):
    label = selectors.label_get(pk=pk)
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
    review = selectors.review_get_for_reviewer(viewer=request.user, application=application)
    if review is None:
        raise PermissionDenied
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


# --- staff ---------------------------------------------------------------------------------------------
@staff_required
def application_assign(request, pk):
    application = application_get_for_viewer(viewer=request.user, pk=pk)
    form = AssignReviewersForm(request.POST or None, candidates=selectors.reviewer_candidates(application))
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
        _form_errors_to_messages(request, form)
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
    label = selectors.label_get(pk=pk)
    _run_text_step(request, WITHDRAW, label=label)
    return _back(label.application)


@staff_required
def committee(request):
    applications = selectors.application_list_ready_for_committee()
    return TemplateResponse(request, "labels/committee.html", {"applications": applications})


@staff_required
def staff_applications(request):
    form = StateFilterForm(request.GET or None, auto_id="filter-%s")
    state = form.state() if form.is_bound else ""
    page = Paginator(selectors.application_list_staff(state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "labels/staff_applications.html", {"page": page, "state": state, "form": form})


@staff_required
def staff_dashboard(request):
    context = selectors.staff_dashboard()
    context["labels"] = selectors.label_list_active()[:200]
    context["ready_count"] = selectors.application_list_ready_for_committee().count()
    context["tile_url"] = places_conf.tile_url()
    context["tile_attribution"] = places_conf.tile_attribution()
    return TemplateResponse(request, "labels/staff_dashboard.html", context)


@staff_required
def referential_list(request):
    return TemplateResponse(request, "labels/referential_list.html", {"referentials": selectors.referential_list()})


@staff_required
def referential_detail(request, pk):
    ref, axes = selectors.referential_get(pk=pk)
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
    ref, _axes = selectors.referential_get(pk=pk)
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
        try:
            assertion = services.competence_badge_issue(
                actor=request.user,
                badge_class=form.cleaned_data["badge_class"],
                recipient=form.cleaned_data["recipient"],
                narrative=form.cleaned_data["narrative"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Badge délivré."))
            return redirect("labels:verify", uid=assertion.uid)
    return TemplateResponse(request, "labels/badge_issue.html", {"form": form, "issued": selectors.competence_badges_issued()})


@staff_required
@require_POST
def assertion_revoke(request, uid):
    assertion = selectors.assertion_get(uid=uid)
    _run_text_step(request, REVOKE, assertion=assertion)
    return redirect(reverse("labels:verify", args=[assertion.uid]))
