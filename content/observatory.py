"""The hub's observatory: figures from a few aggregate queries, each turned into a ``Chart``.

Each builder costs a fixed number of queries (one ``GROUP BY`` or two) whatever the size of the
network. ``public=True`` builds the version shown to visitors: members who keep a field private
are left out of the figures about that field, as in the directory.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.text import normalize
from community.models import (
    Commune,
    Department,
    MemberStatus,
    Metier,
    Profile,
    ProfileSkill,
    Skill,
    SkillLevel,
    Visibility,
    levels_at_least,
)
from events.models import Event
from funding.models import FundingCall
from funding.models import Theme as FundingTheme
from funding.selectors import consortium_outcomes
from labels.models import Application, Label
from orientation.selectors import referral_counts_by_month, referral_counts_by_need
from places import conf as places_conf
from places.models import Place
from places.opening_hours import weekly_hours
from places.schema import SERVICES, split_values
from sharing.selectors import booking_counts_by_month

from .charts import CHART_LABELS, Chart
from .models import ObservatorySettings, ResourceStatus, Theme

_MEMO: ContextVar[dict | None] = ContextVar("observatory_memo", default=None)


def hub_departments() -> list[Department]:
    """The hub's territory: departments whose communes are loaded (one query)."""
    return list(Department.objects.filter(Exists(Commune.objects.filter(department=OuterRef("pk")))).order_by("code"))


def _member_groups(public: bool) -> list[dict]:
    """Approved members counted per (département, métier) in one query; both member charts
    read it. In the public version, a member hiding a field is left out of the chart on it."""
    memo = _MEMO.get()
    if memo is not None and ("members", public) in memo:
        return memo[("members", public)]
    qs = Profile.objects.filter(status=MemberStatus.APPROVED, user__is_active=True)
    annotations = {"n": Count("pk")}
    if public:
        annotations["n_territory"] = Count("pk", filter=~Q(visibility__territory=Visibility.PRIVATE))
        annotations["n_metier"] = Count("pk", filter=~Q(visibility__metier=Visibility.PRIVATE))
    rows = list(qs.values("department__code", "department__name", "metier").annotate(**annotations).order_by())
    for row in rows:
        row.setdefault("n_territory", row["n"])
        row.setdefault("n_metier", row["n"])
    if memo is not None:
        memo[("members", public)] = rows
    return rows


def chart_members_department(public: bool = False) -> Chart:
    totals: dict[tuple, int] = {}
    for r in _member_groups(public):
        key = (r["department__code"] or "", r["department__name"] or "")
        totals[key] = totals.get(key, 0) + r["n_territory"]
    data = [
        [f"{name} ({code})" if code else _("Non renseigné"), n]
        for (code, name), n in sorted(totals.items(), key=lambda kv: (kv[0][0] == "", kv[0][0]))
        if n
    ]
    return Chart(
        key="members_department",
        title=str(CHART_LABELS["members_department"]),
        description=_("Nombre de membres validés du réseau dans chaque département."),
        columns=[_("Département"), _("Membres")],
        rows=data,
    )


def chart_members_metier(public: bool = False) -> Chart:
    labels = dict(Metier.choices)
    totals: dict[str, int] = {}
    for r in _member_groups(public):
        totals[r["metier"] or ""] = totals.get(r["metier"] or "", 0) + r["n_metier"]
    data = [[str(labels.get(code, _("Non renseigné"))), n] for code, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if n]
    return Chart(
        key="members_metier",
        title=str(CHART_LABELS["members_metier"]),
        description=_("Nombre de membres validés par métier déclaré."),
        columns=[_("Métier"), _("Membres")],
        rows=data,
    )


def _skill_matrix(public: bool):
    """(référentiel skills, departments, counts[(skill_id, department_id)], free skills declared)
    in three queries; memoised for the duration of one ``charts_for`` call, since two charts read
    it. Only the référentiel's skills make the charts; the free ones (``in_referential=False``,
    typed by members) are only counted: how many are declared by at least one counted member."""
    memo = _MEMO.get()
    if memo is not None and ("skills", public) in memo:
        return memo[("skills", public)]
    departments = hub_departments()
    all_skills = list(Skill.objects.order_by("name").only("pk", "name", "in_referential"))
    skills = [s for s in all_skills if s.in_referential]
    through = Profile.skills.through.objects.filter(
        profile__status=MemberStatus.APPROVED, profile__user__is_active=True, profile__department__isnull=False
    )
    if public:
        through = through.exclude(profile__visibility__skills=Visibility.PRIVATE).exclude(profile__visibility__territory=Visibility.PRIVATE)
    # (profile, skill) pairs are unique in the M2M table: a plain COUNT is a count of members.
    counts = {
        (r["skill_id"], r["profile__department_id"]): r["n"]
        for r in through.values("skill_id", "profile__department_id").annotate(n=Count("pk")).order_by()
    }
    declared = {skill_id for skill_id, _department in counts}
    free = sum(1 for s in all_skills if not s.in_referential and s.pk in declared)
    result = (skills, departments, counts, free)
    if memo is not None:
        memo[("skills", public)] = result
    return result


def _free_skills_note(free: int) -> str:
    """The one line for the free skills, left out of the charts, the tables and the CSV."""
    return ngettext(
        "%(n)s compétence hors référentiel (saisie librement par les membres) n'est pas comptée ici.",
        "%(n)s compétences hors référentiel (saisies librement par les membres) ne sont pas comptées ici.",
        free,
    ) % {"n": free}


def chart_skills_census(public: bool = False) -> Chart:
    skills, departments, counts, free = _skill_matrix(public)
    rows = [[skill.name, *(counts.get((skill.pk, d.pk), 0) for d in departments)] for skill in skills]
    rows = [row for row in rows if any(row[1:])] if public else rows
    return Chart(
        key="skills_census",
        title=str(CHART_LABELS["skills_census"]),
        description=_(
            "Pour chaque compétence du référentiel, le nombre de membres qui la déclarent dans chaque département ; "
            "un tiret signale une absence."
        ),
        columns=[_("Compétence"), *(str(d) for d in departments)],
        rows=rows if departments else [],
        kind="matrix",
        note=_free_skills_note(free) if free else "",
        extra={"short_columns": [d.code for d in departments], "free_skills": free},
    )


def chart_skills_missing(public: bool = False) -> Chart:
    skills, departments, counts, free = _skill_matrix(public)
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
        note=_free_skills_note(free) if free else "",
        extra={"free_skills": free},
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


def chart_events_month(public: bool = False) -> Chart | None:
    """Published events per month over the last twelve months, with sign-ups and attendance."""
    since = (timezone.now() - timedelta(days=365)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    events = Event.objects.filter(state="published", start__gte=since)
    if public:
        events = events.filter(audience="public")
    rows = []
    for r in (
        events.annotate(month=TruncMonth("start"))
        .values("month")
        .annotate(
            n=Count("pk", distinct=True),
            signed=Count("registrations", filter=Q(registrations__status__in=["confirmed", "offered"])),
            attended=Count("registrations", filter=Q(registrations__attended_at__isnull=False)),
        )
        .order_by("month")
    ):
        rows.append([date_format(r["month"], "YEAR_MONTH_FORMAT"), r["n"], r["signed"], r["attended"]])
    return Chart(
        key="events_month",
        title=str(CHART_LABELS["events_month"]),
        description=_("Nombre d'événements publiés par mois sur douze mois, avec les inscriptions confirmées et les présences."),
        columns=[_("Mois"), _("Événements"), _("Inscriptions confirmées"), _("Présences")],
        rows=rows,
        note=_("La barre représente le nombre d'événements ; inscriptions et présences figurent dans le tableau."),
    )


def chart_places_state(public: bool = False) -> Chart | None:
    """Places per department (from the postcode) with their state, plus a point map (SVG)."""
    places = Place.objects.filter(is_published=True) if public else Place.objects.all()
    rows = list(
        places.annotate(dep=Substr("code_postal", 1, 2))
        .values("dep")
        .annotate(
            n=Count("pk"),
            published=Count("pk", filter=Q(is_published=True)),
            labelled=Count("pk", filter=Q(is_labelled=True)),
        )
        .order_by("dep")
    )
    names = dict(Department.objects.filter(code__in=[r["dep"] for r in rows]).values_list("code", "name"))
    points = list(places.filter(latitude__isnull=False, longitude__isnull=False).values_list("longitude", "latitude", "is_labelled"))
    return Chart(
        key="places_state",
        title=str(CHART_LABELS["places_state"]),
        description=_("Lieux de médiation numérique par département : total, publiés et labellisés ; la carte place chaque lieu."),
        columns=[_("Département"), _("Lieux"), _("Publiés"), _("Labellisés")],
        rows=[[f"{names.get(r['dep'], r['dep'])} ({r['dep']})", r["n"], r["published"], r["labelled"]] for r in rows],
        extra={"points": points},
    )


def chart_labels_state(public: bool = False) -> Chart | None:
    """Label applications by state and labels by status (two GROUP BY queries)."""
    app_labels = dict(Application._meta.get_field("state").choices)
    label_labels = dict(Label._meta.get_field("status").choices)
    rows = [
        [_("Candidature : %(state)s") % {"state": app_labels.get(r["state"], r["state"])}, r["n"]]
        for r in Application.objects.values("state").annotate(n=Count("pk")).order_by("state")
    ]
    rows += [
        [_("Label : %(state)s") % {"state": label_labels.get(r["status"], r["status"])}, r["n"]]
        for r in Label.objects.values("status").annotate(n=Count("pk")).order_by("status")
    ]
    return Chart(
        key="labels_state",
        title=str(CHART_LABELS["labels_state"]),
        description=_("Nombre de candidatures au label par état, et de labels par statut."),
        columns=[_("État"), _("Nombre")],
        rows=rows,
    )


def chart_funding_theme(public: bool = False) -> Chart | None:
    """Published calls per theme and deadline bucket, in one aggregate query (themes are stored
    as ``,code,code,`` text by the funding app)."""
    theme_choices = FundingTheme
    today = timezone.localdate()
    soon = today + timedelta(days=30)
    buckets = {
        "soon": Q(is_permanent=False, deadline__gte=today, deadline__lte=soon),
        "later": Q(is_permanent=False, deadline__gt=soon),
        "none": Q(is_permanent=True) | Q(deadline__isnull=True),
        "past": Q(is_permanent=False, deadline__lt=today),
    }
    aggregates = {}
    for code, _label in theme_choices.choices:
        for bucket, q in buckets.items():
            aggregates[f"{code}__{bucket}"] = Count("pk", filter=Q(themes__contains=f",{code},") & q)
    totals = FundingCall.objects.filter(state__in=["published", "closed"]).aggregate(**aggregates)
    rows = [
        [str(label), *(totals[f"{code}__{bucket}"] for bucket in buckets)]
        for code, label in theme_choices.choices
        if any(totals[f"{code}__{bucket}"] for bucket in buckets)
    ]
    return Chart(
        key="funding_theme",
        title=str(CHART_LABELS["funding_theme"]),
        description=_("Appels publiés par thématique, selon leur date limite : dans les 30 jours, plus tard, sans date limite, passée."),
        columns=[_("Thématique"), _("Échéance sous 30 jours"), _("Échéance plus lointaine"), _("Sans date limite"), _("Échéance passée")],
        rows=rows,
        kind="matrix",
        extra={"short_columns": ["≤ 30 j", "> 30 j", "sans", "passée"]},
    )


def chart_consortia_department(public: bool = False) -> Chart:
    """What consortia answered and won per department of their lead structure, from the hub's own
    selector (one rule for the hub's view and the observatory): counts and amounts only, never a
    consortium's name. The public version leaves private consortia out."""
    outcomes = consortium_outcomes(include_private=not public)
    return Chart(
        key="consortia_department",
        title=str(CHART_LABELS["consortia_department"]),
        description=_(
            "Pour chaque département de la structure cheffe de file : montant obtenu, appels auxquels des consortiums "
            "répondent, candidatures déposées, candidatures retenues et taux de réussite (retenues sur réponses reçues "
            "des financeurs)."
        ),
        columns=[
            _("Département"),
            _("Montant obtenu (€)"),
            _("Appels visés"),
            _("Candidatures déposées"),
            _("Candidatures retenues"),
            _("Taux de réussite (%)"),
        ],
        rows=[
            [
                f"{t.name} ({t.code})" if t.code else _("Non renseigné"),
                t.granted,
                t.calls_answered,
                t.submitted,
                t.won,
                t.success_rate,
            ]
            for t in outcomes.by_territory
        ],
        note=_("La barre représente le montant obtenu ; les autres colonnes figurent dans le tableau. Un tiret : aucune réponse reçue."),
        extra={"unit": "€"},
    )


def chart_referrals_month(public: bool = False) -> Chart | None:
    """Fiches d'orientation per month over twelve months, and how many places received them
    (counts only: the referrals' personal data never reaches the observatory)."""
    since = (timezone.now() - timedelta(days=365)).date().replace(day=1)
    months: dict = {}
    for row in referral_counts_by_month(since=since):
        month = months.setdefault(row["month"], {"n": 0, "places": 0})
        month["n"] += row["count"]
        month["places"] += 1
    return Chart(
        key="referrals_month",
        title=str(CHART_LABELS["referrals_month"]),
        description=_("Nombre de fiches d'orientation envoyées par mois sur douze mois, et nombre de lieux qui en ont reçu."),
        columns=[_("Mois"), _("Orientations"), _("Lieux destinataires")],
        rows=[[date_format(m, "YEAR_MONTH_FORMAT"), v["n"], v["places"]] for m, v in sorted(months.items())],
    )


def chart_bookings_month(public: bool = False) -> Chart | None:
    """Bookings of shared equipment and rooms per month (by start) over twelve months, and how
    many items were booked: counts only, nobody's name."""
    since = (timezone.now() - timedelta(days=365)).date().replace(day=1)
    rows = booking_counts_by_month(since=since)
    return Chart(
        key="bookings_month",
        title=str(CHART_LABELS["bookings_month"]),
        description=_("Nombre de réservations de matériel et de salles par mois (hors refus et annulations), et nombre d'objets réservés."),
        columns=[_("Mois"), _("Réservations"), _("Objets réservés")],
        rows=[[date_format(r["month"], "YEAR_MONTH_FORMAT"), r["count"], r["items"]] for r in rows],
    )


# --- Skills gaps (issue 14 item 5) --------------------------------------------------------------
GAP_MONTHS = 12


def _skill_demand():
    """Per référentiel skill, the demand over twelve months: referrals whose need is one of the
    skill's orientation needs, and events whose title or keywords name the skill or an alias
    (accent- and case-free). Three queries (skills, referral counts by need, events)."""
    since = timezone.now() - timedelta(days=30 * GAP_MONTHS)
    skills = list(Skill.objects.filter(in_referential=True).select_related("category").order_by("category__position", "name"))
    by_need = dict(referral_counts_by_need(since=since.date()))
    events = [
        f" {normalize(title)} {normalize(tags.replace(',', ' '))} "
        for title, tags in Event.objects.filter(start__gte=since).values_list("title", "tags")
    ]
    demand = {}
    for skill in skills:
        keys = [f" {key} " for key in skill.alias_keys]
        demand[skill.pk] = (
            sum(by_need.get(need, 0) for need in skill.need_list),
            sum(1 for text in events if any(key in text for key in keys)),
        )
    return skills, demand


def chart_skills_gaps(public: bool = False) -> Chart:
    """Skills asked for (referrals, events) but rare in the network, with the rule spelled out."""
    skills, demand = _skill_demand()
    holders = ProfileSkill.objects.filter(
        skill__in=skills,
        level__in=levels_at_least(SkillLevel.CONFIRMED),
        profile__status=MemberStatus.APPROVED,
        profile__user__is_active=True,
    )
    if public:
        holders = holders.exclude(profile__visibility__skills=Visibility.PRIVATE)
    supply = dict(holders.values("skill_id").annotate(n=Count("pk")).order_by().values_list("skill_id", "n"))
    rows = []
    for skill in skills:
        referrals, events = demand[skill.pk]
        asked, members = referrals + events, supply.get(skill.pk, 0)
        if asked or members:
            rows.append([skill.name, asked, referrals, events, members, _("oui") if asked > members else _("non")])
    rows.sort(key=lambda r: (r[5] != _("oui"), -(r[1] - r[4]), r[0]))
    return Chart(
        key="skills_gaps",
        title=str(CHART_LABELS["skills_gaps"]),
        description=_(
            "Pour chaque compétence du référentiel, la demande sur douze mois — orientations vers un lieu pour un besoin que "
            "cette compétence sert, plus événements dont le titre ou les mots-clés la nomment — et le nombre de membres qui la "
            "maîtrisent (niveau confirmé ou expert). Une compétence est un manque quand elle a été demandée plus de fois que le "
            "réseau ne compte de membres qui la maîtrisent."
        ),
        columns=[
            _("Compétence"),
            _("Demandes"),
            _("dont orientations"),
            _("dont événements"),
            _("Membres confirmés ou experts"),
            _("Manque"),
        ],
        rows=rows,
        note=_("La barre représente la demande ; les membres qui maîtrisent la compétence figurent dans le tableau."),
    )


# --- Offer coverage (issue 14 item 6) -------------------------------------------------------------
def _offer_places(public: bool) -> list[dict]:
    """Published places with their department (from the postcode), weekly opening hours (this
    week, from the OSM ``horaires``), services and staleness: one query; hours parsed once per
    distinct ``horaires`` text; memoised for one ``charts_for`` call (three charts read it)."""
    memo = _MEMO.get()
    if memo is not None and "offer" in memo:
        return memo["offer"]
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    stale_before = places_conf.stale_before()
    hours_of: dict[str, float] = {}
    rows = []
    for pk, nom, commune, postcode, horaires, services, confirmed, updated in (
        Place.objects.filter(is_published=True)
        .order_by("code_postal", "commune", "nom")
        .values_list("pk", "nom", "commune", "code_postal", "horaires", "services", "confirmed_on", "date_maj")
    ):
        if horaires not in hours_of:
            hours_of[horaires] = weekly_hours(horaires, monday)
        last = confirmed or updated
        rows.append(
            {
                "pk": pk,
                "nom": nom,
                "commune": commune,
                "dep": postcode[:2],
                "hours": hours_of[horaires],
                "services": set(split_values(services)),
                "last": last,
                "stale": last is not None and last < stale_before,
            }
        )
    if memo is not None:
        memo["offer"] = rows
    return rows


def _department_names(codes) -> dict[str, str]:
    return dict(Department.objects.filter(code__in=set(codes)).values_list("code", "name"))


def chart_offer_department(public: bool = False) -> Chart:
    """Offer per department: places, hours per week, services offered and missing, stale places."""
    places = _offer_places(public)
    groups: dict[str, list[dict]] = {}
    for place in places:
        groups.setdefault(place["dep"], []).append(place)
    names = _department_names(groups)
    rows = []
    for dep, items in sorted(groups.items()):
        offered = set().union(*(p["services"] for p in items))
        missing = [service for service in SERVICES if service not in offered]
        rows.append(
            [
                f"{names.get(dep, dep)} ({dep})",
                len(items),
                round(sum(p["hours"] for p in items), 1),
                len([s for s in SERVICES if s in offered]),
                ", ".join(missing),
                sum(1 for p in items if p["stale"]),
            ]
        )
    return Chart(
        key="offer_department",
        title=str(CHART_LABELS["offer_department"]),
        description=_(
            "Lieux publiés par département, heures d'ouverture cumulées sur la semaine en cours (d'après leurs horaires), "
            "nombre de services du schéma national proposés (sur %(n)s), services absents et lieux dont les informations "
            "n'ont pas été confirmées depuis plus de douze mois."
        )
        % {"n": len(SERVICES)},
        columns=[
            _("Département"),
            _("Lieux"),
            _("Heures d'ouverture par semaine"),
            _("Services proposés"),
            _("Services absents"),
            _("Lieux à confirmer"),
        ],
        rows=rows,
        note=_("La barre représente le nombre de lieux ; les autres colonnes figurent dans le tableau."),
    )


def chart_offer_commune(public: bool = False) -> Chart:
    """Offer per commune: places, hours per week, services offered."""
    groups: dict[tuple, list[dict]] = {}
    for place in _offer_places(public):
        groups.setdefault((place["commune"], place["dep"]), []).append(place)
    rows = []
    for (commune, dep), items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        offered = set().union(*(p["services"] for p in items))
        rows.append(
            [
                f"{commune} ({dep})",
                len(items),
                round(sum(p["hours"] for p in items), 1),
                len([s for s in SERVICES if s in offered]),
                sum(1 for p in items if p["stale"]),
            ]
        )
    return Chart(
        key="offer_commune",
        title=str(CHART_LABELS["offer_commune"]),
        description=_(
            "Lieux publiés par commune, heures d'ouverture cumulées sur la semaine en cours, nombre de services du schéma "
            "national proposés et lieux à confirmer."
        ),
        columns=[_("Commune"), _("Lieux"), _("Heures d'ouverture par semaine"), _("Services proposés"), _("Lieux à confirmer")],
        rows=rows,
    )


def chart_places_stale(public: bool = False) -> Chart:
    """Published places whose record was not confirmed for twelve months (``PLACES_STALE_MONTHS``)."""
    stale = [p for p in _offer_places(public) if p["stale"]]
    stale.sort(key=lambda p: (p["last"], p["nom"]))
    today = timezone.localdate()
    return Chart(
        key="places_stale",
        title=str(CHART_LABELS["places_stale"]),
        description=_(
            "Lieux publiés dont les gestionnaires n'ont pas confirmé les informations depuis plus de %(months)s mois, "
            "du plus ancien au plus récent, avec le nombre de mois écoulés."
        )
        % {"months": places_conf.stale_months()},
        columns=[_("Lieu"), _("Mois sans confirmation"), _("Commune"), _("Dernière confirmation")],
        rows=[
            [
                p["nom"],
                (today.year - p["last"].year) * 12 + today.month - p["last"].month,
                p["commune"],
                date_format(p["last"], "SHORT_DATE_FORMAT"),
            ]
            for p in stale
        ],
    )


BUILDERS: dict[str, Callable[..., Chart | None]] = {
    "members_department": chart_members_department,
    "members_metier": chart_members_metier,
    "skills_census": chart_skills_census,
    "skills_missing": chart_skills_missing,
    "resources_theme": chart_resources_theme,
    "events_month": chart_events_month,
    "funding_theme": chart_funding_theme,
    "consortia_department": chart_consortia_department,
    "places_state": chart_places_state,
    "labels_state": chart_labels_state,
    "referrals_month": chart_referrals_month,
    "bookings_month": chart_bookings_month,
    "skills_gaps": chart_skills_gaps,
    "offer_department": chart_offer_department,
    "offer_commune": chart_offer_commune,
    "places_stale": chart_places_stale,
}


def public_chart_keys() -> list[str]:
    """The charts the hub chose to show to everyone (ObservatorySettings)."""
    keys = ObservatorySettings.load().public_charts or []
    return [k for k in keys if k in CHART_LABELS]


def available_keys() -> list[str]:
    """Every chart the observatory can build, in display order."""
    return [key for key in CHART_LABELS if key in BUILDERS]


def chart_build(key: str, *, public: bool) -> Chart | None:
    """One chart, in its public or full (staff) version."""
    builder = BUILDERS.get(key)
    return builder(public=public) if builder else None


def chart_for_viewer(*, viewer, key: str) -> Chart:
    """One chart the viewer may see (staff: all; others: the published subset), else 404."""
    full = viewer.is_authenticated and viewer.is_hub_staff
    if key not in available_keys() or (not full and key not in public_chart_keys()):
        raise Http404
    chart = chart_build(key, public=not full)
    if chart is None:
        raise Http404
    return chart


def charts_for(*, viewer) -> tuple[list[Chart], bool]:
    """The charts the viewer may see (all for staff, the chosen subset for others) and whether
    the viewer sees the full (staff) version."""
    full = viewer.is_authenticated and viewer.is_hub_staff
    keys = available_keys() if full else [k for k in public_chart_keys() if k in available_keys()]
    public = not full
    timeout = cache_seconds()
    cache_keys = {key: f"content:observatory:{key}:{'public' if public else 'full'}" for key in keys}
    cached = cache.get_many(list(cache_keys.values())) if timeout else {}
    built = {}
    token = _MEMO.set({})
    try:
        for key in keys:
            if cache_keys[key] not in cached:
                built[cache_keys[key]] = chart_build(key, public=public)
    finally:
        _MEMO.reset(token)
    if timeout and built:
        # A chart with no data is cached as False: some cache backends (Redis) drop None values.
        cache.set_many({k: (v if v is not None else False) for k, v in built.items()}, timeout)
    charts = [cached.get(cache_keys[key]) or built.get(cache_keys[key]) for key in keys]
    return [c for c in charts if c], full


def cache_seconds() -> int:
    """How long observatory figures are kept (``OBSERVATORY_CACHE_SECONDS``, default 300 s; 0: never)."""
    return int(getattr(settings, "OBSERVATORY_CACHE_SECONDS", os.environ.get("OBSERVATORY_CACHE_SECONDS", "300")))


__all__ = ["BUILDERS", "Chart", "charts_for", "chart_build", "public_chart_keys"]
