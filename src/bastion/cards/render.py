"""A model card as Markdown or as one self-contained HTML page (charts as inline SVG: no
scripts, no fonts, nothing fetched — the page must open offline and in an air-gapped
review). JSON is the card's own ``model_dump``."""

from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from bastion.cards.schemas import CardBreakdown, CardImportance, ModelCard

Format = Literal["json", "md", "html"]
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
# Metrics a per-group chart shows first, in order of preference.
_CHART_METRICS = ("selection_rate", "accuracy", "true_positive_rate", "mean_absolute_error")
_BAR_WIDTH, _ROW_HEIGHT, _LABEL_WIDTH = 260, 20, 200


def _env(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("bastion.cards", "templates"),
        # Markdown is not HTML: its template escapes through the ``cell`` filter instead.
        # (select_autoescape would go by the ".j2" suffix and escape nothing.)
        autoescape=autoescape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _num
    env.filters["cell"] = _md_cell
    return env


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _md_cell(value: Any) -> str:
    """A value that cannot break a Markdown table or inject markup."""
    text = _num(value) if value is None or isinstance(value, float) else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _bars(rows: list[tuple[str, float | None]], *, title: str) -> Markup:
    """A horizontal bar chart of values in [0, max] as inline SVG."""
    finite = [v for _, v in rows if v is not None]
    top = max([abs(v) for v in finite] + [1e-12])
    height = _ROW_HEIGHT * len(rows) + 10
    width = _LABEL_WIDTH + _BAR_WIDTH + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}">'
        f"<title>{escape(title)}</title>"
    ]
    for i, (label, value) in enumerate(rows):
        y = i * _ROW_HEIGHT + 5
        bar = 0.0 if value is None else abs(value) / top * _BAR_WIDTH
        parts.append(
            f'<text x="{_LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(label[:40])}</text>"
            f'<rect x="{_LABEL_WIDTH}" y="{y + 3}" width="{bar:.1f}" height="{_ROW_HEIGHT - 6}"'
            f' fill="#3b6ea8"/>'
            f'<text x="{_LABEL_WIDTH + bar + 4:.1f}" y="{y + 14}" font-size="12">'
            f"{escape(_num(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def _breakdown_chart(b: CardBreakdown) -> Markup | None:
    metric = next(
        (m for m in _CHART_METRICS if m in b.metrics), b.metrics[0] if b.metrics else None
    )
    if metric is None:
        return None
    rows = [(" x ".join(str(r.get(f)) for f in b.features), r.get(metric)) for r in b.rows]
    return _bars(rows, title=f"{metric.replace('_', ' ')} by {' x '.join(b.features)}")


def _importance_chart(importance: list[CardImportance]) -> Markup | None:
    if not importance:
        return None
    top = sorted(importance, key=lambda i: -(i.share or 0.0))[:15]
    return _bars([(i.feature, i.share) for i in top], title="share of global importance")


def render(card: ModelCard, fmt: Format) -> str:
    """The card as JSON, Markdown or self-contained HTML."""
    if fmt == "json":
        return card.model_dump_json(indent=2)
    if fmt == "md":
        return _env(autoescape=False).get_template("card.md.j2").render(card=card)
    charts = {
        "breakdowns": [_breakdown_chart(b) for b in card.breakdowns],
        "importance": _importance_chart(card.importance),
    }
    return _env(autoescape=True).get_template("card.html.j2").render(card=card, charts=charts)
