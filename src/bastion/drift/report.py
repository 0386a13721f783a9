"""The typed result of a drift comparison, and the ways to read it: per-column drift and
data quality, the dataset verdict, flat metrics for alert rules and Prometheus, and JSON.

:meth:`DriftReport.metrics` names (``<column>`` is the column's own name, unescaped; an
exporter with stricter name rules maps it):

=================================== ====================================================
``rows``, ``reference.rows``        rows of the window and of the reference
``drift.share``                     share of tested columns that drifted
``drift.dataset``                   1 when the dataset drifted, else 0
``drift.columns``                   columns tested; ``drift.drifted_columns`` drifted
``drift.<test>.<column>``           the column's statistic (``<test>`` its test name)
``drift.p_value.<column>``          its p-value (KS and chi-square only)
``drift.drifted.<column>``          1 when it drifted, else 0
``drift.prediction``                the prediction column's statistic (when named), and
                                    ``drift.prediction.drifted``
``drift.multivariate``              mean PCA reconstruction error (when fitted), and
                                    ``drift.multivariate.drifted``
``quality.missing.<column>``        share of the window's rows missing the value
``quality.type_violations.<column>`` values that are not of the column's type
``quality.infinities.<column>``     infinite values (numeric columns)
``quality.out_of_range.<column>``   share of finite values outside the reference range
``quality.new_categories.<column>`` share of values in categories new to the reference
=================================== ====================================================

Only columns tested get ``drift.*`` figures; a figure that is undefined is left out.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Literal

from bastion.assessment.verdict import plain
from bastion.drift.config import DriftConfig, Test
from bastion.drift.profile import Profile

__all__ = [
    "STATUSES",
    "ColumnDrift",
    "ColumnQuality",
    "DriftReport",
    "MultivariateDrift",
    "Status",
]

Status = Literal[
    "ok", "drift", "insufficient_data", "missing", "new", "type_changed", "all_null", "constant"
]
STATUSES: tuple[Status, ...] = (
    "ok",
    "drift",
    "insufficient_data",
    "missing",
    "new",
    "type_changed",
    "all_null",
    "constant",
)


@dataclass(frozen=True)
class ColumnDrift:
    """One column's drift.

    ``statistic`` is the test's statistic (for KS the largest CDF gap, for chi-square
    χ², for the others the distance), ``p_value`` its p-value for KS and chi-square
    (``None`` for distances). ``drifted`` is ``None`` when the column was not tested:
    ``status`` says why — ``missing`` from the window, ``new`` in it, ``type_changed``
    (no value of the reference's type left), ``all_null``, ``insufficient_data`` (fewer
    values than ``min_rows``). A column ``constant`` in both with the same value is not
    drifted. ``exact`` is true when KS or Wasserstein ran on the raw values.
    """

    column: str
    kind: str | None
    test: Test | None
    statistic: float | None
    p_value: float | None
    threshold: float | None
    drifted: bool | None
    status: Status
    role: Literal["feature", "prediction"] = "feature"
    band: tuple[float, float] | None = None
    exact: bool = False
    reference_values: int = 0
    current_values: int = 0
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ColumnQuality:
    """Data-quality findings of one column of the window, against the reference.

    Shares: ``missing_share`` of the rows, ``out_of_range_share`` of the finite values
    (outside the reference's min-max), ``new_category_share`` of the values present (in
    categories the reference never had; known only when the reference listed all its
    categories). ``new_categories`` names the first :data:`~bastion.drift.profile.NEW_KEPT`
    by sort order.
    """

    column: str
    kind: str
    rows: int
    missing: int
    missing_share: float | None
    reference_missing_share: float | None
    type_violations: int
    infinities: int = 0
    out_of_range: int = 0
    out_of_range_share: float | None = None
    reference_min: float | None = None
    reference_max: float | None = None
    new_categories: tuple[str, ...] = ()
    new_category_values: int = 0
    new_category_share: float | None = None
    new_categories_truncated: bool = False

    @property
    def issues(self) -> list[str]:
        """The findings in words (empty when there are none)."""
        out = []
        if self.missing:
            out.append(f"{self.missing} missing ({_pct(self.missing_share)})")
        if self.type_violations:
            out.append(f"{self.type_violations} not {self.kind}")
        if self.infinities:
            out.append(f"{self.infinities} infinite")
        if self.out_of_range:
            out.append(
                f"{self.out_of_range} out of the reference range ({_pct(self.out_of_range_share)})"
            )
        if self.new_category_values:
            names = ", ".join(self.new_categories[:5])
            more = "…" if len(self.new_categories) > 5 or self.new_categories_truncated else ""
            out.append(f"{self.new_category_values} in new categories ({names}{more})")
        return out

    def to_dict(self) -> dict[str, Any]:
        return plain(self.__dict__)  # type: ignore[no-any-return]


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


@dataclass(frozen=True)
class MultivariateDrift:
    """The window's mean PCA reconstruction error against the reference band."""

    statistic: float | None
    lower: float
    upper: float
    drifted: bool | None
    status: Status
    current_rows: int

    def to_dict(self) -> dict[str, Any]:
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class DriftReport:
    """Everything a drift comparison found.

    Attributes
    ----------
    columns : list of ColumnDrift
        Every reference column, then the window's new columns.
    quality : list of ColumnQuality
        Data-quality findings of each reference column present in the window.
    multivariate : MultivariateDrift or None
    drift_share : float
        Share of tested columns (``drifted`` not ``None``) that drifted; 0 when none was.
    drifted : bool
        Dataset drift: ``drift_share >= config.drift_share`` with at least one column
        tested and drifted.
    rows, reference_rows : int
    config : DriftConfig
    reference, current : Profile
        The profiles compared (not serialized; the HTML report draws from them).
    """

    columns: list[ColumnDrift]
    quality: list[ColumnQuality]
    multivariate: MultivariateDrift | None
    drift_share: float
    drifted: bool
    rows: int
    reference_rows: int
    config: DriftConfig
    reference: Profile | None = field(default=None, repr=False, compare=False)
    current: Profile | None = field(default=None, repr=False, compare=False)

    @property
    def tested(self) -> list[ColumnDrift]:
        return [c for c in self.columns if c.drifted is not None]

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    @property
    def prediction_drift(self) -> ColumnDrift | None:
        """The prediction column's drift, when ``config.prediction`` names one."""
        return next((c for c in self.columns if c.role == "prediction"), None)

    def column(self, name: str) -> ColumnDrift:
        for c in self.columns:
            if c.column == name:
                return c
        raise KeyError(name)

    @property
    def verdict(self) -> Literal["pass", "warn"]:
        """``warn`` when the dataset or any column drifted (the multivariate error too), or
        a reference column is missing or changed type; else ``pass``."""
        problems = any(c.drifted for c in self.columns) or any(
            c.status in ("missing", "type_changed") for c in self.columns
        )
        if self.drifted or problems or (self.multivariate and self.multivariate.drifted):
            return "warn"
        return "pass"

    @property
    def summary(self) -> str:
        """One line: the verdict in words."""
        tested = self.tested
        drifted = self.drifted_columns
        head = "dataset drift" if self.drifted else "no dataset drift"
        line = (
            f"{head}: {len(drifted)} of {len(tested)} columns drifted "
            f"({self.drift_share:.0%}; dataset threshold {self.config.drift_share:.0%})"
        )
        if drifted:
            shown = ", ".join(drifted[:5]) + (", …" if len(drifted) > 5 else "")
            line += f": {shown}"
        prediction = self.prediction_drift
        if prediction is not None and prediction.drifted:
            line += f"; prediction {prediction.column} drifted"
        if self.multivariate is not None and self.multivariate.drifted:
            line += "; multivariate drift"
        others: dict[str, int] = {}
        for c in self.columns:
            if c.status not in ("ok", "drift", "constant"):
                others[c.status] = others.get(c.status, 0) + 1
        if others:
            line += "; " + ", ".join(
                f"{n} {status.replace('_', ' ')}" for status, n in others.items()
            )
        return line

    def metrics(self) -> dict[str, float]:
        """Flat metric names and values for alert rules and Prometheus (module docstring)."""
        out: dict[str, float] = {
            "rows": float(self.rows),
            "reference.rows": float(self.reference_rows),
            "drift.share": self.drift_share,
            "drift.dataset": float(self.drifted),
            "drift.columns": float(len(self.tested)),
            "drift.drifted_columns": float(len(self.drifted_columns)),
        }
        for c in self.columns:
            if c.drifted is None or c.statistic is None:
                continue
            out[f"drift.{c.test}.{c.column}"] = c.statistic
            if c.p_value is not None:
                out[f"drift.p_value.{c.column}"] = c.p_value
            out[f"drift.drifted.{c.column}"] = float(c.drifted)
            if c.role == "prediction":
                out["drift.prediction"] = c.statistic
                out["drift.prediction.drifted"] = float(c.drifted)
        mv = self.multivariate
        if mv is not None and mv.statistic is not None and mv.drifted is not None:
            out["drift.multivariate"] = mv.statistic
            out["drift.multivariate.drifted"] = float(mv.drifted)
        for q in self.quality:
            if q.missing_share is not None:
                out[f"quality.missing.{q.column}"] = q.missing_share
            out[f"quality.type_violations.{q.column}"] = float(q.type_violations)
            if q.kind == "numeric":
                out[f"quality.infinities.{q.column}"] = float(q.infinities)
                if q.out_of_range_share is not None:
                    out[f"quality.out_of_range.{q.column}"] = q.out_of_range_share
            elif q.new_category_share is not None:
                out[f"quality.new_categories.{q.column}"] = q.new_category_share
        return out

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON: per column its test, statistic, threshold and drift
        flag, then the dataset verdict, the quality findings and the settings."""
        return {
            "verdict": self.verdict,
            "summary": self.summary,
            "dataset_drift": self.drifted,
            "drift_share": self.drift_share,
            "drift_share_threshold": self.config.drift_share,
            "rows": self.rows,
            "reference_rows": self.reference_rows,
            "columns": [c.to_dict() for c in self.columns],
            "prediction": self.config.prediction,
            "multivariate": None if self.multivariate is None else self.multivariate.to_dict(),
            "quality": [q.to_dict() for q in self.quality],
            "metrics": plain(self.metrics()),
            "config": self.config.to_dict(),
        }

    def _repr_html_(self) -> str:
        from bastion.assessment.display import html_report  # loads pandas: only in notebooks

        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(_cell(v))}</td>"
                for v in (c.column, c.test, c.statistic, c.p_value, c.threshold, c.status)
            )
            + "</tr>"
            for c in self.columns
        )
        table = (
            "<table><tr><th>column</th><th>test</th><th>statistic</th><th>p-value</th>"
            f"<th>threshold</th><th>status</th></tr>{rows}</table>"
        )
        notes = [f"{q.column}: {'; '.join(q.issues)}" for q in self.quality if q.issues]
        return html_report("Data drift", self.verdict, self.summary, notes, [("Columns", table)])


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
