"""View decorators: logged in and approved; hub staff only. Who may edit an organisation."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Organisation, is_approved_member


def member_required(view):
    """Logged in (else the login page) and an approved member (pending ones are redirected by
    the middleware; refused ones get 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_approved_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def member_or_visitor(view):
    """Visitors (not logged in) reach the view, which decides what they may read (public content,
    else ``MembersOnly`` or 404); a logged-in account must be an approved member, as ``member_required``."""
    for_members = member_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        return for_members(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_hub_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def can_manage_organisation(user, organisation: Organisation) -> bool:
    """Hub staff, and the organisation's managers (its creator, others added by staff) while they
    are approved members: they may edit it and its logo. Naming it in one's profile is not enough
    (anyone may)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_hub_staff:
        return True
    return is_approved_member(user) and organisation.managers.filter(pk=user.pk).exists()
