"""Seeded reference and current data for the drift benchmark (``benchmarks/bench_drift.py``):
20 numeric and 5 categorical columns of varied shapes, where a known subset of columns is
shifted in the current data and the rest is drawn from the reference distribution.

The shifts are sized against the default thresholds both engines use for more than 1,000
rows (normed Wasserstein distance 0.1 for numeric columns, Jensen-Shannon distance 0.1 for
categorical ones and for numeric columns of at most 5 values), so that a drifted column
scores well above its threshold and an undrifted one well below, with one mild shift
(``gamma_mild``, about 0.05) that must *not* be flagged. The expected normed Wasserstein
distances in the comments follow from the distributions (W1 of two normals of equal mean
is |sd1 - sd2|·E|Z|, of a location shift its size). 13 of the 25 columns drift, a share
of 0.52: the dataset drifts at the usual share threshold of 0.5, and one column judged
differently would flip the verdict.

Categorical columns are plain strings in the Parquet files (not dictionary-encoded), so
pandas and polars each read them the way they read any string column. Nulls are real
Parquet nulls. Everything is deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow is imported where tables are built, not here: Bastion's side of the benchmark
# imports this module for the column lists, and pyarrow (~30 MB) would count in the peak
# memory it measures, while bastion.drift itself does not import it.

# (generator, rows, shifted) -> values, with NaN for a missing numeric value
NumericDraw = Callable[[np.random.Generator, int, bool], np.ndarray]


@dataclass(frozen=True)
class Column:
    """One generated column: how it is drawn, and whether the current data drifts."""

    name: str
    kind: str  # "numeric" or "categorical"
    shape: str  # the distribution, for the report
    shift: str | None  # what changes in the current data; None: nothing
    draw: NumericDraw | None = None  # numeric columns
    categories: tuple[str, ...] = ()  # categorical columns: the reference's categories
    probs: tuple[float, ...] = ()  # … their reference frequencies
    shifted_probs: tuple[float, ...] = ()  # … and the current's, when they change
    new_categories: tuple[str, ...] = ()  # categories only the current data has
    null_share: float = 0.0

    @property
    def drifts(self) -> bool:
        # The mild shift is below the threshold by design: it is not expected to drift.
        return self.shift is not None and not self.shift.startswith("mild")


def _with_nulls(values: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    values = values.astype(np.float64)
    values[rng.random(len(values)) < share] = np.nan
    return values


def _normal(mean: float, sd: float, *, shift: float = 0.0, scale: float = 1.0) -> NumericDraw:
    def draw(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
        if shifted:
            return rng.normal(mean + shift, sd * scale, n)
        return rng.normal(mean, sd, n)

    return draw


def _lognormal(mu: float, sigma: float, *, shift: float = 0.0, nulls: float = 0.0) -> NumericDraw:
    def draw(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
        values = rng.lognormal(mu + (shift if shifted else 0.0), sigma, n)
        return _with_nulls(values, rng, nulls) if nulls else values

    return draw


def _normal_nulls(mean: float, sd: float, nulls: float, *, shift: float = 0.0) -> NumericDraw:
    def draw(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
        return _with_nulls(rng.normal(mean + (shift if shifted else 0.0), sd, n), rng, nulls)

    return draw


def _exponential(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    return rng.exponential(2.6 if shifted else 2.0, n)  # W1 0.6, sd 2: 0.30


def _gamma_mild(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    return rng.gamma(2.0, 3.1 if shifted else 3.0, n)  # W1 0.2, sd 4.24: 0.047


def _uniform(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    return rng.random(n)


def _beta(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    return rng.beta(3.0 if shifted else 2.0, 5.0, n)  # mean +0.09, sd 0.16: about 0.5


def _poisson(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    return rng.poisson(3.0, n).astype(np.int64)


def _age(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    # Whole years 18..90; the current population is 6 years older (sd 12: about 0.5).
    return np.clip(np.rint(rng.normal(46.0 if shifted else 40.0, 12.0, n)), 18, 90).astype(np.int64)


def _negative_binomial(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    return rng.negative_binomial(5, 0.3, n).astype(np.int64)


def _rating(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    # 5 values: Evidently's rule for numeric columns of at most 5 values is Jensen-Shannon.
    p = [0.15, 0.2, 0.25, 0.25, 0.15] if shifted else [0.05, 0.1, 0.2, 0.35, 0.3]
    return rng.choice(np.arange(1, 6), n, p=p).astype(np.int64)


def _binary(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    return (rng.random(n) < 0.3).astype(np.int64)


def _student_t(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    return rng.standard_t(3.0, n)  # heavy tails: the hardest case for binned approximations


def _bimodal(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    # 30 % → 60 % of the mass in the second mode, 5 away: W1 1.5, sd 2.5: about 0.6
    second = rng.random(n) < (0.6 if shifted else 0.3)
    return rng.normal(np.where(second, 5.0, 0.0), 1.0)


def _zero_inflated(rng: np.random.Generator, n: int, shifted: bool) -> np.ndarray:
    # 60 % → 40 % zeros, the rest exponential(10): W1 2, sd 8: 0.25
    positive = rng.random(n) < (0.6 if shifted else 0.4)
    return np.where(positive, rng.exponential(10.0, n), 0.0)


def _zipf(k: int, a: float = 1.1) -> tuple[float, ...]:
    weights = 1.0 / np.arange(1, k + 1) ** a
    return tuple(float(w) for w in weights / weights.sum())


def _labels(prefix: str, k: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i:02d}" for i in range(k))


_CAT50 = _zipf(50)

COLUMNS: tuple[Column, ...] = (
    Column("normal", "numeric", "normal(50, 10)", None, _normal(50, 10)),
    Column("normal_shifted", "numeric", "normal(0, 1)", "mean +0.5 sd", _normal(0, 1, shift=0.5)),
    Column("normal_scaled", "numeric", "normal(100, 15)", "sd x1.5", _normal(100, 15, scale=1.5)),
    Column("lognormal", "numeric", "lognormal(0, 0.75)", None, _lognormal(0, 0.75)),
    Column(
        "lognormal_shifted",
        "numeric",
        "lognormal(3, 1)",
        "log-mean +0.4",
        _lognormal(3, 1, shift=0.4),
    ),
    Column("exponential_scaled", "numeric", "exponential(2)", "scale x1.3", _exponential),
    Column("gamma_mild", "numeric", "gamma(2, 3)", "mild: scale x1.033", _gamma_mild),
    Column("uniform", "numeric", "uniform(0, 1)", None, _uniform),
    Column("beta_shifted", "numeric", "beta(2, 5)", "beta(3, 5)", _beta),
    Column("poisson", "numeric", "poisson(3), integers", None, _poisson),
    Column("age_shifted", "numeric", "integers 18-90", "mean +6", _age),
    Column("negbinomial", "numeric", "negative binomial(5, 0.3)", None, _negative_binomial),
    Column("rating_shifted", "numeric", "integers 1-5", "mix change", _rating),
    Column("normal_nulls", "numeric", "normal(0, 1), 5 % null", None, _normal_nulls(0, 1, 0.05)),
    Column(
        "normal_nulls_shifted",
        "numeric",
        "normal(10, 2), 20 % null",
        "mean +0.5 sd",
        _normal_nulls(10, 2, 0.2, shift=1.0),
    ),
    Column(
        "income_nulls",
        "numeric",
        "lognormal(10, 0.8), 10 % null",
        None,
        _lognormal(10, 0.8, nulls=0.1),
    ),
    Column("binary", "numeric", "0/1, 30 % ones", None, _binary),
    Column("student_t", "numeric", "student t(3)", None, _student_t),
    Column("bimodal_shifted", "numeric", "normal mixture 70/30", "mix 40/60", _bimodal),
    Column(
        "zero_inflated_shifted",
        "numeric",
        "60 % zeros + exponential(10)",
        "40 % zeros",
        _zero_inflated,
    ),
    Column(
        "cat3",
        "categorical",
        "3 categories",
        None,
        categories=("red", "green", "blue"),
        probs=(0.5, 0.3, 0.2),
    ),
    Column(
        "cat8_shifted",
        "categorical",
        "8 categories",
        "mix change",
        categories=_labels("k", 8),
        probs=(0.3, 0.2, 0.15, 0.1, 0.1, 0.07, 0.05, 0.03),
        shifted_probs=(0.1, 0.1, 0.15, 0.1, 0.1, 0.15, 0.15, 0.15),
    ),
    Column(
        "cat20",
        "categorical",
        "20 categories, Zipf",
        None,
        categories=_labels("z", 20),
        probs=_zipf(20),
    ),
    Column(
        "cat50_shifted",
        "categorical",
        "50 categories, Zipf",
        "ranks reversed in the top 10",
        categories=_labels("c", 50),
        probs=_CAT50,
        shifted_probs=(*_CAT50[:10][::-1], *_CAT50[10:]),
    ),
    Column(
        "cat12_nulls_shifted",
        "categorical",
        "12 categories, 5 % null",
        "mix change + 2 new categories",
        categories=_labels("g", 12),
        probs=_zipf(12, 0.5),
        shifted_probs=_zipf(12, 1.5),
        new_categories=("g_new1", "g_new2"),
        null_share=0.05,
    ),
)

NUMERIC = tuple(c.name for c in COLUMNS if c.kind == "numeric")
CATEGORICAL = tuple(c.name for c in COLUMNS if c.kind == "categorical")
DRIFTED = frozenset(c.name for c in COLUMNS if c.drifts)
DRIFT_SHARE = len(DRIFTED) / len(COLUMNS)


def _categorical(column: Column, rng: np.random.Generator, n: int, shifted: bool) -> pa.Array:
    import pyarrow as pa

    labels = column.categories + column.new_categories
    if shifted and column.shifted_probs:
        p = np.asarray(column.shifted_probs, dtype=np.float64)
        if column.new_categories:  # the new categories take 10 % of the current rows
            new = len(column.new_categories)
            p = np.concatenate([p * 0.9, np.full(new, 0.1 / new)])
    else:
        p = np.asarray(column.probs + (0.0,) * len(column.new_categories), dtype=np.float64)
    codes = rng.choice(len(labels), n, p=p / p.sum())
    mask = rng.random(n) < column.null_share if column.null_share else None
    return pa.array(labels, type=pa.string()).take(pa.array(codes, mask=mask))


def table(rows: int, seed: int, *, current: bool) -> pa.Table:
    """The reference (``current=False``) or current table: ``rows`` rows, every column of
    :data:`COLUMNS` in order. Reference and current come from independent streams of
    the same seed, so the undrifted columns differ only by sampling."""
    import pyarrow as pa

    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    stream = np.random.SeedSequence(seed).spawn(2)[int(current)]
    rng = np.random.default_rng(stream)
    arrays: dict[str, pa.Array] = {}
    for column in COLUMNS:
        shifted = current and column.shift is not None
        if column.kind == "categorical":
            arrays[column.name] = _categorical(column, rng, rows, shifted)
        else:
            assert column.draw is not None
            values = column.draw(rng, rows, shifted)
            nan = np.isnan(values) if values.dtype.kind == "f" else None
            arrays[column.name] = pa.array(
                values, mask=nan if nan is not None and nan.any() else None
            )
    return pa.table(arrays)


@dataclass(frozen=True)
class DriftFiles:
    reference: Path
    current: Path
    rows: int
    seed: int


def write(directory: Path, rows: int, seed: int = 0) -> DriftFiles:
    """Write ``reference.parquet`` and ``current.parquet`` of ``rows`` rows each into
    ``directory`` (created if missing)."""
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    files = DriftFiles(directory / "reference.parquet", directory / "current.parquet", rows, seed)
    for path, current in ((files.reference, False), (files.current, True)):
        pq.write_table(table(rows, seed, current=current), path)
    return files
