"""Who may see and do what on the label.

Applications are seen by the managers of the place, the applicant, the reviewers assigned and
hub staff; anyone else gets the same 404 as for a missing application. Rights to act are
checked again inside every service.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from places.access import can_manage_place

from .models import Application


def manages_place(user, place) -> bool:
    """The places app's rule (managers of the place, staff), reused as is."""
    return user.is_authenticated and bool(can_manage_place(user, place))


def is_place_manager(user, application: Application) -> bool:
    """The applicant, or an active manager of the application's place."""
    if not user.is_authenticated or not user.is_active:
        return False
    return application.applicant_id == user.pk or application.place.managers.filter(pk=user.pk).exists()


def is_assigned_reviewer(user, application: Application) -> bool:
    """A reviewer assigned to the application."""
    if not user.is_authenticated:
        return False
    return application.reviews.filter(reviewer=user).exists()


def applications_visible_to(viewer) -> QuerySet[Application]:
    """Staff see every application; others those of their places, their own, and those they review."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Application.objects.none()
    if viewer.is_hub_staff:
        return Application.objects.all()
    return Application.objects.filter(Q(applicant=viewer) | Q(place__managers=viewer) | Q(reviews__reviewer=viewer)).distinct()


def application_get_for_viewer(*, viewer, pk: int) -> Application:
    """The application if the viewer may see it; 404 otherwise, as for a missing one."""
    app = applications_visible_to(viewer).select_related("place", "referential", "applicant__profile", "renewal_of").filter(pk=pk).first()
    if app is None:
        raise Http404
    return app


def application_roles(viewer, application: Application) -> dict[str, bool]:
    """What the viewer is to the application: staff, manager (or applicant), reviewer."""
    return {
        "is_staff": viewer.is_hub_staff,
        "is_manager": is_place_manager(viewer, application),
        "is_reviewer": is_assigned_reviewer(viewer, application),
    }
