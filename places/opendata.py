"""Open data in the national schema "lieux de médiation numérique" v1.0.2: export and import.

Export (published places only): CSV with the schema's column names in its order, UTF-8, "|"
between multiple values; JSON (a list of records with the same keys and values, latitude and
longitude as numbers); GeoJSON (a FeatureCollection whose properties are the same records). Each
export is one query.

Import (staff): a schema CSV is read row by row and every value is checked with the same
validators as the site's forms. The report lists (row, field, message). Two modes:
``all`` (all or nothing: a single error and nothing is written) and ``valid`` (valid rows are
written, the others reported). A row updates an existing place when its ``id`` matches, or else
when its pivot (SIRET/RNA, not the "unknown" 000…) matches exactly one place; otherwise it
creates a place. A row whose values are already those of the place is counted as unchanged, so
importing a file exported here changes nothing.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import schema
from .models import Place, new_schema_id
from .validators import check_postcode_insee

# Model attribute for each schema column.
COLUMN_TO_FIELD = {column: column for column in schema.COLUMNS} | {"id": "schema_id"}
FIELDS = [COLUMN_TO_FIELD[c] for c in schema.COLUMNS]
REQUIRED = ["id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"]
UNKNOWN_PIVOT = "0" * 14


# --- export -----------------------------------------------------------------------------------
def _format_number(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def export_rows(queryset=None):
    """Tuples in schema column order, strings as in the CSV (one query)."""
    qs = Place.objects.published() if queryset is None else queryset
    for row in qs.order_by("schema_id").values_list(*FIELDS).iterator(chunk_size=2000):
        values = list(row)
        lat_i, lon_i, date_i = schema.COLUMNS.index("latitude"), schema.COLUMNS.index("longitude"), schema.COLUMNS.index("date_maj")
        values[lat_i] = _format_number(values[lat_i])
        values[lon_i] = _format_number(values[lon_i])
        values[date_i] = values[date_i].isoformat()
        yield values


def export_csv(queryset=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(schema.COLUMNS)
    writer.writerows(export_rows(queryset))
    return out.getvalue()


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
    return json.dumps(export_records(queryset), ensure_ascii=False, indent=1)


def export_geojson(queryset=None) -> str:
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
        return len({e.row for e in self.errors})

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


MODES = {"all": "Tout ou rien", "valid": "Importer les lignes valides, signaler les autres"}


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("Le fichier doit être encodé en UTF-8.") from None


def _parse_row(raw: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """Model values from a CSV row, and (column, message) errors for values that cannot be read."""
    errors, values = [], {}
    for column in schema.COLUMNS:
        text = (raw.get(column) or "").strip()
        name = COLUMN_TO_FIELD[column]
        if column in ("latitude", "longitude"):
            if text == "":
                values[name] = None
            else:
                try:
                    values[name] = float(text.replace(",", "."))
                except ValueError:
                    errors.append((column, f"Nombre attendu, trouvé « {text} »."))
        elif column == "date_maj":
            try:
                values[name] = date.fromisoformat(text)
            except ValueError:
                errors.append((column, "Date attendue au format AAAA-MM-JJ." if text else "Ce champ est obligatoire."))
        else:
            if column in schema.MULTI_VALUED:
                text = schema.join_values(schema.split_values(text))
            values[name] = text
    for column in REQUIRED:
        if not (raw.get(column) or "").strip() and not any(c == column for c, _ in errors):
            errors.append((column, "Ce champ est obligatoire."))
    return values, errors


def _validate(place: Place) -> list[tuple[str, str]]:
    errors = []
    try:
        place.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = "id" if name == "schema_id" else name
            errors += [(column, m) for m in messages]
    if place.latitude is not None and not -90 <= place.latitude <= 90:
        errors.append(("latitude", "La latitude va de -90 à 90."))
    if place.longitude is not None and not -180 <= place.longitude <= 180:
        errors.append(("longitude", "La longitude va de -180 à 180."))
    return errors


def import_csv(*, content: bytes | str, mode: str = "all", user=None, dry_run: bool = False) -> ImportReport:
    """Import a schema CSV (see the module docstring). ``dry_run`` checks without writing."""
    if mode not in MODES:
        raise ValueError(mode)
    report = ImportReport(mode=mode)
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # some tools write ";"
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.errors.append(ImportError_(1, ", ".join(missing), "Colonnes obligatoires absentes de l'en-tête."))
        return report
    unknown = [c for c in header if c not in schema.COLUMNS]
    if unknown:
        report.errors.append(ImportError_(1, ", ".join(unknown), "Colonnes inconnues du schéma (ignorées)."))

    rows = list(reader)
    report.rows = len(rows)
    ids = {(r.get("id") or "").strip() for r in rows}
    pivots = {(r.get("pivot") or "").strip() for r in rows} - {UNKNOWN_PIVOT, ""}
    existing_by_id = {p.schema_id: p for p in Place.objects.filter(schema_id__in=ids)}
    by_pivot: dict[str, list[Place]] = {}
    for p in Place.objects.filter(pivot__in=pivots).exclude(schema_id__in=ids):
        by_pivot.setdefault(p.pivot, []).append(p)

    to_create, to_update, seen = [], [], set()
    for line, raw in enumerate(rows, start=2):
        values, errors = _parse_row(raw)
        schema_id = values.get("schema_id") or ""
        if schema_id in seen:
            errors.append(("id", f"Identifiant « {schema_id} » en double dans le fichier."))
        seen.add(schema_id)
        place = existing_by_id.get(schema_id)
        if place is None and values.get("pivot") in by_pivot and len(by_pivot[values["pivot"]]) == 1:
            place = by_pivot[values["pivot"]][0]
        is_new = place is None
        if is_new:
            place = Place(is_published=True, created_by=user, schema_id=schema_id or new_schema_id())
        before = {name: getattr(place, name) for name in FIELDS}
        for name, value in values.items():
            if name == "schema_id" and not is_new:
                continue  # matched on the pivot: keep our identifier
            setattr(place, name, value)
        if not errors:
            errors += _validate(place)
            message = check_postcode_insee(place.code_postal, place.code_insee)
            if message:
                errors.append(("code_insee", message))
        if errors:
            report.errors += [ImportError_(line, column, message) for column, message in errors]
            if not is_new:
                for name, value in before.items():
                    setattr(place, name, value)
            continue
        if is_new:
            to_create.append(place)
        elif any(getattr(place, name) != before[name] for name in FIELDS):
            to_update.append(place)
        else:
            report.unchanged += 1

    row_errors = [e for e in report.errors if e.row > 1]
    if dry_run or (mode == "all" and row_errors):
        return report
    now = timezone.now()
    with transaction.atomic():
        for place in to_create:
            place.created_at = place.updated_at = now
        Place.objects.bulk_create(to_create, batch_size=500)
        for place in to_update:
            place.updated_at = now
        Place.objects.bulk_update(to_update, [*[f for f in FIELDS if f != "schema_id"], "updated_at"], batch_size=500)
    report.created, report.updated, report.applied = len(to_create), len(to_update), True
    return report
