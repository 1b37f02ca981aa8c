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
always gives the same list. A fixed number of queries whatever the number of members (candidates'
profiles and skills as plain values, the consortium's members, départements, the référentiel, the
suggested users).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from community.models import Department, MemberStatus, OrganisationType, Profile, ProfileSkill, Skill, User

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


# What scoring reads of a profile, as plain values (no model instances: 10,000 members × their
# organisation, department and skills as objects cost seconds of Python).
_PROFILE_VALUES = ("user_id", "organisation_id", "organisation__type", "organisation__commune__department_id", "department_id")


def _profile_rows(qs) -> dict[int, tuple]:
    """{user_id: (organisation_id, organisation type, department_id)} — the organisation's
    commune's department first, else the profile's own."""
    return {uid: (org, org_type, org_dep or dep) for uid, org, org_type, org_dep, dep in qs.values_list(*_PROFILE_VALUES)}


def _skills_by_user(profiles_qs) -> dict[int, list[int]]:
    """Référentiel skill ids of each member of ``profiles_qs`` (one query, values only)."""
    result: dict[int, list[int]] = {}
    rows = (
        ProfileSkill.objects.filter(profile__in=profiles_qs.values("pk"), skill__in_referential=True)
        .order_by("profile__user_id", "skill__name")
        .values_list("profile__user_id", "skill_id")
    )
    for uid, skill_id in rows:
        result.setdefault(uid, []).append(skill_id)
    return result


def partner_suggestions(*, consortium: Consortium, limit: int = 10) -> list[Suggestion]:
    """The best partners to invite, best first, each with why."""
    call = consortium.call
    candidates_qs = Profile.objects.filter(
        status=MemberStatus.APPROVED, in_directory=True, user__is_active=True, user__erased_at__isnull=True
    ).exclude(user__funding_matching_opt_out__isnull=False)
    profiles = _profile_rows(candidates_qs.order_by("user_id"))
    skills_of = _skills_by_user(candidates_qs)
    members = ConsortiumMember.objects.filter(consortium=consortium).values_list("user_id", "status")
    taken = {
        uid
        for uid, status in members
        if status in (ConsortiumMemberStatus.ACTIVE, ConsortiumMemberStatus.INVITED, ConsortiumMemberStatus.REQUESTED)
    }
    active = {uid for uid, status in members if status == ConsortiumMemberStatus.ACTIVE}
    # what the consortium already has (members' profiles are among the candidates' profiles,
    # or loaded here when they left the directory)
    missing = active - profiles.keys()
    team = {uid: profiles[uid] for uid in active if uid in profiles}
    team_skills = {sk for uid in team for sk in skills_of.get(uid, ())}
    if missing:
        gone = Profile.objects.filter(user_id__in=missing)
        team |= _profile_rows(gone)
        team_skills |= {sk for ids in _skills_by_user(gone).values() for sk in ids}
    departments = {d.pk: d for d in Department.objects.only("id", "name", "code", "region_id")}
    skills = {sk.pk: sk for sk in Skill.objects.filter(in_referential=True).only("id", "name", "aliases")}
    covered = {dep for _org, _type, dep in team.values() if dep is not None}
    team_types = {org_type for org, org_type, _dep in team.values() if org is not None}
    wanted_types = set(text_to_codes(call.beneficiaries))
    call_themes = set(text_to_codes(call.themes))
    themed = {pk for pk, skill in skills.items() if call_themes and skill_themes(skill) & call_themes}
    type_labels = dict(OrganisationType.choices)

    def score_of(uid, org, org_type, dep, *, explain: bool):
        """The candidate's points (and, when asked, the reasons: only the suggested need them)."""
        score, reasons = 0, []
        department = departments.get(dep)
        if department is not None and dep not in covered:
            score += TERRITORY_POINTS
            if explain:
                reasons.append(_("couvre %(dep)s") % {"dep": department.name})
        own = skills_of.get(uid, ())
        new_skills = [sk for sk in own if sk not in team_skills][:MAX_NEW_SKILLS]
        score += SKILL_POINTS * len(new_skills)
        if explain:
            reasons += [_("compétence : %(skill)s") % {"skill": skills[sk].name} for sk in new_skills]
        if org is not None and org_type in wanted_types and org_type not in team_types:
            score += TYPE_POINTS
            if explain:
                reasons.append(_("type de structure : %(type)s") % {"type": type_labels.get(org_type, org_type)})
        if themed and any(sk in themed for sk in own):
            score += THEME_POINTS
            if explain:
                reasons.append(_("compétences dans les thèmes de l'appel"))
        return score, reasons

    scored = []
    for uid, (org, org_type, dep) in profiles.items():
        if uid in taken or not _in_perimeter(call, departments.get(dep)):
            continue
        score, _reasons = score_of(uid, org, org_type, dep, explain=False)
        if score:
            scored.append((-score, uid))
    scored.sort()
    best = [(neg, uid, departments.get(profiles[uid][2]), score_of(uid, *profiles[uid], explain=True)[1]) for neg, uid in scored[:limit]]
    users = User.objects.select_related("profile__organisation").in_bulk([uid for _s, uid, _d, _r in best])
    suggestions = []
    for neg_score, uid, department, reasons in best:
        user = users[uid]
        suggestions.append(
            Suggestion(user=user, organisation=user.profile.organisation, department=department, score=-neg_score, reasons=reasons)
        )
    return suggestions
