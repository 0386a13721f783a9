"""What a drift comparison tests and when a column counts as drifted: the settings, kept
apart from the calculation (a small serializable object, as Evidently's options are).

The defaults follow Evidently's ``DataDriftPreset`` so that the two agree column by
column (see ``docs/drift.md``): with more than 1,000 reference values, distances — the
normed Wasserstein distance for numeric columns, the Jensen-Shannon distance for
categorical ones and for numeric columns of at most five distinct values — each drifting
at 0.1; with fewer, p-values — Kolmogorov-Smirnov for numeric columns, chi-square for
categorical ones and few-valued numeric ones — drifting below 0.05. The dataset drifts
when the share of drifted columns reaches ``drift_share`` (0.5).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from bastion.drift.errors import DriftInputError

__all__ = [
    "DEFAULT_THRESHOLDS",
    "P_VALUE_TESTS",
    "TESTS",
    "ColumnRule",
    "DriftConfig",
    "Test",
]

Test = Literal["psi", "ks", "chisquare", "jensenshannon", "wasserstein"]
TESTS: tuple[Test, ...] = get_args(Test)
P_VALUE_TESTS = frozenset({"ks", "chisquare"})
"""Tests whose verdict reads a p-value (drift below the threshold); the others are
distances (drift at or above it)."""
NUMERIC_ONLY = frozenset({"ks", "wasserstein"})

DEFAULT_THRESHOLDS: dict[str, float] = {
    "ks": 0.05,
    "chisquare": 0.05,
    "psi": 0.1,
    "jensenshannon": 0.1,
    "wasserstein": 0.1,
}


@dataclass(frozen=True)
class ColumnRule:
    """One column's overrides: its test, its threshold, or a band learned from reference
    windows (:func:`bastion.drift.learn_thresholds`) — the column drifts when its
    statistic leaves ``band``, whatever the test's usual reading."""

    test: Test | None = None
    threshold: float | None = None
    band: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.test is not None and self.test not in TESTS:
            raise DriftInputError(
                f"unknown test {self.test!r}; use one of {', '.join(TESTS)}", field="test"
            )
        if self.threshold is not None and not (
            math.isfinite(self.threshold) and self.threshold >= 0
        ):
            raise DriftInputError("a threshold must be a number ≥ 0", field="threshold")
        if self.band is not None:
            low, high = (float(v) for v in self.band)
            if not low <= high:
                raise DriftInputError("a band must be (low, high) with low ≤ high", field="band")
            object.__setattr__(self, "band", (low, high))

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "threshold": self.threshold,
            "band": None if self.band is None else list(self.band),
        }


@dataclass(frozen=True)
class DriftConfig:
    """Settings of a drift comparison.

    Attributes
    ----------
    drift_share : float
        The dataset drifts when the share of drifted columns is at least this (Evidently's
        ``drift_share``, 0.5; its comparison is ``>=`` too).
    min_rows : int
        Fewer values than this in the reference or the window: the column is reported as
        ``insufficient_data``, not tested.
    large : int
        Above this many reference values a column is tested by a distance, at or below it
        by a p-value (Evidently: 1,000).
    discrete : int
        A numeric column with at most this many distinct values (reference and window
        together) is tested as categorical (Evidently: 5).
    thresholds : dict of test name to float
        Default threshold of each test; missing names keep :data:`DEFAULT_THRESHOLDS`.
    columns : dict of column name to ColumnRule
        Per-column overrides of the test, threshold or band.
    prediction : str, optional
        The model's prediction column: its drift (prediction drift) is reported apart.
    exact_max_rows : int
        When :func:`~bastion.drift.compare` gets tables and both have at most this many
        rows, KS and Wasserstein are computed on the raw values (scipy, exact); otherwise
        from the fine bins of the profiles.
    psi_epsilon : float
        Share given to an empty bin in PSI, so its logarithm stays finite.
    js_base : float
        Logarithm base of the Jensen-Shannon distance: 2 bounds it by 1. Evidently uses
        the natural logarithm (``math.e``), whose distances are √ln 2 ≈ 0.83 times these.
    multivariate : bool
        Fit and test the PCA reconstruction error when ``compare`` gets tables (a
        reference profile fitted with ``multivariate=True`` is always tested).
    multivariate_band : (float, float), optional
        Replace the reference's own band for the mean reconstruction error.
    """

    drift_share: float = 0.5
    min_rows: int = 30
    large: int = 1000
    discrete: int = 5
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    columns: Mapping[str, ColumnRule] = field(default_factory=dict)
    prediction: str | None = None
    exact_max_rows: int = 200_000
    psi_epsilon: float = 1e-4
    js_base: float = 2.0
    multivariate: bool = False
    multivariate_band: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.drift_share <= 1.0:
            raise DriftInputError("drift_share must be between 0 and 1", field="drift_share")
        for name in ("min_rows", "large", "discrete", "exact_max_rows"):
            if int(getattr(self, name)) < 0:
                raise DriftInputError(f"{name} must be at least 0", field=name)
        if not 0.0 < self.psi_epsilon < 1.0:
            raise DriftInputError("psi_epsilon must be between 0 and 1", field="psi_epsilon")
        if not (self.js_base > 1.0 and math.isfinite(self.js_base)):
            raise DriftInputError("js_base must be above 1", field="js_base")
        unknown = sorted(set(self.thresholds) - set(TESTS))
        if unknown:
            raise DriftInputError(
                f"thresholds for unknown test(s) {unknown}; use {', '.join(TESTS)}",
                field="thresholds",
            )
        thresholds = {**DEFAULT_THRESHOLDS, **{k: float(v) for k, v in self.thresholds.items()}}
        if any(not (math.isfinite(v) and v >= 0) for v in thresholds.values()):
            raise DriftInputError("thresholds must be numbers ≥ 0", field="thresholds")
        object.__setattr__(self, "thresholds", thresholds)
        rules = {}
        for name, rule in self.columns.items():
            rules[str(name)] = rule if isinstance(rule, ColumnRule) else _rule(name, rule)
        object.__setattr__(self, "columns", rules)
        if self.multivariate_band is not None:
            low, high = (float(v) for v in self.multivariate_band)
            if not low <= high:
                raise DriftInputError(
                    "multivariate_band must be (low, high) with low ≤ high",
                    field="multivariate_band",
                )
            object.__setattr__(self, "multivariate_band", (low, high))

    def rule(self, column: str) -> ColumnRule:
        return self.columns.get(column) or ColumnRule()

    def choose_test(
        self, column: str, kind: str, reference_values: int, distinct: int | None
    ) -> Test:
        """The column's test: its rule's, else Evidently's default for its kind and size.

        ``distinct`` is the number of distinct values in the reference and the window
        together, ``None`` when it is more than a profile keeps (many).
        """
        chosen = self.rule(column).test
        if chosen is not None:
            if chosen in NUMERIC_ONLY and kind != "numeric":
                raise DriftInputError(
                    f"column {column!r}: {chosen} tests numeric columns only", field=column
                )
            return chosen
        few = distinct is not None and distinct <= self.discrete
        if reference_values > self.large:
            return "jensenshannon" if kind == "categorical" or few else "wasserstein"
        return "chisquare" if kind == "categorical" or few else "ks"

    def threshold(self, column: str, test: Test) -> float:
        rule = self.rule(column)
        return rule.threshold if rule.threshold is not None else self.thresholds[test]

    def with_rules(self, rules: Mapping[str, ColumnRule], **changes: Any) -> DriftConfig:
        """A copy with ``rules`` replacing those columns' rules (and other ``changes``)."""
        return replace(self, columns={**self.columns, **rules}, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON (what :meth:`from_dict` and ``--config`` read)."""
        return {
            "drift_share": self.drift_share,
            "min_rows": self.min_rows,
            "large": self.large,
            "discrete": self.discrete,
            "thresholds": dict(self.thresholds),
            "columns": {name: rule.to_dict() for name, rule in self.columns.items()},
            "prediction": self.prediction,
            "exact_max_rows": self.exact_max_rows,
            "psi_epsilon": self.psi_epsilon,
            "js_base": self.js_base,
            "multivariate": self.multivariate,
            "multivariate_band": (
                None if self.multivariate_band is None else list(self.multivariate_band)
            ),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DriftConfig:
        """Settings from plain data, e.g. a YAML file; unknown keys are refused by name."""
        if not isinstance(d, Mapping):
            raise DriftInputError("a drift config must be a mapping", field="config")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(d) - known)
        if unknown:
            raise DriftInputError(
                f"unknown drift config key(s) {unknown}; known: {sorted(known)}", field="config"
            )
        values = {k: v for k, v in d.items() if v is not None or k in ("prediction",)}
        for key in ("thresholds", "columns"):
            if key in values and not isinstance(values[key], Mapping):
                raise DriftInputError(f"{key} must be a mapping", field=key)
        try:
            return cls(**values)
        except TypeError as exc:
            raise DriftInputError(f"bad drift config: {exc}", field="config") from None


def _rule(name: str, raw: Any) -> ColumnRule:
    if not isinstance(raw, Mapping):
        raise DriftInputError(
            f"columns.{name}: expected a mapping of test / threshold / band", field=name
        )
    unknown = sorted(set(raw) - {"test", "threshold", "band"})
    if unknown:
        raise DriftInputError(f"columns.{name}: unknown key(s) {unknown}", field=name)
    band = raw.get("band")
    return ColumnRule(
        test=raw.get("test"),
        threshold=None if raw.get("threshold") is None else float(raw["threshold"]),
        band=None if band is None else (float(band[0]), float(band[1])),
    )
