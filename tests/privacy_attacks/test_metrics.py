"""Every figure equals scikit-learn's, computed here from the attack's own membership
scores and decisions, and the risk level and verdict follow the thresholds."""

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from bastion.privacy_attacks import (
    MembershipResult,
    PrivacyThresholds,
    assess_membership_from_predictions,
)
from bastion.privacy_attacks.metrics import attack_figures

from .conftest import Predictions


def sklearn_tpr_at(member: np.ndarray, scores: np.ndarray, fpr_target: float) -> float:
    # sklearn's default curve (intermediate points dropped): the corners are all kept.
    fpr, tpr, _ = roc_curve(member, scores)
    return float(tpr[fpr <= fpr_target].max())


@pytest.mark.parametrize("fixture", ["forest_result", "logistic_result"])
def test_figures_equal_sklearn(fixture: str, request: pytest.FixtureRequest) -> None:
    result: MembershipResult = request.getfixturevalue(fixture)
    for a in result.attacks:
        m, s, d = a.member, a.scores, a.decisions
        assert len(m) == a.n_eval == 2 * result.n_eval
        assert m.sum() == result.n_eval  # balanced
        assert a.auc == pytest.approx(roc_auc_score(m, s), abs=1e-12)
        assert a.tpr_at_0_1pct_fpr == pytest.approx(sklearn_tpr_at(m, s, 0.001), abs=1e-12)
        assert a.tpr_at_1pct_fpr == pytest.approx(sklearn_tpr_at(m, s, 0.01), abs=1e-12)
        assert a.tpr_at_10pct_fpr == pytest.approx(sklearn_tpr_at(m, s, 0.1), abs=1e-12)
        assert a.accuracy == pytest.approx(accuracy_score(m, d), abs=1e-12)
        assert a.precision == pytest.approx(precision_score(m, d), abs=1e-12)
        assert a.recall == pytest.approx(recall_score(m, d), abs=1e-12)
        fpr = np.mean(d[~m])
        assert a.fpr == pytest.approx(fpr, abs=1e-12)
        assert a.advantage == pytest.approx(recall_score(m, d) - fpr, abs=1e-12)


def test_rule_based_auc_is_that_of_its_decision(forest_result: MembershipResult) -> None:
    a = forest_result.attack("rule_based")
    assert a.score_kind == "decision"
    assert set(np.unique(a.scores)) <= {0.0, 1.0}
    assert np.array_equal(a.scores == 1, a.decisions)
    # One operating point: the ROC curve is two segments, its area the balanced accuracy.
    assert a.auc == pytest.approx(balanced_accuracy_score(a.member, a.decisions), abs=1e-12)
    assert any("its AUC is that of one operating point" in n for n in forest_result.notes)


def test_black_box_scores_are_probabilities(forest_result: MembershipResult) -> None:
    a = forest_result.attack("black_box")
    assert a.score_kind == "probability"
    assert a.n_train == 2 * forest_result.n_attack_train == 2000
    assert ((a.scores >= 0) & (a.scores <= 1)).all()
    assert len(np.unique(a.scores)) > 10
    # ART's decision: a membership probability above one half.
    assert np.array_equal(a.decisions, a.scores > 0.5)


def test_precision_is_undefined_when_nothing_is_called_a_member() -> None:
    member = np.r_[np.ones(5, bool), np.zeros(5, bool)]
    figures = attack_figures(member, np.zeros(10), np.zeros(10, bool))
    assert np.isnan(figures["precision"])
    assert figures["recall"] == figures["advantage"] == 0.0
    assert figures["auc"] == 0.5


def test_thresholds_themselves_warn_and_fail(german_predictions: Predictions) -> None:
    p = german_predictions
    base = assess_membership_from_predictions(p.y_true, p.proba, p.member, attacks="black_box")
    auc = base.attack("black_box").auc
    at_warn = PrivacyThresholds(
        auc_warn=auc, auc_fail=1.0, tpr_at_1pct_fpr_warn=1.0, tpr_at_1pct_fpr_fail=1.0
    )
    result = assess_membership_from_predictions(
        p.y_true, p.proba, p.member, attacks="black_box", thresholds=at_warn
    )
    assert [c.outcome for c in result.checks] == ["warn", "pass"]
    assert result.risk_level == "medium"
    assert result.verdict == "warn"
    at_fail = PrivacyThresholds(auc_warn=auc, auc_fail=auc)
    result = assess_membership_from_predictions(
        p.y_true, p.proba, p.member, attacks="black_box", thresholds=at_fail
    )
    assert result.checks[0].outcome == "fail"
    assert (result.risk_level, result.verdict) == ("high", "fail")
    assert result.settings["thresholds"]["auc_fail"] == auc


def test_risk_level_agrees_with_the_checks(
    forest_result: MembershipResult, logistic_result: MembershipResult
) -> None:
    level = {"pass": "low", "warn": "medium", "fail": "high"}
    for result in (forest_result, logistic_result):
        for a in result.attacks:
            own = [c for c in result.checks if c.method == a.name]
            assert [c.metric for c in own] == ["auc", "tpr_at_1pct_fpr"]
            worst = max(own, key=lambda c: ["pass", "warn", "fail"].index(c.outcome))
            assert a.risk_level == level[worst.outcome]
        assert result.risk_level == level[result.verdict]


def test_threshold_defaults() -> None:
    t = PrivacyThresholds()
    assert (t.auc_warn, t.auc_fail) == (0.6, 0.7)
    assert (t.tpr_at_1pct_fpr_warn, t.tpr_at_1pct_fpr_fail) == (0.05, 0.10)
