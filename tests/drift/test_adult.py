"""UCI Adult: the test split does not drift from the training split, and a deliberately
shifted copy drifts in exactly the columns that were shifted — with Evidently's default
tests, and with the HTML and metrics a monitor would publish."""

import numpy as np
import pandas as pd
import pytest

from bastion.drift import DriftConfig, Profile, compare, fit_profile, render_html, summarize

FEATURES = [
    "age", "workclass", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country",
]  # fmt: skip


def shifted(test: pd.DataFrame) -> pd.DataFrame:
    """Older people working longer hours, most of them women."""
    rng = np.random.default_rng(42)
    out = test.copy()
    out["age"] = out["age"] + 8
    out["hours_per_week"] = (out["hours_per_week"] * 1.25).round()
    out["sex"] = np.where(rng.random(len(out)) < 0.75, "Female", "Male")
    return out


@pytest.fixture(scope="module")
def reference(adult_train: pd.DataFrame) -> Profile:
    return fit_profile(adult_train[FEATURES])


def test_test_split_does_not_drift_from_training(reference, adult_test: pd.DataFrame) -> None:
    report = compare(reference, summarize(adult_test[FEATURES], reference))
    assert report.rows == len(adult_test) == 16281
    assert not report.drifted
    assert report.drifted_columns == []
    assert report.verdict == "pass", report.summary
    assert {c.test for c in report.columns} == {"wasserstein", "jensenshannon"}


def test_shifted_copy_drifts_in_the_shifted_columns(reference, adult_test: pd.DataFrame) -> None:
    window = shifted(adult_test)
    # Summarized in three batches and merged, as a monitor would.
    parts = np.array_split(np.arange(len(window)), 3)
    summary = summarize(window.iloc[parts[0]][FEATURES], reference)
    for part in parts[1:]:
        summary = summary + summarize(window.iloc[part][FEATURES], reference)
    report = compare(reference, summary, DriftConfig(drift_share=0.2))
    assert sorted(report.drifted_columns) == ["age", "hours_per_week", "sex"]
    assert report.drifted
    assert report.verdict == "warn"
    metrics = report.metrics()
    assert metrics["drift.dataset"] == 1.0
    assert metrics["drift.wasserstein.age"] > 0.1
    assert metrics["drift.jensenshannon.sex"] > 0.1
    assert metrics["quality.out_of_range.age"] > 0  # past the oldest age in training
    page = render_html(report)
    assert page.count("<svg") == len(FEATURES)
