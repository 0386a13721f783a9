"""Multivariate drift: the PCA reconstruction error is NannyML's (checked against
scikit-learn's scaler and PCA), it catches a change in how columns move together that
every univariate test misses, and its fitted state travels inside the profile."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy.spatial.transform import Rotation
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from bastion.drift import DriftConfig, DriftInputError, Profile, compare, fit_profile, summarize


def butterfly(n: int, seed: int, *, rotated: bool = False) -> pl.DataFrame:
    """NannyML's "butterfly": x1 and x2 move together; rotated, they move apart, while
    each column's own distribution stays the same."""
    rng = np.random.default_rng(seed)
    s = rng.normal(size=n)
    data = np.column_stack([s + rng.normal(size=n) / 8, s + rng.normal(size=n) / 8,
                            rng.normal(size=n) / 8])  # fmt: skip
    if rotated:
        data = data @ Rotation.from_euler("z", 90, degrees=True).as_matrix().T
    return pl.DataFrame(data, schema=["x1", "x2", "x3"])


def test_reconstruction_errors_are_sklearns() -> None:
    ref = butterfly(5000, 1)
    profile = fit_profile(ref, multivariate=True)
    assert profile.multivariate is not None
    model = profile.multivariate.model
    scaled = StandardScaler().fit_transform(ref.to_numpy())
    pca = PCA(n_components=0.65).fit(scaled)
    assert len(model.components) == pca.n_components_
    rebuilt = pca.inverse_transform(pca.transform(scaled))
    expected = np.linalg.norm(scaled - rebuilt, axis=1)
    np.testing.assert_allclose(model.errors(ref), expected, rtol=1e-7, atol=1e-9)
    assert profile.multivariate.mean_error == pytest.approx(expected.mean())


def test_rotation_is_caught_by_multivariate_drift_only() -> None:
    profile = fit_profile(butterfly(20_000, 1), multivariate=True)
    same = compare(profile, summarize(butterfly(5000, 2), profile))
    assert same.multivariate is not None
    assert same.multivariate.status == "ok"
    rotated = compare(profile, summarize(butterfly(5000, 3, rotated=True), profile))
    assert rotated.multivariate is not None
    assert rotated.multivariate.drifted
    assert rotated.multivariate.statistic > rotated.multivariate.upper
    assert not any(c.drifted for c in rotated.columns)
    assert rotated.verdict == "warn"
    assert "multivariate drift" in rotated.summary
    assert rotated.metrics()["drift.multivariate.drifted"] == 1.0


def test_categorical_columns_are_frequency_encoded_and_missing_values_imputed() -> None:
    rng = np.random.default_rng(4)
    n = 3000
    ref = pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.choice(["u", "v", "w"], n, p=[0.5, 0.3, 0.2])}
    )
    ref.loc[:99, "a"] = np.nan
    profile = fit_profile(ref, multivariate=True)
    model = profile.multivariate.model  # type: ignore[union-attr]
    assert model.encodings["b"] == pytest.approx(ref["b"].value_counts(normalize=True).to_dict())
    assert model.fill[0] == pytest.approx(ref["a"].mean())
    # An unseen category encodes as 0; the window still gets an error, and merges.
    window = pd.DataFrame({"a": rng.normal(size=200), "b": ["z"] * 200})
    summary = summarize(window, profile)
    assert summary.multivariate is not None
    assert summary.multivariate.count == 200
    merged = summary + summarize(ref.iloc[:300], profile)
    assert merged.multivariate.count == 500  # type: ignore[union-attr]


def test_model_round_trips_in_the_profile_and_band_can_be_overridden() -> None:
    profile = fit_profile(butterfly(3000, 1), multivariate=True)
    back = Profile.from_dict(json.loads(json.dumps(profile.to_dict())))
    window = summarize(butterfly(1000, 2, rotated=True), back)
    assert window.multivariate is not None
    assert window.multivariate.mean_error == pytest.approx(
        summarize(butterfly(1000, 2, rotated=True), profile).multivariate.mean_error  # type: ignore[union-attr]
    )
    wide = compare(back, window, DriftConfig(multivariate_band=(0.0, 100.0)))
    assert wide.multivariate is not None
    assert not wide.multivariate.drifted


def test_window_without_the_columns_and_bad_fits() -> None:
    profile = fit_profile(butterfly(1000, 1), multivariate=True)
    report = compare(profile, summarize(butterfly(500, 2).drop("x3"), profile))
    assert report.multivariate is not None
    assert report.multivariate.status == "missing"
    with pytest.raises(DriftInputError, match="at least two columns"):
        fit_profile(butterfly(100, 1), multivariate=["x1"])
    with pytest.raises(DriftInputError, match="not profiled"):
        fit_profile(butterfly(100, 1), multivariate=["x1", "nope"])
    # compare() fits it when asked and given tables.
    fitted = compare(butterfly(2000, 1), butterfly(2000, 2), DriftConfig(multivariate=True))
    assert fitted.multivariate is not None
    assert fitted.multivariate.status == "ok"
