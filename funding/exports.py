"""Spreadsheet exports of funding data, through ``common.exports`` (cells safe from formulas)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.urls import absolute_url

from .models import FundingCall

CALL_EXPORT_LIMIT = 2000


def call_export_header() -> list[str]:
    """Column titles of the search-results export."""
    return [
        _("Titre"),
        _("Financeurs"),
        _("Type d'aide"),
        _("Périmètre"),
        _("Thématiques"),
        _("Bénéficiaires"),
        _("Montant minimum (€)"),
        _("Montant maximum (€)"),
        _("Date limite"),
        _("État"),
        _("Lien officiel"),
        _("Page sur Maillage"),
    ]


def call_export_rows(calls: Iterable[FundingCall]) -> Iterable[list]:
    """One row per call (amounts stay numbers; dates in the local short format)."""
    for call in calls:
        deadline = date_format(call.deadline, "SHORT_DATE_FORMAT") if call.deadline else ""
        if call.is_permanent:
            deadline = _("permanent")
        yield [
            call.title,
            call.funders,
            call.get_kind_display(),
            call.perimeter_label,
            ", ".join(call.theme_list),
            ", ".join(call.beneficiary_list),
            call.amount_min,
            call.amount_max,
            deadline,
            call.get_state_display(),
            call.official_url,
            absolute_url(call.get_absolute_url()),
        ]


def consortium_export_header() -> list[str]:
    """Columns of the hub's consortia-and-outcomes export (the observatory reads it)."""
    return [
        _("Consortium"),
        _("Appel"),
        _("Financeurs"),
        _("Structure cheffe de file"),
        _("Département"),
        _("Partenaires actifs"),
        _("Visibilité"),
        _("État de la candidature"),
        _("Déposé le"),
        _("Réponse le"),
        _("Montant demandé (€)"),
        _("Montant obtenu (€)"),
    ]


def consortium_export_rows(consortia) -> Iterable[list]:
    for c in consortia:
        department = c.lead_organisation.commune.department if c.lead_organisation.commune_id else None
        yield [
            c.name,
            c.call.title,
            c.call.funders,
            c.lead_organisation.name,
            f"{department.code} {department.name}" if department else "",
            c.member_count,
            c.get_visibility_display(),
            c.get_status_display(),
            c.submitted_on.isoformat() if c.submitted_on else "",
            c.decided_on.isoformat() if c.decided_on else "",
            c.amount_asked if c.amount_asked is not None else "",
            c.amount_granted if c.amount_granted is not None else "",
        ]
