"""Actions set up the way members create them: through the service, from a group origin."""

from datetime import timedelta

from django.utils import timezone

from actions import services
from actions.origins import origin_resolve


def group_origin(viewer, group):
    return origin_resolve(viewer=viewer, kind="groups.group", origin_id=group.pk)


def make_action(*, actor, group, owners, days=7, description="Envoyer le compte rendu"):
    return services.action_create(
        actor=actor,
        origin=group_origin(actor, group),
        description=description,
        owners=owners,
        due_date=timezone.localdate() + timedelta(days=days),
    )
