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
