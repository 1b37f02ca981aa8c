"""Sources and imports: staff keep the list of feeds; polling ingests their new items; a CSV file
imports calls all or nothing (or only its valid rows, when staff choose).

Polling never raises: a failure is written on the source (``last_error``) for the staff page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.fetch import FetchError, check_url, safe_get

from .. import importers
from ..models import SOURCE_FIELDS, Source, SourceKind
from .calls import call_ingest

logger = logging.getLogger(__name__)
MAX_PAGES = 20
USER_AGENT = "Maillage funding watch (+https://maillage.localhost)"


def source_save(*, actor, data: dict, source: Source | None = None) -> Source:
    """Staff add or edit a source; a feed or JSON source needs its address."""
    if not actor.is_hub_staff:
        raise PermissionDenied
    source = source or Source()
    for key in SOURCE_FIELDS:
        if key in data:
            setattr(source, key, data[key])
    if source.kind != SourceKind.MANUAL and not source.url:
        raise ValidationError({"url": _("Indiquez l'adresse du flux.")})
    if source.url:
        try:
            check_url(source.url, literal_addresses=True)
        except FetchError as exc:
            raise ValidationError({"url": str(exc)}) from exc
    source.full_clean(exclude=["last_error"])
    source.save()
    return source


@dataclass
class PollResult:
    created: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    failed: bool = False  # the source itself could not be read (errors[0] says why)


def _fetch(url: str):
    """Every source fetch goes through ``common.fetch.safe_get`` (http(s) only, public addresses
    only — after redirects and DNS too —, size and time capped)."""
    return safe_get(url, headers={"User-Agent": USER_AGENT})


def source_poll(*, source: Source) -> PollResult:
    """Fetch a source, ingest its new items (each in its own transaction) and record the outcome.

    Raises nothing: a failure is written on the source (``last_error``) and returned.
    """
    result = PollResult()
    now = timezone.now()
    try:
        if source.kind == SourceKind.FEED:
            items = [(e, importers.call_data_from_entry) for e in importers.records_from_feed(_fetch(source.url).content)]
        elif source.kind == SourceKind.JSON:
            items, url, pages = [], source.url, 0
            while url and pages < MAX_PAGES:
                records, url = importers.records_from_json(_fetch(url).json())
                items += [(r, importers.call_data_from_aid) for r in records]
                pages += 1
        else:
            items = []
        for record, parse in items:
            try:
                data = parse(record, default_funder=source.default_funder)
                with transaction.atomic():
                    _call, created = call_ingest(data=data, source=source, publish=source.auto_publish)
            except (ValueError, ValidationError) as exc:
                message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                title = (record.get("name") or record.get("title") or "?") if hasattr(record, "get") else "?"
                result.errors.append(f"« {str(title)[:80]} » : {message}")
                continue
            if created:
                result.created += 1
            else:
                result.duplicates += 1
    except Exception as exc:  # noqa: BLE001 - any failure of one source is recorded, never raised
        logger.warning("funding source %s failed: %s", source.pk, exc)
        reason = _source_failure(exc)
        Source.objects.filter(pk=source.pk).update(last_polled_at=now, last_error_at=now, last_error=reason[:2000])
        result.errors.insert(0, reason)
        result.failed = True
        source.refresh_from_db()
        return result
    update = {"last_polled_at": now, "last_success_at": now, "last_created": result.created}
    if result.errors:
        update.update(
            last_error_at=now, last_error=_("%(n)s élément(s) ignoré(s) : ") % {"n": len(result.errors)} + " | ".join(result.errors)[:1900]
        )
    Source.objects.filter(pk=source.pk).update(**update)
    source.refresh_from_db()
    return result


def _source_failure(exc: Exception) -> str:
    """The reason a whole source failed, in French for the staff page."""
    if isinstance(exc, FetchError):
        return _("Collecte refusée ou impossible : %(why)s") % {"why": exc}
    if isinstance(exc, ValueError):
        return _("Contenu illisible : %(why)s") % {"why": exc}
    return f"{type(exc).__name__}: {exc}"


def sources_poll_all() -> dict[int, PollResult]:
    """Poll every active source; one broken source never stops the others."""
    results = {}
    for source in Source.objects.filter(is_active=True).exclude(kind=SourceKind.MANUAL):
        results[source.pk] = source_poll(source=source)
    return results


@dataclass
class ImportReport:
    created: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False


def calls_import_csv(*, content: bytes, actor, publish: bool = False, valid_rows_only: bool = False) -> ImportReport:
    """Import calls from a CSV. By default all or nothing: one bad row and nothing is saved;
    with ``valid_rows_only`` the valid rows are saved and the bad ones reported."""
    if not actor.is_hub_staff:
        raise PermissionDenied
    rows, errors = importers.rows_from_csv(content)
    report = ImportReport(errors=list(errors))
    if errors and not valid_rows_only:
        return report
    with transaction.atomic():
        for line, data in rows:
            try:
                with transaction.atomic():
                    _call, created = call_ingest(data=data, source=None, actor=actor, publish=publish)
            except ValidationError as exc:
                report.errors.append((line, "; ".join(exc.messages)))
                continue
            report.created += created
            report.duplicates += not created
        report.errors.sort()
        if report.errors and not valid_rows_only:
            transaction.set_rollback(True)
            report.created = report.duplicates = 0
            return report
    report.applied = True
    return report
