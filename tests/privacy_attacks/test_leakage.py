"""The attacks find what is there: an overfit forest leaks membership, a logistic
regression on the same Adult rows barely does, and a forest that learned German Credit's
700 training rows by heart leaks enough to fail."""

from bastion.privacy_attacks import MembershipResult

from .conftest import Trained, assess


def best_auc(result: MembershipResult) -> float:
    return max(a.auc for a in result.attacks)


def test_overfit_forest_leaks_membership(forest_result: MembershipResult) -> None:
    # 97 % accurate on its training rows, 85 % on the others: the gap the attacks exploit.
    assert forest_result.member_accuracy - forest_result.nonmember_accuracy > 0.08
    for attack in forest_result.attacks:
        assert attack.auc > 0.54, attack.name
        assert attack.advantage > 0.05, attack.name


def test_logistic_regression_leaks_much_less(
    forest_result: MembershipResult, logistic_result: MembershipResult
) -> None:
    for attack in logistic_result.attacks:
        assert abs(attack.auc - 0.5) < 0.04, attack.name
        assert abs(attack.advantage) < 0.05, attack.name
    assert best_auc(forest_result) - best_auc(logistic_result) > 0.04
    assert logistic_result.risk_level == "low"
    assert logistic_result.verdict == "pass"


def test_memorizing_forest_is_high_risk_and_fails(german_forest: Trained) -> None:
    result = assess(german_forest)
    assert result.member_accuracy == 1.0
    assert result.risk_level == "high"
    assert result.verdict == "fail"
    assert result.worst_attack == "black_box"
    assert result.attack("black_box").auc >= 0.7
    failing = [c for c in result.checks if c.outcome == "fail"]
    assert [(c.metric, c.method) for c in failing] == [("auc", "black_box")]
    assert "fail" in result.summary
    assert "risk high" in result.summary


def test_every_attack_model_finds_the_forest_leak(german_forest: Trained) -> None:
    for kind in ("rf", "gb", "nn"):
        result = assess(german_forest, attacks=["black_box"], attack_model=kind)
        attack = result.attack("black_box")
        assert attack.attack_model == kind
        assert attack.auc > 0.65, kind
        assert result.risk_level != "low", kind
