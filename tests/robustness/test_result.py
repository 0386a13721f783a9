"""What a user reads from a result: the JSON form, the verdict and its checks, the notebook
view, and the other kinds of model and data it accepts."""

import json
import re
import warnings

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression

from bastion.assessment.model import LoadedModel
from bastion.robustness import RobustnessResult, RobustnessThresholds, assess_robustness
from tests.datasets import Split

from .conftest import TINY, Assessed, ConstantModel

HEX64 = re.compile(r"[0-9a-f]{64}")


def test_to_dict_is_plain_json_with_settings_and_budgets(tabular_assessed: Assessed) -> None:
    r = tabular_assessed.result
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert RobustnessResult.evidence_kind == "assessment.robustness"
    assert d["schema_version"] == 1
    assert d["verdict"] == r.verdict
    assert d["summary"] == r.summary
    assert r.summary.startswith(f"{r.verdict}: ")
    assert d["settings"]["max_evals"] == TINY["max_evals"]
    assert d["settings"]["art"]["hopskipjump"]["max_iter"] == TINY["max_iter"]
    assert d["settings"]["art"]["boundary"]["max_iter"] == TINY["max_iter"]
    assert d["settings"]["thresholds"] == {
        "robust_accuracy_ratio_warn": 0.8,
        "robust_accuracy_ratio_fail": 0.5,
        "flip_rate_warn": 0.02,
        "flip_rate_fail": 0.1,
    }
    assert d["budget"]["rows_attacked"] == r.rows_attacked
    assert d["budget"]["stopped_early"] is False
    assert [a["name"] for a in d["attacks"]] == ["hopskipjump", "boundary"]
    for attack in d["attacks"]:
        assert 0 < attack["queries"] <= TINY["max_evals"] * attack["attacked"]
    assert len(d["examples"]) == len(r.examples)
    assert (
        set(d["scale"])
        == set(r.features)
        == {"duration", "credit_amount", "installment_rate", "age"}
    )
    assert set(d["inputs"]) == {"data", "model"}
    assert all(HEX64.fullmatch(v) for v in d["inputs"].values())


def test_checks_follow_the_thresholds(tabular_assessed: Assessed) -> None:
    r = tabular_assessed.result
    assert [c.metric for c in r.checks] == ["robust_accuracy_ratio", "noise_flip_rate"]
    ratio = r.checks[0]
    assert ratio.method == "hopskipjump+boundary at epsilon 1.5"
    assert ratio.higher_is_better
    assert (ratio.warn_at, ratio.fail_at) == (0.8, 0.5)
    expected = "fail" if ratio.value < 0.5 else "warn" if ratio.value < 0.8 else "pass"
    assert ratio.outcome == expected
    assert r.verdict == max([c.outcome for c in r.checks], key=["pass", "warn", "fail"].index)


def test_notebook_view_shows_the_verdict_and_the_attacks(tabular_assessed: Assessed) -> None:
    page = tabular_assessed.result._repr_html_()
    assert "Robustness" in page
    assert tabular_assessed.result.verdict in page
    assert "hopskipjump" in page
    assert "boundary" in page
    assert "flip rate" in page
    frame = tabular_assessed.result.to_frame()
    assert list(frame.index) == ["hopskipjump", "boundary"]
    assert "success_rate_within_epsilon" in frame.columns


def test_no_correct_row_to_attack_warns_and_says_so(german: Split) -> None:
    r = assess_robustness(ConstantModel(7), german.X_test, german.y_test, **TINY)
    assert r.rows_attacked == 0
    assert r.clean_accuracy == 0
    assert all(a.attacked == 0 for a in r.attacks)
    check = r.checks[0]
    assert check.metric == "robust_accuracy_ratio"
    assert np.isnan(check.value)
    assert check.outcome == r.verdict == "warn"
    assert any("none of the 6 sampled rows is classified correctly" in n for n in r.notes)
    assert json.loads(json.dumps(r.to_dict(), allow_nan=False))["robust_accuracy_ratio"] is None


def test_a_loaded_model_is_unwrapped_and_its_digest_recorded(german: Split, numeric) -> None:
    loaded = LoadedModel(native=numeric, sha256="cd" * 32, format="skops", source="m.skops")
    X = german.X_test[german.numeric]
    r = assess_robustness(
        loaded, X, german.y_test, attacks=["boundary"], max_samples=2, max_iter=2, max_evals=150
    )
    assert r.inputs["model"] == "cd" * 32
    assert r.rows_attacked >= 1


def test_numpy_rows_reach_a_numpy_model_as_numpy(german: Split) -> None:
    # A model fitted on arrays warns when handed column names; warnings are errors here.
    X = german.X_test[german.numeric].to_numpy(dtype=np.float64)
    model = LogisticRegression(max_iter=1000).fit(
        german.X_train[german.numeric].to_numpy(dtype=np.float64), german.y_train
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = assess_robustness(
            model, X, german.y_test, attacks=["hopskipjump"], max_samples=3, max_iter=2,
            max_evals=150,
        )  # fmt: skip
    assert r.features == ("0", "1", "2", "3")
    assert r.examples
    again = model.predict(r.adversarial_rows.to_numpy())
    assert list(again) == [e.adversarial_label for e in r.examples]


def test_string_labels_and_polars_rows(german: Split) -> None:
    words = np.where(german.y_test == 1, "good", "bad")
    r = assess_robustness(
        ConstantModel("good"), pl.from_pandas(german.X_test), words, attacks=["boundary"],
        max_samples=5, max_evals=120,
    )  # fmt: skip
    assert r.features == ("duration", "credit_amount", "installment_rate", "age")
    # The sampled rows labelled "good" are the correct ones, and only they are attacked.
    assert r.rows_attacked > 0
    assert r.clean_accuracy == r.rows_attacked / r.rows_sampled
    assert r.examples == ()
    assert r.attack("boundary").no_start == r.rows_attacked


def test_stricter_thresholds_change_the_verdict(german: Split) -> None:
    # A constant model cannot be flipped: every correct decision survives (ratio 1).
    model, X, y = ConstantModel(1), german.X_test, german.y_test
    r = assess_robustness(model, X, y, attacks=["boundary"], **TINY)
    assert r.robust_accuracy_ratio == 1
    assert r.verdict == "pass"
    strict = RobustnessThresholds(robust_accuracy_ratio_warn=1.01, robust_accuracy_ratio_fail=1.0)
    r = assess_robustness(model, X, y, attacks=["boundary"], thresholds=strict, **TINY)
    assert r.checks[0].outcome == r.verdict == "warn"  # the threshold itself passes fail
    assert r.settings["thresholds"]["robust_accuracy_ratio_warn"] == 1.01
