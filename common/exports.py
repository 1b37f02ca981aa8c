"""Spreadsheet exports (CSV and XLSX) whose cells cannot run as formulas.

A cell typed by a member, read from a feed or imported (``=HYPERLINK(...)``, ``@SUM(...)``,
``+cmd|...``) runs as a formula when a spreadsheet opens the file. Every export writes its cells
through ``csv_safe``: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe, which spreadsheets show as text. Plain numbers (``-12,5``,
``+33 3 80 12 89 73``) are left as they are: they cannot be formulas, and open-data columns such
as phone numbers must keep their value.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[\d][\d\s.,]*")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_safe(value):
    """``value`` unchanged unless it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: Sequence, rows: Iterable[Sequence], *, delimiter: str = ";", lineterminator: str = "\r\n") -> str:
    """CSV text of ``header`` and ``rows``, every cell through ``csv_safe``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(*, filename: str, header: Sequence, rows: Iterable[Sequence], delimiter: str = ";") -> HttpResponse:
    """A CSV download (UTF-8 with a BOM, so spreadsheets read the accents right)."""
    body = "\ufeff" + csv_text(header, rows, delimiter=delimiter)
    return _attachment(HttpResponse(body, content_type="text/csv; charset=utf-8"), filename)


def xlsx_response(*, filename: str, header: Sequence, rows: Iterable[Sequence], title: str = "Export") -> HttpResponse:
    """An XLSX download with one sheet, every cell through ``csv_safe``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([csv_safe(cell) for cell in header])
    for row in rows:
        sheet.append([csv_safe(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return _attachment(HttpResponse(out.getvalue(), content_type=XLSX_TYPE), filename)
