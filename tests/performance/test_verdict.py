"""The verdict: trained models pass or warn as documented; useless or miscalibrated
models fail; every check can be skipped, with a note, when its figure is unavailable."""

import numpy as np
import pytest

from bastion.performance import PerformanceResult, PerformanceThresholds, assess_performance
from tests.performance.conftest import Regressed, Scored


def outcomes(result: PerformanceResult) -> dict[str, str]:
    return {c.metric: c.outcome for c in result.checks}


def test_trained_adult_model_passes_by_sex(adult: Scored) -> None:
    result = assess_performance(
        adult.y_true, y_score=adult.y_score, sensitive_features=adult.rows["sex"]
    )
    assert outcomes(result) == {
        "roc_auc": "pass",  # 0.908
        "accuracy_over_baseline": "pass",  # 0.852 vs 0.758
        "expected_calibration_error": "pass",  # 0.011
        "balanced_accuracy_gap": "pass",  # 0.013 between women and men
    }
    assert result.verdict == "pass"


def test_plain_accuracy_gap_flags_base_rates_not_the_model(adult: Scored) -> None:
    """Why the default gap metric is balanced accuracy: the same model's accuracy is 0.93
    for women and 0.81 for men, because fewer women are labelled >50K."""
    result = assess_performance(
        adult.y_true,
        y_score=adult.y_score,
        sensitive_features=adult.rows["sex"],
        thresholds=PerformanceThresholds(gap_metric="accuracy"),
    )
    gap = next(c for c in result.checks if c.metric == "accuracy_gap")
    assert gap.value == pytest.approx(0.112, abs=0.001)
    assert result.verdict == "fail"


def test_trained_adult_model_warns_across_sex_and_race(adult: Scored) -> None:
    result = assess_performance(
        adult.y_true, y_score=adult.y_score, sensitive_features=adult.rows[["sex", "race"]]
    )
    assert result.verdict == "warn"
    gap = next(c for c in result.checks if c.metric == "balanced_accuracy_gap")
    assert gap.outcome == "warn"
    assert 0.05 < gap.value < 0.10
    # Male/White against Female/Asian-Pac-Islander; the two groups under 30 rows are out.
    assert any("{'sex': 'Female', 'race': 'Asian-Pac-Islander'}" in n for n in result.notes)


def test_trained_german_model_warns_on_calibration(german: Scored) -> None:
    """300 test rows: ECE is 0.058, just over the warning line (ECE is biased upward on
    small samples, as the thresholds' docstring says)."""
    result = assess_performance(
        german.y_true, y_score=german.y_score, sensitive_features=german.rows[german.sensitive]
    )
    assert outcomes(result) == {
        "roc_auc": "pass",
        "accuracy_over_baseline": "pass",
        "expected_calibration_error": "warn",
        "balanced_accuracy_gap": "pass",
    }
    assert result.verdict == "warn"


def test_german_cost_weights_fail_the_half_threshold(german: Scored) -> None:
    """Weighted by German Credit's cost matrix (a bad credit rated good costs 5), cutting
    at 0.5 does worse than refusing everyone, and the scores are far from the weighted
    rates: the model was fitted to the unweighted rows."""
    result = assess_performance(german.y_true, y_score=german.y_score, sample_weight=german.weights)
    assert outcomes(result)["roc_auc"] == "pass"
    assert outcomes(result)["accuracy_over_baseline"] == "fail"
    assert outcomes(result)["expected_calibration_error"] == "fail"
    assert result.verdict == "fail"


@pytest.mark.parametrize("constant", [0, 1])
def test_constant_predictors_fail(adult: Scored, constant: int) -> None:
    """Always predicting one class: at best the majority baseline, which is no skill."""
    result = assess_performance(adult.y_true, np.full(len(adult.y_true), constant))
    check = next(c for c in result.checks if c.metric == "accuracy_over_baseline")
    assert check.outcome == "fail"
    assert result.verdict == "fail"
    if constant == 0:  # the majority class: exactly the baseline
        assert check.value == pytest.approx(0, abs=1e-12)


def test_constant_score_fails_on_discrimination(adult: Scored) -> None:
    result = assess_performance(adult.y_true, y_score=np.full(len(adult.y_true), 0.24))
    assert result.overall["roc_auc"] == 0.5
    assert outcomes(result)["roc_auc"] == "fail"


def test_shuffled_scores_fail(adult: Scored) -> None:
    shuffled = np.random.default_rng(0).permutation(adult.y_score)
    result = assess_performance(
        adult.y_true, y_score=shuffled, sensitive_features=adult.rows["sex"]
    )
    assert result.overall["roc_auc"] == pytest.approx(0.5, abs=0.03)
    assert outcomes(result)["roc_auc"] == "fail"
    assert outcomes(result)["accuracy_over_baseline"] == "fail"
    assert result.verdict == "fail"


def test_miscalibrated_scores_fail_calibration_only(adult: Scored) -> None:
    """A monotone squash keeps the ranking (same ROC AUC) but not the probabilities."""
    squashed = 0.3 + 0.4 * adult.y_score
    result = assess_performance(adult.y_true, adult.y_pred, y_score=squashed)
    assert result.overall["roc_auc"] == pytest.approx(
        assess_performance(adult.y_true, adult.y_pred, y_score=adult.y_score).overall["roc_auc"],
        abs=1e-12,
    )
    assert outcomes(result) == {
        "roc_auc": "pass",
        "accuracy_over_baseline": "pass",
        "expected_calibration_error": "fail",
    }


def test_thresholds_are_the_documented_defaults_and_can_be_changed(adult: Scored) -> None:
    t = PerformanceThresholds()
    assert (t.roc_auc_warn, t.roc_auc_fail) == (0.75, 0.65)
    assert (t.accuracy_lift_warn, t.accuracy_lift_fail) == (0.02, 0.0)
    assert (t.calibration_error_warn, t.calibration_error_fail) == (0.05, 0.10)
    assert (t.group_gap_warn, t.group_gap_fail, t.gap_metric) == (0.05, 0.10, "balanced_accuracy")
    assert (t.r2_warn, t.r2_fail) == (0.5, 0.2)
    strict = PerformanceThresholds(roc_auc_warn=0.95, roc_auc_fail=0.92)
    result = assess_performance(adult.y_true, y_score=adult.y_score, thresholds=strict)
    assert outcomes(result)["roc_auc"] == "fail"
    assert result.settings["thresholds"]["roc_auc_fail"] == 0.92


def test_accuracy_lift_warns_near_the_baseline() -> None:
    # 100 rows, 70 negative: baseline 0.70; 71 right is 0.01 above it.
    y = np.array([0] * 70 + [1] * 30)
    p = np.array([0] * 70 + [1] + [0] * 29)
    check = assess_performance(y, p).checks[0]
    assert (check.metric, check.outcome) == ("accuracy_over_baseline", "warn")
    assert check.value == pytest.approx(0.01)


def test_without_any_possible_check_the_verdict_is_info() -> None:
    result = assess_performance(
        np.ones(4, dtype=int), np.array([1, 0, 1, 1]), allow_single_class=True
    )
    assert result.checks == ()
    assert result.verdict == "info"
    assert result.summary == "info: classification performance on 4 rows"
    assert any(n.startswith("accuracy over baseline check skipped") for n in result.notes)
    assert "ROC AUC check skipped: no y_score given" in result.notes


def test_gap_check_needs_two_groups_of_the_minimum_size(adult: Scored) -> None:
    result = assess_performance(
        adult.y_true,
        y_score=adult.y_score,
        sensitive_features=adult.rows["sex"],
        min_group_size=2000,  # Female has 1,987 rows
    )
    assert "balanced_accuracy_gap" not in outcomes(result)
    assert any(n.startswith("group gap check skipped: fewer than two") for n in result.notes)


def test_regression_ridge_passes_and_the_mean_fails(credit_amount: Regressed) -> None:
    case = credit_amount
    result = assess_performance(
        case.y_true, case.y_pred, task="regression", sensitive_features=case.rows["sex"]
    )
    assert result.overall["r2"] == pytest.approx(0.53, abs=0.01)
    assert outcomes(result) == {"r2": "pass"}
    assert any(n.startswith("no group gap is judged for regression") for n in result.notes)
    mean = np.full(len(case.y_true), case.y_true.mean() + 500.0)
    flat = assess_performance(case.y_true, mean, task="regression")
    assert outcomes(flat) == {"r2": "fail"}
    assert flat.overall["mean_error"] == pytest.approx(500.0)


def test_regression_zero_targets_get_a_mape_note() -> None:
    result = assess_performance([0.0, 1.0, 2.0, 3.0], [0.5, 1.0, 2.5, 3.0], task="regression")
    assert result.overall["mean_absolute_percentage_error"] > 1e12  # sklearn's convention
    assert any("divides by max(|y_true|, machine epsilon)" in n for n in result.notes)


def test_constant_regression_target_leaves_r2_undefined() -> None:
    result = assess_performance([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], task="regression")
    assert result.overall["r2"] is None
    assert result.verdict == "info"
    assert any(n.startswith("R² check skipped: y_true is constant") for n in result.notes)
