"""Turning outside records into call data: RSS/Atom items, Aides-territoires JSON, CSV rows.

Every parser returns plain dicts with the fields of ``FundingCall`` (plus ``external_id``);
``services.call_ingest`` deduplicates and saves them. Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from urllib.parse import urlsplit, urlunsplit

import feedparser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import strip_tags

from community.models import Commune, Department, Region

from .filters import normalise
from .models import Beneficiary, CallKind, Scope, Theme, codes_to_text

THEME_KEYWORDS = [
    (Theme.INCLUSION, ("inclusion", "numerique", "mediation", "fracture", "illectronisme")),
    (Theme.RIGHTS, ("droit", "demarches", "france services", "administrati")),
    (Theme.EQUIPMENT, ("equipement", "reconditionn", "materiel", "ordinateur")),
    (Theme.TRAINING, ("formation", "competences", "pix")),
    (Theme.THIRD_PLACES, ("tiers lieu", "tiers lieux", "fablab", "fab lab", "coworking")),
    (Theme.EDUCATION, ("education", "jeunesse", "parentalite", "ecole", "medias")),
    (Theme.ACCESSIBILITY, ("accessibilite", "handicap")),
    (Theme.EMPLOYMENT, ("emploi", "insertion")),
]
AUDIENCE_KEYWORDS = [
    (Beneficiary.COLLECTIVITE, ("commune", "epci", "departement", "region", "collectivite", "intercommunal")),
    (Beneficiary.ASSOCIATION, ("association",)),
    (Beneficiary.PUBLIC_BODY, ("etablissement public", "etablissements publics", "services de l etat", "public_org")),
    (Beneficiary.ESS, ("ess", "economie sociale", "scic", "scop")),
    (Beneficiary.CCAS, ("ccas", "cias")),
    (Beneficiary.MEDIATHEQUE, ("mediatheque", "bibliotheque")),
    (Beneficiary.CENTRE_SOCIAL, ("centre social", "centres sociaux")),
    (Beneficiary.FRANCE_SERVICES, ("france services",)),
    (Beneficiary.TIERS_LIEU, ("tiers lieu", "tiers lieux")),
    (Beneficiary.COMPANY, ("entreprise privee", "entreprises privees", "private_sector")),
]
KIND_WORDS = {
    "subvention": CallKind.GRANT,
    "pret": CallKind.LOAN,
    "avance recuperable": CallKind.LOAN,
    "prix": CallKind.PRIZE,
    "concours": CallKind.PRIZE,
}


def _codes_from_keywords(values, table) -> list[str]:
    text = " " + " ".join(normalise(v) for v in values) + " "
    codes = []
    for code, words in table:
        if any(f" {w}" in text for w in words):
            codes.append(code)
    return codes


def themes_from(values) -> str:
    """Theme codes named outright or recognised from keywords in ``values``."""
    values = [v for v in values if v]
    known = [v for v in values if v in Theme.values]
    return codes_to_text(known + _codes_from_keywords([v for v in values if v not in Theme.values], THEME_KEYWORDS))


def beneficiaries_from(values) -> str:
    """Beneficiary codes named outright or recognised from keywords in ``values``."""
    values = [v for v in values if v]
    known = [v for v in values if v in Beneficiary.values]
    return codes_to_text(known + _codes_from_keywords([v for v in values if v not in Beneficiary.values], AUDIENCE_KEYWORDS))


def kind_from(aid_types, *, is_call_for_project: bool, title: str) -> str:
    """The kind of aid, from the record's types and its title (AMI and call for projects first)."""
    norm_title = normalise(title)
    if "manifestation d interet" in norm_title or re.search(r"\bami\b", norm_title):
        return CallKind.AMI
    if is_call_for_project or "appel a projets" in norm_title:
        return CallKind.CALL_FOR_PROJECTS
    for value in [*(aid_types or []), title]:
        for word, kind in KIND_WORDS.items():
            if f" {word} " in f" {normalise(str(value))} ":
                return kind
    return CallKind.GRANT if aid_types else CallKind.CALL_FOR_PROJECTS


def parse_date(value) -> date | None:
    """A date from ISO or French day-first text; ``ValueError`` in French when unreadable."""
    if not value:
        return None
    if isinstance(value, date):
        return value
    value = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(value[:19] if "T" in value else value, fmt.replace("Z", "")).date()
        except ValueError:
            continue
    raise ValueError(f"date illisible « {value} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def clean_url(value: str) -> str:
    """An http(s) URL or ``""``; ``ValidationError`` for anything else."""
    value = (value or "").strip()
    if not value:
        return ""
    URLValidator(schemes=["http", "https"])(value)
    return value[:500]


def url_key(value: str) -> str:
    """A URL without scheme, ``www.``, trailing slash, fragment or tracking parameters."""
    if not value:
        return ""
    parts = urlsplit(value.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("utm_"))
    return urlunsplit(("", host, parts.path.rstrip("/"), query, "")).lstrip("/")


def funder_key(funders: str) -> str:
    """The funders as sorted normalised names: the duplicate check compares these."""
    return ",".join(sorted(normalise(f) for f in re.split(r"[,;]", funders or "") if normalise(f)))[:300]


def perimeter_from(*, scale: str = "", name: str = "", code: str = "") -> dict:
    """Aides-territoires perimeter (scale + name, or an INSEE code) → scope and territory ids."""
    scale_n, code = normalise(scale), (code or "").strip()
    if scale_n in ("", "pays", "continent", "national", "france") and not code and normalise(name) in ("", "france", "national"):
        return {"scope": Scope.NATIONAL}
    if code:
        if len(code) == 5:
            commune = Commune.objects.filter(insee=code).first()
            if commune:
                return {"scope": Scope.COMMUNE, "commune": commune}
        if scale_n.startswith("region"):
            region = Region.objects.filter(code=code).first()
            if region:
                return {"scope": Scope.REGION, "region": region}
        department = Department.objects.filter(code=code).first()
        if department and not scale_n.startswith("region"):
            return {"scope": Scope.DEPARTMENT, "department": department}
        region = Region.objects.filter(code=code).first()
        if region:
            return {"scope": Scope.REGION, "region": region}
    wanted = normalise(name)
    if wanted:
        if scale_n in ("", "region", "regions"):
            for region in Region.objects.all():
                if normalise(region.name) == wanted:
                    return {"scope": Scope.REGION, "region": region}
        if scale_n in ("", "departement", "departements"):
            for department in Department.objects.all():
                if normalise(department.name) == wanted:
                    return {"scope": Scope.DEPARTMENT, "department": department}
        if scale_n == "commune":
            commune = Commune.objects.filter(name__iexact=name.strip()).first()
            if commune:
                return {"scope": Scope.COMMUNE, "commune": commune}
    if scale_n in ("", "pays", "continent", "national", "france"):
        return {"scope": Scope.NATIONAL}
    raise ValueError(f"périmètre inconnu « {name or code} »")


def _amount(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        amount = int(float(str(value).replace(" ", "").replace("\u202f", "").replace(",", ".").replace("€", "")))
    except ValueError as exc:
        raise ValueError(f"montant illisible « {value} »") from exc
    if amount < 0:
        raise ValueError("montant négatif")
    return amount


# --- Aides-territoires JSON -------------------------------------------------------------------
def records_from_json(payload) -> tuple[list[dict], str | None]:
    """The records of one page of an Aides-territoires-style response, and the next page URL."""
    if isinstance(payload, list):
        return payload, None
    if isinstance(payload, dict) and isinstance(payload.get("results"), list):
        return payload["results"], payload.get("next") or None
    raise ValueError("réponse JSON inattendue : ni liste, ni objet avec « results »")


def call_data_from_aid(record: dict, *, default_funder: str = "") -> dict:
    """One Aides-territoires aid record → call fields. Raises ``ValueError`` with a French message."""
    title = (record.get("name") or record.get("short_title") or "").strip()
    if not title:
        raise ValueError("titre (name) manquant")
    financers = record.get("financers") or []
    if isinstance(financers, str):
        financers = [financers]
    funders = ", ".join(str(f.get("name", f) if isinstance(f, dict) else f) for f in financers) or default_funder
    if not funders:
        raise ValueError("financeur (financers) manquant")
    categories = record.get("categories") or []
    audiences = record.get("targeted_audiences") or []
    recurrence = normalise(record.get("recurrence") or "")
    lower, upper = record.get("subvention_rate_lower_bound"), record.get("subvention_rate_upper_bound")
    rate = ""
    if lower or upper:
        rate = f"{lower} % à {upper} %" if lower and upper else f"jusqu'à {upper or lower} %"
    data = {
        "external_id": str(record.get("id") or record.get("slug") or "")[:200],
        "title": title[:300],
        "funders": funders[:300],
        "description": strip_tags(record.get("description") or "").strip(),
        "eligibility": strip_tags(record.get("eligibility") or "").strip(),
        "kind": kind_from(record.get("aid_types"), is_call_for_project=bool(record.get("is_call_for_project")), title=title),
        "themes": themes_from([str(c) for c in categories] + [title]),
        "beneficiaries": beneficiaries_from([str(a) for a in audiences]),
        "opens_on": parse_date(record.get("start_date")),
        "predeposit_on": parse_date(record.get("predeposit_date")),
        "deadline": parse_date(record.get("submission_deadline")),
        "is_permanent": recurrence == "permanente",
        "official_url": clean_url(record.get("origin_url") or record.get("url") or ""),
        "application_url": clean_url(record.get("application_url") or ""),
        "amount_min": _amount(record.get("amount_min")),
        "amount_max": _amount(record.get("amount_max") or record.get("loan_amount") or record.get("recoverable_advance_amount")),
        "rate": rate[:100],
    }
    data.update(
        perimeter_from(
            scale=record.get("perimeter_scale") or "", name=record.get("perimeter") or "", code=record.get("perimeter_code") or ""
        )
    )
    return data


# --- RSS / Atom -------------------------------------------------------------------------------
DEADLINE_RE = re.compile(r"(?:date limite|avant le|jusqu'au|clôture)\s*:?\s*(?:le\s+)?(\d{1,2})/(\d{1,2})/(\d{4})", re.I)


def call_data_from_entry(entry, *, default_funder: str) -> dict:
    """One RSS/Atom item → call fields (deadline read from the summary when it says so)."""
    title = strip_tags(entry.get("title") or "").strip()
    if not title:
        raise ValueError("élément sans titre")
    summary = strip_tags(entry.get("summary") or entry.get("description") or "").strip()
    deadline = None
    match = DEADLINE_RE.search(summary)
    if match:
        day, month, year = (int(x) for x in match.groups())
        try:
            deadline = date(year, month, day)
        except ValueError:
            deadline = None
    tags = [t.get("term", "") for t in entry.get("tags") or []]
    funders = default_funder or entry.get("author") or ""
    if not funders:
        raise ValueError("financeur inconnu : renseignez un financeur par défaut pour cette source")
    link = entry.get("link") or ""
    return {
        "external_id": str(entry.get("id") or link)[:200],
        "title": title[:300],
        "funders": funders[:300],
        "description": summary,
        "eligibility": "",
        "kind": kind_from(tags, is_call_for_project=False, title=title),
        "themes": themes_from(tags + [title, summary[:500]]),
        "beneficiaries": beneficiaries_from(tags + [summary[:500]]),
        "deadline": deadline,
        "official_url": clean_url(link),
        "scope": Scope.NATIONAL,
    }


def records_from_feed(content: bytes) -> list:
    """The entries of an RSS/Atom document; ``ValueError`` when it cannot be read at all."""
    parsed = feedparser.parse(content)
    if parsed.bozo and not parsed.entries:
        raise ValueError(f"flux illisible : {parsed.get('bozo_exception')}")
    return list(parsed.entries)


# --- CSV --------------------------------------------------------------------------------------
CSV_COLUMNS = [
    "titre",
    "financeurs",
    "description",
    "eligibilite",
    "type",
    "thematiques",
    "beneficiaires",
    "perimetre",
    "montant_min",
    "montant_max",
    "taux",
    "ouverture",
    "pre_depot",
    "date_limite",
    "permanent",
    "url_officielle",
    "url_candidature",
]


def _perimeter_from_csv(value: str) -> dict:
    """``national``, ``region:27``, ``departement:21`` or ``commune:21231``."""
    value = (value or "").strip()
    if not value or normalise(value) in ("national", "france"):
        return {"scope": Scope.NATIONAL}
    kind, _, code = value.partition(":")
    kind = normalise(kind)
    if kind == "region" and (region := Region.objects.filter(code=code.strip()).first()):
        return {"scope": Scope.REGION, "region": region}
    if kind == "departement" and (department := Department.objects.filter(code=code.strip().upper()).first()):
        return {"scope": Scope.DEPARTMENT, "department": department}
    if kind == "commune" and (commune := Commune.objects.filter(insee=code.strip().upper()).first()):
        return {"scope": Scope.COMMUNE, "commune": commune}
    raise ValueError(f"périmètre inconnu « {value} » (national, region:27, departement:21 ou commune:21231)")


def rows_from_csv(content: bytes) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """Parse a CSV (``;`` or ``,``, UTF-8) into (line, call data) and (line, error) lists."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("Le fichier doit être encodé en UTF-8.") from exc
    dialect = csv.Sniffer().sniff(text[:2000], delimiters=";,") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    missing = {"titre", "financeurs"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(f"Colonnes obligatoires absentes : {', '.join(sorted(missing))}.")
    rows, errors = [], []
    for line, row in enumerate(reader, start=2):
        try:
            rows.append((line, _call_data_from_row(row)))
        except (ValueError, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            errors.append((line, message))
    return rows, errors


def _split(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[;|]", value or "") if v.strip()]


def _call_data_from_row(row: dict) -> dict:
    get = lambda key: (row.get(key) or "").strip()  # noqa: E731
    if not get("titre"):
        raise ValueError("titre manquant")
    if not get("financeurs"):
        raise ValueError("financeurs manquants")
    kind = get("type") or CallKind.CALL_FOR_PROJECTS
    if kind not in CallKind.values:
        raise ValueError(f"type inconnu « {kind} » ({', '.join(CallKind.values)})")
    themes = _split(get("thematiques"))
    if unknown := [t for t in themes if t not in Theme.values]:
        raise ValueError(f"thématique inconnue « {unknown[0]} »")
    beneficiaries = _split(get("beneficiaires"))
    if unknown := [b for b in beneficiaries if b not in Beneficiary.values]:
        raise ValueError(f"bénéficiaire inconnu « {unknown[0]} »")
    data = {
        "title": get("titre")[:300],
        "funders": get("financeurs")[:300],
        "description": get("description"),
        "eligibility": get("eligibilite"),
        "kind": kind,
        "themes": codes_to_text(themes),
        "beneficiaries": codes_to_text(beneficiaries),
        "amount_min": _amount(get("montant_min")),
        "amount_max": _amount(get("montant_max")),
        "rate": get("taux")[:100],
        "opens_on": parse_date(get("ouverture")),
        "predeposit_on": parse_date(get("pre_depot")),
        "deadline": parse_date(get("date_limite")),
        "is_permanent": normalise(get("permanent")) in ("oui", "1", "true", "vrai", "x"),
        "official_url": _csv_url(get("url_officielle"), "url_officielle"),
        "application_url": _csv_url(get("url_candidature"), "url_candidature"),
    }
    if data["amount_min"] is not None and data["amount_max"] is not None and data["amount_min"] > data["amount_max"]:
        raise ValueError("montant minimum supérieur au maximum")
    data.update(_perimeter_from_csv(get("perimetre")))
    return data


def _csv_url(value: str, column: str) -> str:
    try:
        return clean_url(value)
    except ValidationError as exc:
        raise ValueError(f"{column} : adresse web invalide") from exc
