"""Partner matching for a consortium: deterministic, explainable suggestions.

A candidate is an approved member in the directory, not opted out, not already in (or invited
to) the consortium, working inside the call's perimeter. Points, each with its reason shown:

* +3 their department is not yet covered by the consortium ("couvre le Jura");
* +2 per skill of the référentiel no member has yet, at most two ("compétence : Accompagnement aux
  démarches administratives en ligne"); free skills (hors référentiel) do not count;
* +2 their structure is of a type the call funds and the consortium lacks
  ("type de structure : Centre social");
* +1 a référentiel skill (by its name or aliases) that matches one of the call's themes.

Candidates with no point are not suggested; ties go to the lowest member id, so the same data
always gives the same list. Three queries whatever the number of members (profiles with their
places, their skills, the consortium's members).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from community.models import MemberStatus, OrganisationType, Profile, Skill

from .filters import normalise
from .models import Consortium, ConsortiumMember, ConsortiumMemberStatus, Scope, text_to_codes
from .selectors import INTEREST_THEMES

TERRITORY_POINTS, SKILL_POINTS, TYPE_POINTS, THEME_POINTS = 3, 2, 2, 1
MAX_NEW_SKILLS = 2


@dataclass
class Suggestion:
    user: object
    organisation: object
    department: object
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)


def _department(profile):
    org = profile.organisation
    if org is not None and org.commune_id:
        return org.commune.department
    return profile.department


def _in_perimeter(call, department) -> bool:
    if call.scope == Scope.DEPARTMENT and call.department_id:
        return department is not None and department.pk == call.department_id
    if call.scope == Scope.REGION and call.region_id:
        return department is not None and department.region_id == call.region_id
    if call.scope == Scope.COMMUNE and call.commune_id:
        return department is not None and department.pk == call.commune.department_id
    return True


def skill_themes(skill) -> set[str]:
    """The call themes a référentiel skill belongs to (by its name and aliases)."""
    names = [skill.name, *skill.aliases.split(",")]
    return {str(theme) for name in names for key, theme in INTEREST_THEMES.items() if key in normalise(name)}


def partner_suggestions(*, consortium: Consortium, limit: int = 10) -> list[Suggestion]:
    """The best partners to invite, best first, each with why."""
    call = consortium.call
    skills = Prefetch("skills", queryset=Skill.objects.filter(in_referential=True).only("id", "name", "aliases").order_by("name"))
    profiles = list(
        Profile.objects.filter(status=MemberStatus.APPROVED, in_directory=True, user__is_active=True, user__erased_at__isnull=True)
        .exclude(user__funding_matching_opt_out__isnull=False)
        .select_related("user", "department__region", "organisation__commune__department__region")
        .prefetch_related(skills)
        .order_by("user_id")
    )
    members = ConsortiumMember.objects.filter(consortium=consortium).values_list("user_id", "status")
    taken = {
        uid
        for uid, status in members
        if status in (ConsortiumMemberStatus.ACTIVE, ConsortiumMemberStatus.INVITED, ConsortiumMemberStatus.REQUESTED)
    }
    active = {uid for uid, status in members if status == ConsortiumMemberStatus.ACTIVE}
    by_user = {p.user_id: p for p in profiles}
    # what the consortium already has (members' profiles are among the candidates' profiles,
    # or loaded here when they left the directory)
    missing = active - by_user.keys()
    team = [by_user[uid] for uid in active if uid in by_user]
    if missing:
        team += list(
            Profile.objects.filter(user_id__in=missing)
            .select_related("department", "organisation__commune__department")
            .prefetch_related(skills)
        )
    covered = {d.pk for p in team if (d := _department(p)) is not None}
    team_skills = {s.pk for p in team for s in p.skills.all()}
    team_types = {p.organisation.type for p in team if p.organisation is not None}
    wanted_types = set(text_to_codes(call.beneficiaries))
    call_themes = set(text_to_codes(call.themes))
    type_labels = dict(OrganisationType.choices)

    themes_of = {}  # skill id → themes, computed once per skill (not once per member)
    suggestions = []
    for profile in profiles:
        if profile.user_id in taken:
            continue
        department = _department(profile)
        if not _in_perimeter(call, department):
            continue
        s = Suggestion(user=profile.user, organisation=profile.organisation, department=department)
        if department is not None and department.pk not in covered:
            s.score += TERRITORY_POINTS
            s.reasons.append(_("couvre %(dep)s") % {"dep": department.name})
        new_skills = [sk for sk in profile.skills.all() if sk.pk not in team_skills][:MAX_NEW_SKILLS]
        for skill in new_skills:
            s.score += SKILL_POINTS
            s.reasons.append(_("compétence : %(skill)s") % {"skill": skill.name})
        org = profile.organisation
        if org is not None and org.type in wanted_types and org.type not in team_types:
            s.score += TYPE_POINTS
            s.reasons.append(_("type de structure : %(type)s") % {"type": type_labels.get(org.type, org.type)})
        if call_themes and any(
            (themes_of[sk.pk] if sk.pk in themes_of else themes_of.setdefault(sk.pk, skill_themes(sk))) & call_themes
            for sk in profile.skills.all()
        ):
            s.score += THEME_POINTS
            s.reasons.append(_("compétences dans les thèmes de l'appel"))
        if s.score:
            suggestions.append(s)
    suggestions.sort(key=lambda s: (-s.score, s.user.pk))
    return suggestions[:limit]
