"""Who may read and answer a referral: its sender, its named recipient and the place's managers.
Nobody else, hub staff included: for everyone else it does not exist (404)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Referral


def readers_filter(user) -> Q:
    """Referrals ``user`` may read (sender, recipient, manager of the place)."""
    return Q(sender=user) | Q(recipient=user) | Q(place__managers=user)


def can_read(user, referral: Referral) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Referral.objects.filter(readers_filter(user), pk=referral.pk).exists()


def can_answer(user, referral: Referral) -> bool:
    """The receiving side: the named recipient, or any manager of the place."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if referral.recipient_id == user.pk:
        return True
    return referral.place.managers.filter(pk=user.pk).exists()


def referral_get_for_viewer(*, viewer, pk) -> Referral:
    """The referral if the viewer may read it; 404 otherwise (missing and hidden look the same)."""
    if viewer is None or not viewer.is_authenticated:
        raise Http404
    try:
        return (
            Referral.objects.filter(readers_filter(viewer))
            .select_related("place", "recipient", "sender", "redirected_to", "answered_by")
            .distinct()
            .get(pk=pk)
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def referral_get_for_receiver(*, viewer, pk) -> Referral:
    """404 if hidden, 403 if readable but not on the receiving side (the sender)."""
    referral = referral_get_for_viewer(viewer=viewer, pk=pk)
    if not can_answer(viewer, referral):
        raise PermissionDenied
    return referral
