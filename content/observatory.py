"""The hub's observatory: figures from a few aggregate queries, each turned into a ``Chart``.

Each builder costs a fixed number of queries (one ``GROUP BY`` or two) whatever the size of the
network. ``public=True`` builds the version shown to visitors: members who keep a field private
are left out of the figures about that field, as in the directory.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from community.models import Commune, Department, MemberStatus, Metier, Profile, Skill, Visibility

from .charts import CHART_LABELS, Chart
from .models import ObservatorySettings, ResourceStatus, Theme
from .selectors import optional_model


def _members(public: bool, field: str | None = None):
    qs = Profile.objects.filter(status=MemberStatus.APPROVED, user__is_active=True)
    if public and field:
        qs = qs.exclude(**{f"visibility__{field}": Visibility.PRIVATE})
    return qs


def hub_departments() -> list[Department]:
    """The hub's territory: departments whose communes are loaded (one query)."""
    return list(Department.objects.filter(Exists(Commune.objects.filter(department=OuterRef("pk")))).order_by("code"))


def chart_members_department(public: bool = False) -> Chart:
    rows = _members(public, "territory").values("department__code", "department__name").annotate(n=Count("pk")).order_by("department__code")
    data = [[f"{r['department__name']} ({r['department__code']})" if r["department__code"] else _("Non renseigné"), r["n"]] for r in rows]
    return Chart(
        key="members_department",
        title=str(CHART_LABELS["members_department"]),
        description=_("Nombre de membres validés du réseau dans chaque département."),
        columns=[_("Département"), _("Membres")],
        rows=data,
    )


def chart_members_metier(public: bool = False) -> Chart:
    labels = dict(Metier.choices)
    rows = _members(public, "metier").values("metier").annotate(n=Count("pk")).order_by("-n", "metier")
    data = [[str(labels.get(r["metier"], _("Non renseigné"))), r["n"]] for r in rows]
    return Chart(
        key="members_metier",
        title=str(CHART_LABELS["members_metier"]),
        description=_("Nombre de membres validés par métier déclaré."),
        columns=[_("Métier"), _("Membres")],
        rows=data,
    )


def _skill_matrix(public: bool):
    """(skills, departments, counts[(skill_id, department_id)]) in three queries."""
    departments = hub_departments()
    skills = list(Skill.objects.order_by("name"))
    through = Profile.skills.through.objects.filter(profile__in=_members(public, "skills"))
    if public:
        through = through.exclude(profile__visibility__territory=Visibility.PRIVATE)
    counts = {
        (r["skill_id"], r["profile__department_id"]): r["n"]
        for r in through.filter(profile__department__isnull=False)
        .values("skill_id", "profile__department_id")
        .annotate(n=Count("profile_id", distinct=True))
    }
    return skills, departments, counts


def chart_skills_census(public: bool = False) -> Chart:
    skills, departments, counts = _skill_matrix(public)
    rows = [[skill.name, *(counts.get((skill.pk, d.pk), 0) for d in departments)] for skill in skills]
    rows = [row for row in rows if any(row[1:])] if public else rows
    return Chart(
        key="skills_census",
        title=str(CHART_LABELS["skills_census"]),
        description=_(
            "Pour chaque compétence, le nombre de membres qui la déclarent dans chaque département ; un tiret signale une absence."
        ),
        columns=[_("Compétence"), *(str(d) for d in departments)],
        rows=rows if departments else [],
        kind="matrix",
        extra={"short_columns": [d.code for d in departments]},
    )


def chart_skills_missing(public: bool = False) -> Chart:
    skills, departments, counts = _skill_matrix(public)
    rows = []
    for department in departments:
        missing = [s.name for s in skills if not counts.get((s.pk, department.pk))]
        rows.append([str(department), len(missing), ", ".join(missing)])
    rows.sort(key=lambda r: (-r[1], r[0]))
    return Chart(
        key="skills_missing",
        title=str(CHART_LABELS["skills_missing"]),
        description=_("Nombre de compétences du référentiel qu'aucun membre ne déclare dans le département."),
        columns=[_("Département"), _("Compétences absentes"), _("Lesquelles")],
        rows=rows if skills else [],
    )


def chart_resources_theme(public: bool = False) -> Chart:
    rows = (
        Theme.objects.annotate(n=Count("resources", filter=Q(resources__status=ResourceStatus.PUBLISHED)))
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values_list("name", "n")
    )
    return Chart(
        key="resources_theme",
        title=str(CHART_LABELS["resources_theme"]),
        description=_("Nombre de ressources publiées dans la ressourcerie, par thématique."),
        columns=[_("Thématique"), _("Ressources")],
        rows=[list(r) for r in rows],
    )


BUILDERS: dict[str, Callable[..., Chart | None]] = {
    "members_department": chart_members_department,
    "members_metier": chart_members_metier,
    "skills_census": chart_skills_census,
    "skills_missing": chart_skills_missing,
    "resources_theme": chart_resources_theme,
}


def public_chart_keys() -> list[str]:
    keys = ObservatorySettings.load().public_charts or []
    return [k for k in keys if k in CHART_LABELS]


def available_keys() -> list[str]:
    """Chart keys whose source app exists (events, funding, places, labels may come later)."""
    return [key for key in CHART_LABELS if key in BUILDERS and BUILDERS[key] is not None]


def chart_build(key: str, *, public: bool) -> Chart | None:
    builder = BUILDERS.get(key)
    return builder(public=public) if builder else None


def charts_for(*, viewer) -> tuple[list[Chart], bool]:
    """The charts the viewer may see (all for staff, the chosen subset for others) and whether
    the viewer sees the full (staff) version."""
    full = viewer.is_authenticated and viewer.is_hub_staff
    keys = available_keys() if full else [k for k in public_chart_keys() if k in available_keys()]
    charts = [chart_build(key, public=not full) for key in keys]
    return [c for c in charts if c is not None], full


__all__ = ["BUILDERS", "Chart", "charts_for", "chart_build", "optional_model", "public_chart_keys"]
