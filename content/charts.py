"""Observatory charts drawn server-side as SVG, with the data behind them.

No JavaScript library and no inline ``style`` attribute (the Content-Security-Policy forbids
them): shapes use SVG presentation attributes and CSS classes from ``static/css/content.css``.
Every chart carries its rows, rendered next to it as a data table and offered as CSV, so the
picture is never the only way to read a figure.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# Every chart the observatory knows, in display order. The keys are stable: the public subset
# is stored as a list of them (ObservatorySettings.public_charts).
CHART_LABELS = {
    "members_department": _("Membres par département"),
    "members_metier": _("Membres par métier"),
    "skills_census": _("Qui sait faire quoi : compétences par département"),
    "skills_missing": _("Compétences absentes par département"),
    "resources_theme": _("Ressources publiées par thématique"),
    "events_month": _("Événements et participation par mois"),
    "funding_theme": _("Appels à projets par thématique et échéance"),
    "places_state": _("Lieux de médiation par département"),
    "labels_state": _("Candidatures et labels par état"),
}


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
    def svg(self) -> SafeString:
        if not self.rows:
            return mark_safe("")  # noqa: S308 - empty
        if self.kind == "matrix":
            return heatmap_svg(self)
        return bar_svg(self)

    @property
    def map_svg(self) -> SafeString:
        points = self.extra.get("points")
        return points_map_svg(self, points) if points else mark_safe("")  # noqa: S308 - empty

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(row)
        return out.getvalue()


def _text(x, y, content, *, cls="", anchor="start") -> str:
    return f'<text x="{x}" y="{y}" class="{cls}" text-anchor="{anchor}">{escape(str(content))}</text>'


def bar_svg(chart: Chart) -> SafeString:
    """Horizontal bars of the first numeric column; the value is written at the end of each bar."""
    label_w, bar_w, row_h, pad = 280, 340, 26, 8
    width = label_w + bar_w + 70
    height = pad * 2 + row_h * len(chart.rows)
    peak = max((row[1] or 0) for row in chart.rows) or 1
    title_id, desc_id = f"chart-{chart.key}-title", f"chart-{chart.key}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bar" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(chart.title)}</title><desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    for i, row in enumerate(chart.rows):
        label, value = str(row[0]), row[1] or 0
        y = pad + i * row_h
        length = round(bar_w * value / peak, 1)
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(_text(label_w - 8, y + row_h * 0.65, short, cls="chart-label", anchor="end"))
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(length, 1)}" height="{row_h - 8}" class="chart-bar-fill" rx="2"/>')
        parts.append(_text(label_w + length + 6, y + row_h * 0.65, value, cls="chart-value"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def heatmap_svg(chart: Chart) -> SafeString:
    """A grid: one row per item, one column per territory; darker means more, and the number is
    written in each cell (the shade is never the only carrier of the information)."""
    heads = chart.columns[1:]
    label_w, cell_w, row_h, head_h = 290, 44, 24, 40
    width = label_w + cell_w * len(heads) + 8
    height = head_h + row_h * len(chart.rows) + 8
    peak = max((max(row[1:]) if len(row) > 1 else 0) for row in chart.rows) or 1
    title_id, desc_id = f"chart-{chart.key}-title", f"chart-{chart.key}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-matrix" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(chart.title)}</title><desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    short_heads = chart.extra.get("short_columns") or heads
    for j, head in enumerate(short_heads):
        parts.append(_text(label_w + j * cell_w + cell_w / 2, head_h - 10, head, cls="chart-label", anchor="middle"))
    for i, row in enumerate(chart.rows):
        y = head_h + i * row_h
        label = str(row[0])
        parts.append(_text(label_w - 8, y + row_h * 0.68, label if len(label) <= 32 else label[:31] + "…", cls="chart-label", anchor="end"))
        for j, value in enumerate(row[1:]):
            level = 0 if not value else min(4, 1 + int(3 * value / peak))
            x = label_w + j * cell_w
            parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{row_h - 2}" class="chart-cell chart-cell-{level}"/>')
            parts.append(
                _text(
                    x + cell_w / 2,
                    y + row_h * 0.68,
                    value if value else "–",
                    cls=f"chart-cell-text chart-cell-text-{level}",
                    anchor="middle",
                )
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def points_map_svg(chart: Chart, points: list[tuple[float, float, bool]]) -> SafeString:
    """Each place as a dot on an equirectangular projection fitted to the points: labelled places
    are dark squares, the others light circles (shape, not only colour, tells them apart)."""
    import math

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
    title_id, desc_id = f"map-{chart.key}-title", f"map-{chart.key}-desc"
    labelled = sum(1 for p in points if p[2])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-map" viewBox="0 0 {width} {height + 30}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(str(chart.title))} : carte</title>',
        f'<desc id="{desc_id}">{len(points)} lieux géolocalisés, dont {labelled} labellisés (carrés foncés).</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" class="chart-map-bg"/>',
    ]
    plain, squares = [], []
    for lon, lat, is_labelled in points:
        x = round(pad + (lon - min_lon) * k * sx, 1)
        y = round(pad + (max_lat - lat) * sy, 1)
        if is_labelled:
            squares.append(f'<rect x="{x - 3}" y="{y - 3}" width="6" height="6" class="chart-map-labelled"/>')
        else:
            plain.append(f'<circle cx="{x}" cy="{y}" r="2.6" class="chart-map-place"/>')
    parts.extend(plain)
    parts.extend(squares)
    parts.append(f'<circle cx="14" cy="{height + 16}" r="4" class="chart-map-place"/>')
    parts.append(_text(24, height + 20, "lieu", cls="chart-label"))
    parts.append(f'<rect x="80" y="{height + 11}" width="9" height="9" class="chart-map-labelled"/>')
    parts.append(_text(96, height + 20, "lieu labellisé", cls="chart-label"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only
