"""Data drift: reference profiles, mergeable window summaries, per-column tests (PSI,
Kolmogorov-Smirnov, chi-square, Jensen-Shannon, normed Wasserstein), data quality,
multivariate drift and learned thresholds — pure computation for notebooks, the CLI
(``bastion drift``) and the platform's monitors. See ``docs/drift.md``.

>>> from bastion.drift import fit_profile, summarize, compare
>>> reference = fit_profile(train_frame)               # once; store reference.to_dict()
>>> window = summarize(batch_1, reference) + summarize(batch_2, reference)
>>> report = compare(reference, window)
>>> report.drifted, report.summary, report.metrics()
"""

from bastion.drift.compare import compare
from bastion.drift.config import DEFAULT_THRESHOLDS, TESTS, ColumnRule, DriftConfig, Test
from bastion.drift.errors import DriftInputError
from bastion.drift.frames import read_frame
from bastion.drift.html import render_html
from bastion.drift.multivariate import MultivariateModel, MultivariateSummary
from bastion.drift.profile import (
    CategoricalBins,
    CategoricalSummary,
    ColumnSummary,
    NumericBins,
    NumericSummary,
    Profile,
    fit_profile,
    summarize,
)
from bastion.drift.report import (
    STATUSES,
    ColumnDrift,
    ColumnQuality,
    DriftReport,
    MultivariateDrift,
    Status,
)
from bastion.drift.thresholds import learn_thresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "STATUSES",
    "TESTS",
    "CategoricalBins",
    "CategoricalSummary",
    "ColumnDrift",
    "ColumnQuality",
    "ColumnRule",
    "ColumnSummary",
    "DriftConfig",
    "DriftInputError",
    "DriftReport",
    "MultivariateDrift",
    "MultivariateModel",
    "MultivariateSummary",
    "NumericBins",
    "NumericSummary",
    "Profile",
    "Status",
    "Test",
    "compare",
    "fit_profile",
    "learn_thresholds",
    "read_frame",
    "render_html",
    "summarize",
]
