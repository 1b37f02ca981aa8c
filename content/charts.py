"""Observatory charts: the data behind each chart, and the geometry of its SVG picture.

The SVG itself is written by templates (``templates/content/charts/``), with Django's escaping
like any page: this module only computes positions and sizes. No JavaScript library and no inline
``style`` attribute (the Content-Security-Policy forbids them): shapes use SVG presentation
attributes and CSS classes from ``static/css/content.css``. Every chart carries its rows, shown
next to it as a data table and offered as CSV, so the picture is never the only way to read a
figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext_lazy as _

# Every chart the observatory knows, in display order. The keys are stable: the public subset
# is stored as a list of them (ObservatorySettings.public_charts).
CHART_LABELS = {
    "members_department": _("Membres par département"),
    "members_metier": _("Membres par métier"),
    "skills_census": _("Qui sait faire quoi : compétences par département"),
    "skills_missing": _("Compétences absentes par département"),
    "skills_gaps": _("Compétences demandées mais rares dans le réseau"),
    "resources_theme": _("Ressources publiées par thématique"),
    "events_month": _("Événements et participation par mois"),
    "funding_theme": _("Appels à projets par thématique et échéance"),
    "consortia_department": _("Réponses aux appels en consortium : résultats par département"),
    "places_state": _("Lieux de médiation par département"),
    "labels_state": _("Candidatures et labels par état"),
    "referrals_month": _("Orientations vers les lieux par mois"),
    "bookings_month": _("Réservations de matériel partagé par mois"),
    "offer_department": _("Offre des lieux par département : lieux, heures, services"),
    "offer_commune": _("Offre des lieux par commune"),
    "places_stale": _("Lieux dont les informations sont à confirmer"),
}

LABEL_CHARS = 32


def short(text, limit: int = LABEL_CHARS) -> str:
    """A label cut to fit the chart's label column (the table keeps it whole)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Chart:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list]
    kind: str = "bar"  # "bar" (label, value[, …]) or "matrix" (row label, value per column)
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def template(self) -> str:
        return f"content/charts/{self.kind}.svg"

    @cached_property
    def layout(self) -> dict:
        """Positions and sizes for the chart's template."""
        return matrix_layout(self) if self.kind == "matrix" else bar_layout(self)

    @cached_property
    def map_layout(self) -> dict | None:
        points = self.extra.get("points")
        return points_layout(points) if points else None


def bar_layout(chart: Chart) -> dict:
    """Horizontal bars of the first numeric column; the value is written at the end of each bar.

    Two pictures of the same bars: labels beside them for wide screens, and ``narrow`` for a phone,
    each label on its own line above its bar, narrow enough that its text is drawn near its own
    size at 320 px (the wide picture, shrunk to the screen, would draw it at half)."""
    label_w, bar_w, row_h, pad = 280, 340, 26, 8
    narrow_w, narrow_bar_w, narrow_row_h = 360, 270, 42
    peak = max((row[1] or 0) for row in chart.rows) if chart.rows else 0
    peak = peak or 1
    unit = chart.extra.get("unit", "")
    bars, narrow = [], []
    for i, row in enumerate(chart.rows):
        value = row[1] or 0
        y, narrow_y = pad + i * row_h, pad // 2 + i * narrow_row_h
        length, narrow_length = round(bar_w * value / peak, 1), round(narrow_bar_w * value / peak, 1)
        shown = {"value": value, "unit": unit}
        bars.append(
            shown
            | {
                "label": short(row[0]),
                "y": y + 4,
                "text_y": round(y + row_h * 0.65, 1),
                "width": max(length, 1),
                "value_x": round(label_w + length + 6, 1),
            }
        )
        narrow.append(
            shown
            | {
                "label": short(row[0], 44),
                "label_y": narrow_y + 14,
                "y": narrow_y + 20,
                "text_y": narrow_y + 32,
                "width": max(narrow_length, 1),
                "value_x": round(narrow_length + 6, 1),
            }
        )
    return {
        "width": label_w + bar_w + 70,
        "height": pad * 2 + row_h * len(chart.rows),
        "label_x": label_w - 8,
        "bar_x": label_w,
        "bar_h": row_h - 8,
        "bars": bars,
        "narrow": {"width": narrow_w, "height": pad + narrow_row_h * len(chart.rows), "bar_h": 15, "bars": narrow},
    }


def matrix_layout(chart: Chart) -> dict:
    """A grid: one row per item, one column per territory; darker means more, and the number is
    written in each cell (the shade is never the only carrier of the information)."""
    heads = chart.columns[1:]
    label_w, cell_w, row_h, head_h = 290, 44, 24, 40
    peak = max((max(row[1:]) if len(row) > 1 else 0) for row in chart.rows) if chart.rows else 0
    peak = peak or 1
    short_heads = chart.extra.get("short_columns") or heads
    rows = []
    for i, row in enumerate(chart.rows):
        y = head_h + i * row_h
        cells = []
        for j, value in enumerate(row[1:]):
            x = label_w + j * cell_w
            cells.append(
                {
                    "x": x + 1,
                    "text_x": x + cell_w / 2,
                    "value": value or "–",
                    "level": 0 if not value else min(4, 1 + int(3 * value / peak)),
                }
            )
        rows.append({"label": short(row[0]), "y": y + 1, "text_y": round(y + row_h * 0.68, 1), "cells": cells})
    return {
        "width": label_w + cell_w * len(heads) + 8,
        "height": head_h + row_h * len(chart.rows) + 8,
        "label_x": label_w - 8,
        "head_y": head_h - 10,
        "heads": [{"x": label_w + j * cell_w + cell_w / 2, "text": head} for j, head in enumerate(short_heads)],
        "cell_w": cell_w - 2,
        "cell_h": row_h - 2,
        "rows": rows,
    }


def points_layout(points: list[tuple[float, float, bool]]) -> dict:
    """Each place as a dot on an equirectangular projection fitted to the points: labelled places
    are dark squares, the others light circles (shape, not only colour, tells them apart)."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * k, 0.01)
    span_y = max(max_lat - min_lat, 0.01)
    width = 560
    height = max(160, min(640, round(width * span_y / span_x)))
    pad = 12
    sx = (width - 2 * pad) / span_x
    sy = (height - 2 * pad) / span_y
    plain, squares = [], []
    for lon, lat, is_labelled in points:
        x = round(pad + (lon - min_lon) * k * sx, 1)
        y = round(pad + (max_lat - lat) * sy, 1)
        (squares if is_labelled else plain).append({"x": x, "y": y, "corner_x": round(x - 3, 1), "corner_y": round(y - 3, 1)})
    return {
        "width": width,
        "height": height,
        "total_height": height + 30,
        "legend_y": height + 16,
        "legend_text_y": height + 20,
        "legend_square_y": height + 11,
        "plain": plain,
        "squares": squares,
        "count": len(points),
        "labelled": len(squares),
    }
