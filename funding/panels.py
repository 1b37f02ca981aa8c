"""Dashboard panels: "Suggéré pour vous", "Mes alertes" and, for hub staff, the help requests waiting."""

from community.models import is_approved_member

from . import selectors


def suggested_panel(request):
    """Dashboard: open calls suggested for the member (members only)."""
    if not is_approved_member(request.user):
        return None
    return {"calls": selectors.suggested_for(user=request.user)}


def watches_panel(request):
    """Dashboard: the member's watches (members only)."""
    if not is_approved_member(request.user):
        return None
    return {"watches": selectors.watch_list(user=request.user)}


def support_panel(request):
    """Dashboard of hub staff: how many help requests are new or in progress (staff only)."""
    if not request.user.is_hub_staff:
        return None
    return {"counts": selectors.support_open_counts()}
