"""The typed result of a differentially private query, and the ways to read it.

A :class:`DpResult` is what a notebook shows (``_repr_html_``), what the platform stores in
its query ledger (``to_dict``), and what the CLI prints. It carries the released value and
everything needed to read it honestly: the privacy loss charged, the mechanism and its
noise scale, the bounds the data were clamped to, and how the dataset's size was handled.
It never carries the true value or the true number of rows.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["SCHEMA_VERSION", "DpResult", "SizeHandling"]

SCHEMA_VERSION = 1

SizeHandling = Literal["not needed", "public", "private count"]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@dataclass(frozen=True)
class DpResult:
    """A differentially private statistic of one column.

    Attributes
    ----------
    query : str
        ``count``, ``sum``, ``mean``, ``histogram`` or ``quantile``.
    column : str
        The column it was computed on.
    value : int, float or dict of str to int
        The released value: a noisy count (an integer, which may be negative when the
        true count is small — that keeps it unbiased), a noisy sum of clamped values, a
        mean clamped into the bounds, counts per category, or one of the candidates.
    epsilon, delta : float
        The privacy loss charged for the query.
    mechanism : str
        ``laplace``, ``gaussian`` or ``exponential`` (the quantile's selection).
    bounds : dict
        The public bounds: ``lower`` and ``upper`` (values were clamped to them),
        ``categories``, or ``candidates``.
    noise_scale : float or None
        The scale of the noise in the statistic's units: Laplace's ``b`` (standard
        deviation ``b·√2``) or Gaussian's sigma. None for a quantile, and for a mean of
        private size (two noises; see ``details``).
    accuracy : float or None
        With 95 % probability the noise is at most this large in absolute value (for a
        histogram, in each count), from OpenDP's ``*_scale_to_accuracy``.
    size_handling : str
        How the number of rows entered: ``not needed`` (counts, sums, histograms and
        quantiles need no size), ``public`` (a mean of the public ``public_size``), or
        ``private count`` (a mean as a noisy sum over a noisy count).
    public_size : int or None
        The public number of rows a mean was computed for.
    contributions : int
        The most rows one person holds, as the query assumed.
    alpha : float or None
        The quantile's level.
    other : int or None
        For a histogram: the noisy count of values outside the categories.
    privacy_map : dict
        OpenDP's own privacy map of the measurement at ``d_in = contributions``
        (``epsilon``, and ``delta`` for Gaussian noise): never above what was charged.
    details : dict
        Further facts of the computation (component noise scales, quantization).
    opendp_version : str
        The OpenDP library that computed it.
    notes : tuple of str
        What a reader must know to read the value.
    """

    query: str
    column: str
    value: int | float | dict[str, int]
    epsilon: float
    delta: float
    mechanism: str
    bounds: dict[str, Any]
    noise_scale: float | None
    accuracy: float | None
    size_handling: SizeHandling
    contributions: int
    privacy_map: dict[str, float]
    opendp_version: str
    public_size: int | None = None
    alpha: float | None = None
    other: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """One sentence: what was released, at which privacy loss."""
        loss = f"ε={self.epsilon:g}" + (f", δ={self.delta:g}" if self.delta else "")
        what = self.query if self.alpha is None else f"{self.alpha:g}-quantile"
        if isinstance(self.value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in self.value.items())
            value = f"{{{shown}}}" + (f", other: {self.other}" if self.other is not None else "")
        else:
            value = _fmt(self.value)
        accuracy = f" (±{self.accuracy:.3g} at 95 %)" if self.accuracy is not None else ""
        return f"DP {what} of {self.column}: {value}{accuracy}; {loss}, {self.mechanism}"

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data, with a ``schema_version``."""
        return {
            "schema_version": SCHEMA_VERSION,
            "query": self.query,
            "column": self.column,
            "value": self.value,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "mechanism": self.mechanism,
            "bounds": self.bounds,
            "noise_scale": self.noise_scale,
            "accuracy": self.accuracy,
            "accuracy_level": 0.95,
            "size_handling": self.size_handling,
            "public_size": self.public_size,
            "contributions": self.contributions,
            "alpha": self.alpha,
            "other": self.other,
            "privacy_map": self.privacy_map,
            "details": self.details,
            "opendp_version": self.opendp_version,
            "notes": list(self.notes),
            "summary": self.summary,
        }

    def _repr_html_(self) -> str:
        rows = [
            ("value", self.value if not isinstance(self.value, dict) else ""),
            ("epsilon", self.epsilon),
            ("delta", self.delta),
            ("mechanism", self.mechanism),
            ("noise scale", self.noise_scale),
            ("accuracy (95 %)", self.accuracy),
            ("size", self.size_handling),
            ("contributions", self.contributions),
        ]
        cells = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in rows
            if v is not None and v != ""
        )
        parts = [
            f"<h4>Differentially private {html.escape(self.query)} of "
            f"{html.escape(self.column)}</h4>",
            f"<p>{html.escape(self.summary)}</p>",
            f"<table>{cells}</table>",
        ]
        if isinstance(self.value, dict):
            counts = "".join(
                f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in self.value.items()
            )
            if self.other is not None:
                counts += f"<tr><td><i>other</i></td><td>{self.other}</td></tr>"
            parts.append(f"<table><tr><th>category</th><th>count</th></tr>{counts}</table>")
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes))
            parts.append("</ul>")
        return "".join(parts)
