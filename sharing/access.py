"""Who manages an item and who reads a booking.

An item is managed by the approved members of the organisation that lends it, and by hub staff.
Approved members see active items; an inactive item exists only for its managers (404 otherwise).
A booking is read by its borrower and the item's managers; for everyone else it does not exist.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from community.models import MemberStatus, User, is_approved_member

from .models import Booking, Item, ItemPhoto


def _organisation_id(user) -> int | None:
    profile = getattr(user, "profile", None)
    if profile is None or profile.status != MemberStatus.APPROVED:
        return None
    return profile.organisation_id


def can_manage(user, item: Item) -> bool:
    """Approved member of the lending organisation, or hub staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_hub_staff:
        return True
    org_id = _organisation_id(user)
    return org_id is not None and org_id == item.organisation_id


def managed_filter(user) -> Q:
    """Items ``user`` manages, as a filter on ``Item``."""
    if user.is_hub_staff:
        return Q()
    org_id = _organisation_id(user)
    return Q(organisation_id=org_id) if org_id else Q(pk__in=[])


def managers_of(item: Item) -> QuerySet[User]:
    """The members told about requests: approved, active members of the lending organisation."""
    return User.objects.filter(profile__organisation_id=item.organisation_id, profile__status=MemberStatus.APPROVED, is_active=True)


def item_get_for_viewer(*, viewer, pk) -> Item:
    """An active item for any approved member, an inactive one for its managers; 404 otherwise."""
    if viewer is None or not is_approved_member(viewer):
        raise Http404
    try:
        item = Item.objects.select_related("organisation", "commune").get(pk=pk)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not item.is_active and not can_manage(viewer, item):
        raise Http404
    return item


def item_get_managed(*, viewer, pk) -> Item:
    """404 if hidden, 403 if visible but not managed by the viewer."""
    item = item_get_for_viewer(viewer=viewer, pk=pk)
    if not can_manage(viewer, item):
        raise PermissionDenied
    return item


def photo_get_managed(*, viewer, item_pk, pk) -> ItemPhoto:
    """A photo of an item the viewer manages; 404 if it belongs to another item."""
    item = item_get_managed(viewer=viewer, pk=item_pk)
    try:
        photo = ItemPhoto.objects.get(pk=pk, item=item)
    except (ItemPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    photo.item = item
    return photo


def can_read_booking(user, booking: Booking) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return booking.borrower_id == user.pk or can_manage(user, booking.item)


def booking_get_for_viewer(*, viewer, pk) -> Booking:
    """The booking for its borrower and the item's managers; 404 for everyone else."""
    if viewer is None or not viewer.is_authenticated:
        raise Http404
    try:
        booking = Booking.objects.select_related("item__organisation", "item__commune", "borrower__profile", "decided_by").get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_read_booking(viewer, booking):
        raise Http404
    return booking
