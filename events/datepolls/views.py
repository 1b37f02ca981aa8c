"""Date-poll pages: create, answer (members and guests by their signed link), close, turn into an event."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error
from common.ratelimit import rate_limited
from community.access import member_required
from community.models import User
from groups.access import group_get_for_viewer
from groups.models import Group, MembershipStatus

from ..models import DateSlot
from . import selectors, services
from .access import can_manage, guest_from_token, poll_get_for_viewer
from .forms import AnswerForm, DatePollForm, SlotFormSet

INITIAL_SLOT_ROWS = 4


def _my_groups(user):
    return Group.objects.filter(memberships__user=user, memberships__status=MembershipStatus.ACTIVE).order_by("name")


@member_required
def datepoll_list(request):
    polls = list(selectors.polls_for_viewer(viewer=request.user))
    return TemplateResponse(request, "events/datepoll_list.html", {"polls": polls})


@member_required
@rate_limited("post")
def datepoll_create(request):
    fixed_group = group_get_for_viewer(viewer=request.user, slug=request.GET["groupe"]) if request.GET.get("groupe") else None
    groups = _my_groups(request.user)
    data = request.POST if request.method == "POST" else None
    form = DatePollForm(data, groups=groups, fixed_group=fixed_group)
    rows = INITIAL_SLOT_ROWS
    if data is not None and "plus" in data:  # without JavaScript: "more slots" re-renders with three more rows
        rows = int(data.get("form-TOTAL_FORMS", INITIAL_SLOT_ROWS) or INITIAL_SLOT_ROWS) + 3
        slots = SlotFormSet(data, prefix="form")
        slots.is_valid()
        initial = [f.cleaned_data for f in slots.forms if getattr(f, "cleaned_data", None)]
        slots = SlotFormSet(prefix="form", initial=initial + [{}] * (rows - len(initial)))
        return TemplateResponse(request, "events/datepoll_form.html", {"form": form, "slots": slots, "fixed_group": fixed_group})
    slots = SlotFormSet(data, prefix="form", initial=[{}] * rows)
    if data is not None and form.is_valid() and slots.is_valid():
        emails = form.emails_list()
        members = list(User.objects.filter(email__in=[e.lower() for e in emails], is_active=True))
        known = {m.email.lower() for m in members}
        try:
            poll = services.datepoll_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                location=form.cleaned_data["location"],
                invitees_kind=form.cleaned_data["invitees_kind"],
                group=form.cleaned_data["group"],
                anonymous=form.cleaned_data["anonymous"],
                closes_at=form.cleaned_data["closes_at"],
                slots=[r for r in (f.as_range() for f in slots.forms) if r],
                members=members,
                guest_emails=[e for e in emails if e.lower() not in known],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Sondage créé : les personnes invitées sont prévenues."))
            return redirect(poll.get_absolute_url())
    return TemplateResponse(request, "events/datepoll_form.html", {"form": form, "slots": slots, "fixed_group": fixed_group})


def _page_context(request, poll, *, guest=None, form=None):
    slots = selectors.tally(poll)
    user = request.user if guest is None else None
    initial = selectors.answer_of(poll=poll, user=user, guest=guest)
    if form is None and poll.is_open:
        form = AnswerForm(
            slots=slots,
            initial_choices=initial,
            ask_name=guest is not None,
            initial={"name": guest.answer.name if guest is not None and hasattr(guest, "answer") else ""},
        )
    return {
        "poll": poll,
        "slots": slots,
        "rows": selectors.answer_grid(poll, slots),
        "answer_count": selectors.answer_count(poll),
        "form": form,
        "answered": bool(initial),
        "guest": guest,
        "can_manage": guest is None and can_manage(user=request.user, poll=poll),
    }


@member_required
def datepoll_detail(request, token):
    poll = poll_get_for_viewer(viewer=request.user, token=token)
    return TemplateResponse(request, "events/datepoll_detail.html", _page_context(request, poll))


@member_required
@require_POST
@rate_limited("post")
def datepoll_answer(request, token):
    poll = poll_get_for_viewer(viewer=request.user, token=token)
    slots = list(poll.slots.all())
    form = AnswerForm(request.POST, slots=slots)
    if form.is_valid():
        try:
            services.datepoll_answer(actor=request.user, poll=poll, choices=form.choices())
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Réponse enregistrée. Vous pouvez la modifier jusqu'à la clôture."))
            return redirect(poll.get_absolute_url() + "#resultats")
    return TemplateResponse(request, "events/datepoll_detail.html", _page_context(request, poll, form=form), status=400)


def datepoll_guest(request, token):
    """A guest invited by e-mail answers through their signed link, without an account."""
    guest = guest_from_token(token)
    poll = guest.poll
    if request.method == "POST":
        form = AnswerForm(request.POST, slots=list(poll.slots.all()), ask_name=True)
        if form.is_valid():
            try:
                services.datepoll_answer(guest=guest, poll=poll, choices=form.choices(), name=form.cleaned_data["name"])
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("Merci, votre réponse est enregistrée. Gardez ce lien pour la modifier."))
                return redirect(request.path + "#resultats")
        return TemplateResponse(request, "events/datepoll_detail.html", _page_context(request, poll, guest=guest, form=form), status=400)
    return TemplateResponse(request, "events/datepoll_detail.html", _page_context(request, poll, guest=guest))


@member_required
@require_POST
def datepoll_close(request, token):
    poll = poll_get_for_viewer(viewer=request.user, token=token)
    if not can_manage(user=request.user, poll=poll):
        raise PermissionDenied
    services.datepoll_close(actor=request.user, poll=poll)
    messages.success(request, _("Sondage clos."))
    return redirect(poll.get_absolute_url())


@member_required
@require_POST
def datepoll_to_event(request, token):
    poll = poll_get_for_viewer(viewer=request.user, token=token)
    if not can_manage(user=request.user, poll=poll):
        raise PermissionDenied
    slot = get_object_or_404(DateSlot, poll=poll, pk=request.POST.get("slot") or 0)
    try:
        event = services.datepoll_to_event(actor=request.user, poll=poll, slot=slot)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
        return redirect(poll.get_absolute_url())
    messages.success(request, _("Événement créé ; les personnes invitées sont prévenues."))
    return redirect(event.get_absolute_url())


@member_required
@require_POST
def datepoll_invite(request, token):
    poll = poll_get_for_viewer(viewer=request.user, token=token)
    if not can_manage(user=request.user, poll=poll):
        raise PermissionDenied
    emails = [e.strip() for e in request.POST.get("emails", "").replace(",", "\n").splitlines() if e.strip()]
    try:
        added = services.datepoll_invite_guests(actor=request.user, poll=poll, emails=emails)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("%(n)s invitation(s) envoyée(s).") % {"n": added})
    return redirect(poll.get_absolute_url())
