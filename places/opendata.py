"""Open data in the national schema "lieux de médiation numérique" v1.0.2: export, and reading an
import file.

Export (published places only): CSV with the schema's column names in its order, UTF-8, "|"
between multiple values, cells safe from spreadsheet formulas (``common.exports``); JSON (a list
of records with the same keys and values, latitude and longitude as numbers); GeoJSON (a
FeatureCollection whose properties are the same records). Each export is one query. Only the
schema's columns leave: nothing about managers, referrals or equipment.

Import: ``import_plan`` reads a schema CSV and checks every value with the model's validators
(the same as the site's form), without writing; ``places.services.place_import`` writes the plan
in one transaction. A row updates an existing place when its ``id`` matches, or else when its
pivot (SIRET/RNA, not the "unknown" 000…) matches exactly one place; otherwise it creates a
place. A row whose values are already those of the place is counted as unchanged, so importing a
file exported here changes nothing.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.exports import FORMULA_START, csv_text

from . import schema
from .models import Place, new_schema_id

COLUMN_TO_FIELD = schema.COLUMN_TO_FIELD
FIELDS = schema.FIELDS
REQUIRED = schema.REQUIRED_COLUMNS
UNKNOWN_PIVOT = "0" * 14
# Model fields the import leaves alone (not in the schema): validating them per row would cost a
# query each (the ``created_by`` foreign key) and tell nothing about the file.
NOT_FROM_FILE = ["created_by", "managers", "is_published", "is_labelled", "labelled_until", "search_text"]


# --- export -----------------------------------------------------------------------------------
def _format_number(value: float | None) -> str:
    return "" if value is None else repr(float(value))


_LAT, _LON, _DATE = schema.COLUMNS.index("latitude"), schema.COLUMNS.index("longitude"), schema.COLUMNS.index("date_maj")


def export_rows(queryset=None):
    """Lists in schema column order, strings as in the CSV (one query)."""
    qs = Place.objects.published() if queryset is None else queryset
    for row in qs.order_by("schema_id").values_list(*FIELDS).iterator(chunk_size=2000):
        values = list(row)
        lat_i, lon_i, date_i = _LAT, _LON, _DATE
        values[lat_i] = _format_number(values[lat_i])
        values[lon_i] = _format_number(values[lon_i])
        values[date_i] = values[date_i].isoformat()
        yield values


def export_csv(queryset=None) -> str:
    """The schema CSV (comma-separated, CRLF lines); a text cell that a spreadsheet would run as
    a formula gets a leading apostrophe, which ``import_plan`` removes again."""
    return csv_text(schema.COLUMNS, export_rows(queryset), delimiter=",", lineterminator="\r\n")


def export_records(queryset=None) -> list[dict]:
    """Records for JSON: empty optional values are left out, latitude/longitude are numbers."""
    records = []
    for values in export_rows(queryset):
        record = {}
        for column, value in zip(schema.COLUMNS, values, strict=True):
            if value == "":
                continue
            record[column] = float(value) if column in ("latitude", "longitude") else value
        records.append(record)
    return records


def export_json(queryset=None) -> str:
    """The records as a JSON list (see ``export_records``)."""
    return json.dumps(export_records(queryset), ensure_ascii=False, indent=1)


def export_geojson(queryset=None) -> str:
    """A GeoJSON FeatureCollection: one Point per place with a position (``null`` geometry
    otherwise), the record as properties."""
    features = []
    for record in export_records(queryset):
        geometry = None
        if "latitude" in record and "longitude" in record:
            geometry = {"type": "Point", "coordinates": [record["longitude"], record["latitude"]]}
        features.append({"type": "Feature", "id": record["id"], "geometry": geometry, "properties": record})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


# --- import -----------------------------------------------------------------------------------
@dataclass
class ImportError_:
    row: int  # line number in the file (the header is line 1)
    field: str
    message: str


@dataclass
class ImportReport:
    mode: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ImportError_] = field(default_factory=list)
    applied: bool = False

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors if e.row > 1})

    @property
    def row_errors(self) -> list[ImportError_]:
        return [e for e in self.errors if e.row > 1]

    def as_dict(self) -> dict:
        return {
            "mode": self.mode,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "applied": self.applied,
            "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in self.errors],
        }


@dataclass
class ImportPlan:
    """What importing a file would do: the report (errors, counts) and the rows to write."""

    report: ImportReport
    readable: bool = True  # False when the header lacks required columns
    to_create: list[Place] = field(default_factory=list)
    to_update: list[Place] = field(default_factory=list)


MODES = ("all", "valid")


def import_modes() -> list[tuple[str, str]]:
    """The two modes, for the import form."""
    return [("all", _("Tout ou rien")), ("valid", _("Importer les lignes valides, signaler les autres"))]


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Le fichier doit être encodé en UTF-8.")) from None


def _unprotect(text: str) -> str:
    """Undo ``csv_safe``: ``'=x`` (written so that spreadsheets show text) reads back as ``=x``."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text


def _parse_row(raw: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """Model values from a CSV row, and (column, message) errors for values that cannot be read."""
    errors, values = [], {}
    for column in schema.COLUMNS:
        text = _unprotect((raw.get(column) or "").strip())
        name = COLUMN_TO_FIELD[column]
        if column in ("latitude", "longitude"):
            if text == "":
                values[name] = None
            else:
                try:
                    values[name] = float(text.replace(",", "."))
                except ValueError:
                    errors.append((column, _("Nombre attendu, trouvé « %(value)s ».") % {"value": text}))
        elif column == "date_maj":
            try:
                values[name] = date.fromisoformat(text)
            except ValueError:
                errors.append((column, _("Date attendue au format AAAA-MM-JJ.") if text else _("Ce champ est obligatoire.")))
        else:
            if column in schema.MULTI_VALUED:
                text = schema.join_values(schema.split_values(text))
            values[name] = text
    for column in REQUIRED:
        if not (raw.get(column) or "").strip() and not any(c == column for c, _m in errors):
            errors.append((column, _("Ce champ est obligatoire.")))
    return values, errors


class _Checker:
    """``Place.full_clean`` for the import, with a memory: each field's validators are pure
    functions of its value, and a file repeats many values (communes, postcodes, typologies,
    services, opening hours, dates…), so a value already checked for a field is not checked again.
    Same rules as the site's form (the model's fields and ``Place.clean``), a fraction of the cost."""

    def __init__(self):
        self.fields = [f for f in Place._meta.concrete_fields if f.name not in NOT_FROM_FILE]
        self.memo: dict[tuple[str, object], tuple[object, tuple[str, ...]]] = {}

    def _clean(self, f, raw, place):
        try:
            return f.clean(raw, place), ()
        except ValidationError as exc:
            return raw, tuple(exc.messages)

    def errors(self, place: Place) -> list[tuple[str, str]]:
        errors = []
        for f in self.fields:  # Model.clean_fields, memoised
            raw = getattr(place, f.attname)
            if f.blank and raw in f.empty_values:
                continue
            key = (f.attname, raw)
            found = self.memo.get(key)
            if found is None:
                found = self.memo[key] = self._clean(f, raw, place)
            cleaned, messages = found
            if messages:
                column = "id" if f.name == "schema_id" else f.name
                errors += [(column, m) for m in messages]
            else:
                setattr(place, f.attname, cleaned)
        try:
            place.clean()  # postcode against INSEE code, latitude with longitude
        except ValidationError as exc:
            errors += [(name, m) for name, messages in exc.message_dict.items() for m in messages]
        if place.latitude is not None and not -90 <= place.latitude <= 90:
            errors.append(("latitude", _("La latitude va de -90 à 90.")))
        if place.longitude is not None and not -180 <= place.longitude <= 180:
            errors.append(("longitude", _("La longitude va de -180 à 180.")))
        return errors


def _reader(text: str) -> csv.DictReader:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # some tools write ";"
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = [h.strip() for h in (reader.fieldnames or [])]
    return reader


def import_plan(*, content: bytes | str, mode: str = "all", actor=None) -> ImportPlan:
    """Read a schema CSV and check every row without writing anything (three queries: the places
    with the file's ids, those with its pivots). New places are published and credited to ``actor``."""
    if mode not in MODES:
        raise ValueError(mode)
    report = ImportReport(mode=mode)
    plan = ImportPlan(report)
    reader = _reader(_decode(content))
    header = reader.fieldnames
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.errors.append(ImportError_(1, ", ".join(missing), _("Colonnes obligatoires absentes de l'en-tête.")))
        plan.readable = False
        return plan
    unknown = [c for c in header if c not in schema.COLUMNS]
    if unknown:
        report.errors.append(ImportError_(1, ", ".join(unknown), _("Colonnes inconnues du schéma (ignorées).")))

    rows = list(reader)
    report.rows = len(rows)
    ids = {(r.get("id") or "").strip() for r in rows}
    pivots = {(r.get("pivot") or "").strip() for r in rows} - {UNKNOWN_PIVOT, ""}
    existing_by_id = {p.schema_id: p for p in Place.objects.filter(schema_id__in=ids)}
    by_pivot: dict[str, list[Place]] = {}
    for p in Place.objects.filter(pivot__in=pivots).exclude(schema_id__in=ids):
        by_pivot.setdefault(p.pivot, []).append(p)

    seen = set()
    checker = _Checker()
    for line, raw in enumerate(rows, start=2):
        values, errors = _parse_row(raw)
        schema_id = values.get("schema_id") or ""
        if schema_id in seen:
            errors.append(("id", _("Identifiant « %(id)s » en double dans le fichier.") % {"id": schema_id}))
        seen.add(schema_id)
        place = existing_by_id.get(schema_id)
        if place is None and values.get("pivot") in by_pivot and len(by_pivot[values["pivot"]]) == 1:
            place = by_pivot[values["pivot"]][0]
        is_new = place is None
        if is_new:
            place = Place(is_published=True, created_by=actor, schema_id=schema_id or new_schema_id())
        before = {name: getattr(place, name) for name in FIELDS}
        for name, value in values.items():
            if name == "schema_id" and not is_new:
                continue  # matched on the pivot: keep our identifier
            setattr(place, name, value)
        if not errors:
            errors += checker.errors(place)
        if errors:
            report.errors += [ImportError_(line, column, message) for column, message in errors]
            if not is_new:
                for name, value in before.items():
                    setattr(place, name, value)
            continue
        if is_new:
            plan.to_create.append(place)
        elif any(getattr(place, name) != before[name] for name in FIELDS):
            plan.to_update.append(place)
        else:
            report.unchanged += 1
    return plan
