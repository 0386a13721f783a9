"""A drift report as one self-contained HTML page: inline CSS and one SVG chart per
column (reference and current shares side by side), no script and nothing fetched, so
it opens offline and can be attached to evidence. Every name and value is escaped.

Numeric charts spread each column's range (reference and window together) over
:data:`DISPLAY_BINS` equal bins, placing each fine bin's values at their mean — the
profile keeps no more than that; categorical charts show the :data:`DISPLAY_CATEGORIES`
largest categories and the rest together.
"""

from __future__ import annotations

from html import escape

import numpy as np
import numpy.typing as npt

from bastion.drift.errors import DriftInputError
from bastion.drift.profile import CategoricalSummary, ColumnSummary, NumericSummary, Profile
from bastion.drift.report import ColumnDrift, DriftReport

__all__ = ["DISPLAY_BINS", "DISPLAY_CATEGORIES", "render_html"]

DISPLAY_BINS = 20
DISPLAY_CATEGORIES = 15
_WIDTH, _HEIGHT, _PAD = 640, 170, 24
_REFERENCE, _CURRENT = "#8c959f", "#0969da"

_STYLE = " ".join(
    [
        "body { font: 15px/1.5 system-ui, sans-serif; max-width: 64rem; margin: 2rem auto;",
        "padding: 0 1rem; color: #1f2328; } h1 { font-size: 1.6rem; }",
        "h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; margin-top: 2rem; }",
        "table { border-collapse: collapse; margin: .5rem 0; width: 100%; }",
        "th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left;",
        "vertical-align: top; } th { background: #f6f8fa; } .muted { color: #57606a; }",
        "td.num { text-align: right; font-variant-numeric: tabular-nums; }",
        ".pass, .ok, .constant { color: #1a7f37; }",
        ".warn, .drift, .type_changed, .missing { color: #9a6700; } .drift { font-weight: 600; }",
        ".insufficient_data, .all_null, .new { color: #57606a; }",
        ".chart { margin: 1rem 0 1.5rem; } .chart h3 { font-size: 1rem; margin: 0 0 .25rem; }",
        ".key span { display: inline-block; width: .8rem; height: .8rem;",
        "margin: 0 .3rem 0 .8rem; vertical-align: -1px; }",
    ]
)


def render_html(report: DriftReport, ref: Profile | None = None, cur: Profile | None = None) -> str:
    """The report as a self-contained HTML page.

    ``ref`` and ``cur`` are the profiles compared; by default the report's own (a report
    made by :func:`~bastion.drift.compare` keeps them).

    Raises
    ------
    DriftInputError
        If the report holds no profiles and none are given.
    """
    ref = ref or report.reference
    cur = cur or report.current
    if ref is None or cur is None:
        raise DriftInputError("render_html needs the reference and current profiles")
    parts = [
        "<!doctype html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>Data drift report</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n",
        "<h1>Data drift report — "
        f"<span class='{report.verdict}'>{escape(report.verdict)}</span></h1>\n",
        f"<p>{escape(report.summary)}</p>\n",
        f"<p class='muted'>Reference: {report.reference_rows:,} rows; current: "
        f"{report.rows:,} rows. Distances drift at or above their threshold, p-values "
        "below it.</p>\n",
        _columns_table(report),
        _quality_table(report),
        _multivariate(report),
        "<h2>Distributions</h2>\n<p class='key'><span style='background:"
        f"{_REFERENCE}'></span>reference<span style='background:{_CURRENT}'></span>"
        "current (share of values)</p>\n",
    ]
    for column in report.columns:
        r, c = ref.columns.get(column.column), cur.columns.get(column.column)
        if r is not None and c is not None and r.count and c.count:
            parts.append(_chart(column, r, c))
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _columns_table(report: DriftReport) -> str:
    rows = []
    for c in report.columns:
        name = escape(c.column) + (
            " <span class='muted'>(prediction)</span>" if c.role == "prediction" else ""
        )
        note = f"<br><span class='muted'>{escape(c.note)}</span>" if c.note else ""
        rows.append(
            f"<tr><td>{name}</td><td>{escape(c.kind or '—')}</td><td>{escape(c.test or '—')}</td>"
            f"<td class='num'>{_fmt(c.statistic)}</td><td class='num'>{_fmt(c.p_value)}</td>"
            f"<td class='num'>{_fmt(c.threshold)}</td>"
            f"<td class='{c.status}'>{escape(c.status.replace('_', ' '))}{note}</td></tr>"
        )
    return (
        "<h2>Columns</h2>\n<table>\n<tr><th>Column</th><th>Kind</th><th>Test</th>"
        "<th>Statistic</th><th>p-value</th><th>Threshold</th><th>Status</th></tr>\n"
        + "\n".join(rows)
        + "\n</table>\n"
    )


def _quality_table(report: DriftReport) -> str:
    rows = [
        f"<tr><td>{escape(q.column)}</td><td>{escape('; '.join(q.issues))}</td></tr>"
        for q in report.quality
        if q.issues
    ]
    if not rows:
        return (
            "<h2>Data quality</h2>\n<p>No missing values, type violations, infinities, "
            "out-of-range values or new categories.</p>\n"
        )
    return (
        "<h2>Data quality</h2>\n<table>\n<tr><th>Column</th><th>Findings</th></tr>\n"
        + "\n".join(rows)
        + "\n</table>\n"
    )


def _multivariate(report: DriftReport) -> str:
    mv = report.multivariate
    if mv is None:
        return ""
    return (
        "<h2>Multivariate drift</h2>\n<p>Mean PCA reconstruction error "
        f"<strong>{_fmt(mv.statistic)}</strong>, reference band {_fmt(mv.lower)} to "
        f"{_fmt(mv.upper)}: <span class='{mv.status}'>{escape(mv.status.replace('_', ' '))}"
        "</span>.</p>\n"
    )


def _numeric_shares(
    ref: NumericSummary, cur: NumericSummary
) -> tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    low = min(v for v in (ref.min, cur.min) if v is not None)
    high = max(v for v in (ref.max, cur.max) if v is not None)
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, DISPLAY_BINS + 1)

    def shares(s: NumericSummary) -> npt.NDArray[np.float64]:
        held = s.counts > 0
        places = s.sums[held] / s.counts[held]
        hist, _ = np.histogram(places, bins=edges, weights=s.counts[held])
        return np.asarray(hist / s.count, dtype=np.float64)

    labels = [f"{edges[0]:.4g}", f"{edges[-1]:.4g}"]
    return labels, shares(ref), shares(cur)


def _categorical_shares(
    ref: CategoricalSummary, cur: CategoricalSummary
) -> tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    names = [*ref.bins.categories, *cur.new]
    r = np.concatenate([ref.counts, np.zeros(len(cur.new))]) / ref.count
    c = np.concatenate([cur.counts, list(cur.new.values())]) / cur.count
    order = np.argsort(-np.maximum(r, c), kind="stable")[:DISPLAY_CATEGORIES]
    shown_r, shown_c = r[order], c[order]
    labels = [names[i] for i in order]
    rest_r, rest_c = 1.0 - shown_r.sum(), 1.0 - shown_c.sum()
    if max(rest_r, rest_c) > 1e-12:
        labels.append("(other)")
        shown_r, shown_c = np.append(shown_r, rest_r), np.append(shown_c, rest_c)
    return labels, shown_r, shown_c


def _chart(column: ColumnDrift, ref: ColumnSummary, cur: ColumnSummary) -> str:
    if isinstance(ref, NumericSummary) and isinstance(cur, NumericSummary):
        labels, r, c = _numeric_shares(ref, cur)
        axis = labels
        labels = []
    elif isinstance(ref, CategoricalSummary) and isinstance(cur, CategoricalSummary):
        labels, r, c = _categorical_shares(ref, cur)
        axis = []
    else:  # pragma: no cover - a profile keeps each column's kind
        return ""
    top = float(max(r.max(), c.max(), 1e-12))
    n = len(r)
    slot = (_WIDTH - 2 * _PAD) / n
    bar = slot * 0.4
    base = _HEIGHT - _PAD
    scale = (_HEIGHT - 2 * _PAD) / top
    shapes = []
    for i in range(n):
        x = _PAD + i * slot + slot * 0.1
        for offset, share, colour, who in (
            (0.0, r[i], _REFERENCE, "reference"),
            (bar, c[i], _CURRENT, "current"),
        ):
            h = float(share) * scale
            tip = f"{labels[i]}: " if labels else ""
            shapes.append(
                f"<rect x='{x + offset:.1f}' y='{base - h:.1f}' width='{bar:.1f}' "
                f"height='{h:.1f}' fill='{colour}'><title>{escape(tip)}{who} "
                f"{float(share):.2%}</title></rect>"
            )
        if labels:
            text = labels[i] if len(labels[i]) <= 12 else labels[i][:11] + "…"
            shapes.append(
                f"<text x='{x + bar:.1f}' y='{_HEIGHT - 8}' font-size='9' "
                f"text-anchor='middle'>{escape(text)}</text>"
            )
    if axis:
        shapes.append(f"<text x='{_PAD}' y='{_HEIGHT - 8}' font-size='10'>{escape(axis[0])}</text>")
        shapes.append(
            f"<text x='{_WIDTH - _PAD}' y='{_HEIGHT - 8}' font-size='10' "
            f"text-anchor='end'>{escape(axis[1])}</text>"
        )
    shapes.append(
        f"<text x='{_PAD}' y='{_PAD - 8}' font-size='10' fill='#57606a'>max {top:.1%}</text>"
    )
    stat = "" if column.statistic is None else f" {column.test} {column.statistic:.4g}"
    return (
        f"<div class='chart'><h3>{escape(column.column)} <span class='{column.status}'>"
        f"{escape(column.status.replace('_', ' '))}</span><span class='muted'>{escape(stat)}"
        f"</span></h3>\n<svg xmlns='http://www.w3.org/2000/svg' width='{_WIDTH}' "
        f"height='{_HEIGHT}' viewBox='0 0 {_WIDTH} {_HEIGHT}' role='img' "
        f"aria-label='{escape(column.column)}: reference and current distributions'>"
        + "".join(shapes)
        + "</svg></div>\n"
    )
