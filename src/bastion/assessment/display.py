"""How a result shows itself in a notebook (``_repr_html_``): the same head — title,
coloured verdict, summary, notes — and then the result's own tables, for every kind."""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

__all__ = ["VERDICT_COLOURS", "html_report"]

VERDICT_COLOURS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "info": "#57606a"}

Section = tuple[str, "pd.DataFrame | str"]
"""A heading and its body: a data frame, or HTML that the caller has escaped."""


def html_report(
    title: str,
    verdict: str,
    summary: str,
    notes: Sequence[str],
    sections: Sequence[Section] = (),
    *,
    detail: str = "",
) -> str:
    """The HTML of a result: ``title — verdict``, the summary, ``detail`` (escaped here),
    the notes, then each section's heading and table."""
    colour = VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["info"])
    parts = [
        f"<h4>{html.escape(title)} — <span style='color:{colour}'>{html.escape(verdict)}</span>"
        "</h4>",
        f"<p>{html.escape(summary)}</p>",
    ]
    if detail:
        parts.append(f"<p>{html.escape(detail)}</p>")
    if notes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>")
    for heading, body in sections:
        if heading:
            parts.append(f"<h5>{html.escape(heading)}</h5>")
        if isinstance(body, pd.DataFrame):
            parts.append(body.to_html(float_format=lambda v: f"{v:.4f}"))
        else:
            parts.append(body)
    return "".join(parts)
