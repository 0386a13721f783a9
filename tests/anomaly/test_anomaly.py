"""Input anomalies: robust z-scores against their definition, an isolation forest that is
the same forest every time, and models that travel as plain data."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.ensemble import IsolationForest

from bastion.anomaly import AnomalyInputError, AnomalyModel, fit_anomaly, score


@pytest.fixture(scope="module")
def reference() -> pl.DataFrame:
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {
            "amount": rng.lognormal(4, 0.5, 5000),
            "age": rng.normal(40, 12, 5000).round(),
            "items": rng.poisson(3, 5000),
            "country": rng.choice(["FR", "DE"], 5000),
        }
    )


def logged(n: int, seed: int, outliers: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "amount": rng.lognormal(4, 0.5, n),
            "age": rng.normal(40, 12, n).round(),
            "items": rng.poisson(3, n),
            "country": rng.choice(["FR", "DE"], n),
        }
    )
    data.loc[: outliers - 1, "amount"] = 1e6  # a payment nobody ever made
    return pl.from_pandas(data)


def test_robust_z_is_the_modified_z_score(reference: pl.DataFrame) -> None:
    model = fit_anomaly(reference)
    assert model.columns == ("amount", "age", "items")  # numeric columns only
    amount = reference["amount"].to_numpy()
    median = np.median(amount)
    mad = np.median(np.abs(amount - median))
    assert model.medians[0] == pytest.approx(median)
    assert model.scales[0] == pytest.approx(1.4826 * mad)
    window = logged(1000, 1, outliers=7)
    result = score(model, window)
    z = np.abs(window.select(["amount", "age", "items"]).to_numpy() - model.medians) / np.array(
        model.scales
    )
    expected = (z > 3.5).any(axis=1)
    np.testing.assert_array_equal(result.anomalous, expected)
    assert result.count == int(expected.sum()) >= 7
    assert result.top_columns[0] == ("amount", int((z[:, 0] > 3.5)[expected].sum()))
    assert result.share == pytest.approx(result.count / 1000)
    assert "rows anomalous" in result.summary


def test_zero_mad_falls_back_and_constant_columns_flag_any_change() -> None:
    ref = pl.DataFrame({"mostly": [1.0] * 60 + list(range(2, 42)), "const": [5.0] * 100})
    model = fit_anomaly(ref)
    deviation = np.abs(ref["mostly"].to_numpy() - 1.0)
    assert model.scales[0] == pytest.approx(1.2533 * deviation.mean())
    assert model.scales[1] == float("inf")
    result = score(model, pl.DataFrame({"mostly": [1.0, 1.0], "const": [5.0, 5.1]}))
    assert result.anomalous.tolist() == [False, True]
    assert result.top_columns == (("const", 1),)
    back = AnomalyModel.from_dict(json.loads(json.dumps(model.to_dict(), allow_nan=False)))
    assert back == model


def test_missing_values_are_not_anomalies_infinite_ones_are(reference: pl.DataFrame) -> None:
    model = fit_anomaly(reference)
    window = pl.DataFrame(
        {"amount": [None, np.inf, 50.0], "age": [40.0, 40.0, np.nan], "items": [3, 3, 3]}
    )
    assert score(model, window).anomalous.tolist() == [False, True, False]
    forest = fit_anomaly(reference, method="isolation_forest")
    assert score(forest, window).anomalous[1]


def test_isolation_forest_is_seeded_and_refits_from_the_reference(reference: pl.DataFrame) -> None:
    model = fit_anomaly(reference, method="isolation_forest", seed=3)
    window = logged(2000, 2, outliers=20)
    result = score(model, window)
    expected = IsolationForest(random_state=3).fit(
        reference.select(["amount", "age", "items"]).to_numpy()
    )
    matrix = window.select(["amount", "age", "items"]).to_numpy().astype(float)
    np.testing.assert_array_equal(result.anomalous, expected.predict(matrix) == -1)
    assert result.anomalous[:20].all()
    stored = json.loads(json.dumps(model.to_dict()))
    assert "forest" not in stored
    with pytest.raises(AnomalyInputError, match="refit from its reference"):
        AnomalyModel.from_dict(stored)
    again = AnomalyModel.from_dict(stored, reference=reference)
    np.testing.assert_array_equal(score(again, window).scores, result.scores)


def test_bad_input_is_refused_by_name(reference: pl.DataFrame) -> None:
    with pytest.raises(AnomalyInputError, match="unknown method"):
        fit_anomaly(reference, method="lof")  # type: ignore[arg-type]
    with pytest.raises(AnomalyInputError, match=r"unknown column\(s\) \['nope'\]"):
        fit_anomaly(reference, columns=["nope"])
    with pytest.raises(AnomalyInputError, match="no numeric columns"):
        fit_anomaly(pl.DataFrame({"c": ["a", "b"]}))
    with pytest.raises(AnomalyInputError, match="'empty' has no numbers"):
        fit_anomaly(pl.DataFrame({"empty": [None, None]}, schema={"empty": pl.Float64}))
    model = fit_anomaly(reference)
    with pytest.raises(AnomalyInputError, match="in the data"):
        score(model, reference.drop("age"))
    with pytest.raises(AnomalyInputError, match="k must be"):
        fit_anomaly(reference, k=0)
    empty = score(model, reference.clear())
    assert (empty.rows, empty.count, empty.share) == (0, 0, 0.0)
