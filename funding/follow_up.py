"""Consortia as origins of follow-up actions (the consortium's task list, ``actions.origins``)
and their audience.

* audience ``"consortium:<id>"``: the consortia a viewer is an active member of — tasks are for
  the consortium's members only, whatever its visibility;
* origin ``"funding.consortium"``: active members add tasks and own them; the lead may change
  any of them. Listed on the board ``consortium:<id>``.
"""

from django.utils.translation import gettext_lazy as _

from actions.origins import Origin, origin_kind
from common import queries
from common.queries import CompiledQuery
from community.models import User

from .models import Consortium, ConsortiumMember, ConsortiumMemberStatus


def consortium_audiences(viewer) -> set[str]:
    if not viewer.is_authenticated:
        return set()
    return {f"consortium:{pk}" for (pk,) in _ACTIVE_CONSORTIUM_IDS.rows(user_id=viewer.pk)}


# Compiled once: the stream's audiences are asked on every page a member opens.
_ACTIVE_CONSORTIUM_IDS = CompiledQuery(
    lambda user_id: ConsortiumMember.objects.filter(user_id=user_id, status=ConsortiumMemberStatus.ACTIVE).values_list("consortium_id"),
    user_id=queries.INT,
)


def consortium_origin(viewer, consortium_id: int) -> Origin | None:
    if not viewer.is_authenticated:
        return None
    member = (
        ConsortiumMember.objects.filter(consortium_id=consortium_id, user=viewer, status=ConsortiumMemberStatus.ACTIVE)
        .select_related("consortium")
        .first()
    )
    if member is None:
        return None
    consortium: Consortium = member.consortium
    return Origin(
        kind="funding.consortium",
        id=consortium.pk,
        title=consortium.name,
        url=consortium.get_absolute_url(),
        audience=f"consortium:{consortium.pk}",
        container=f"consortium:{consortium.pk}",
        container_title=consortium.name,
        can_add=True,
        can_manage=member.is_lead,
        candidates=User.objects.filter(
            funding_consortium_memberships__consortium=consortium,
            funding_consortium_memberships__status=ConsortiumMemberStatus.ACTIVE,
            is_active=True,
        ),
    )


def register() -> None:
    origin_kind("funding.consortium", _("Consortium"), consortium_origin)
