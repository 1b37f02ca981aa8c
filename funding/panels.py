"""Dashboard panels: "Suggéré pour vous" and "Mes alertes"."""

from community.models import is_approved_member

from . import selectors


def suggested_panel(request):
    if not is_approved_member(request.user):
        return None
    return {"calls": selectors.suggested_for(user=request.user)}


def watches_panel(request):
    if not is_approved_member(request.user):
        return None
    return {"watches": selectors.watch_list(user=request.user)}
