"""Each measure against a table small enough to compute by hand, and the Earth Mover's
Distance against its definition and against scipy."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wasserstein_distance

from bastion.reident import (
    ReidentificationResult,
    SensitiveAttributeResult,
    assess_reidentification,
)


def test_k_and_prosecutor_risk_by_hand(hospital: pd.DataFrame) -> None:
    r = assess_reidentification(hospital, quasi_identifiers=["zip", "age"], k=3)
    # Classes of sizes 4, 3 and 2.
    assert r.classes == 3
    assert r.k == 2
    assert r.rows_at_risk == 2
    assert r.share_at_risk == pytest.approx(2 / 9)
    assert r.unique_rows == 0
    assert r.max_prosecutor_risk == pytest.approx(1 / 2)
    assert r.mean_prosecutor_risk == pytest.approx(3 / 9)
    assert [c.size for c in r.smallest_classes] == [2, 3, 4]
    assert r.smallest_classes[0].values == {"zip": "130", "age": 40}
    assert r.verdict == "fail"


def test_k_passes_at_the_target(hospital: pd.DataFrame) -> None:
    r = assess_reidentification(hospital, quasi_identifiers=["zip", "age"], k=2)
    assert r.verdict == "pass"
    assert r.rows_at_risk == 0


def test_a_missing_value_is_a_value_of_its_own() -> None:
    frame = pd.DataFrame({"zip": ["1", None, np.nan, "1", "2"], "sex": ["F", "F", "F", "F", "M"]})
    r = assess_reidentification(frame, quasi_identifiers=["zip", "sex"], k=2)
    # (1, F) twice, (missing, F) twice — None and NaN are one missing value — (2, M) once.
    assert sorted(c.size for c in r.smallest_classes) == [1, 2, 2]
    assert {"zip": None, "sex": "F"} in [c.values for c in r.smallest_classes]
    assert r.unique_rows == 1


def _one(r: ReidentificationResult, name: str) -> SensitiveAttributeResult:
    return next(s for s in r.sensitive_results if s.name == name)


def test_l_diversity_by_hand(hospital: pd.DataFrame) -> None:
    r = assess_reidentification(
        hospital, quasi_identifiers=["zip", "age"], sensitive="disease", k=2, l=2
    )
    d = _one(r, "disease")
    per_class = d.per_class
    # Classes in canonical order: ("130", 20), ("130", 40), ("148", 30).
    assert list(per_class["distinct"]) == [2, 2, 1]
    assert list(per_class["entropy"]) == [2.0, 2.0, 1.0]
    assert list(per_class["recursive"]) == [2, 2, 1]  # c = 3
    assert (d.distinct_l, d.entropy_l, d.recursive_l) == (1, 1.0, 1)
    assert d.classes_below_l == 1
    assert d.rows_below_l == 3
    # A homogeneous class (everyone in ("148", 30) has flu) fails l-diversity.
    check = next(c for c in r.checks if c.metric == "l_diversity")
    assert check.outcome == "fail"


def test_entropy_l_of_a_skewed_class() -> None:
    frame = pd.DataFrame({"q": ["a"] * 4, "s": ["x", "x", "x", "y"]})
    r = assess_reidentification(frame, quasi_identifiers="q", sensitive="s", k=2, l_kind="entropy")
    expected = math.exp(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    assert _one(r, "s").entropy_l == pytest.approx(expected)  # 1.7548…
    assert _one(r, "s").l == pytest.approx(expected)
    # Two distinct values, but fewer than two effectively: entropy 2-diversity fails.
    assert _one(r, "s").distinct_l == 2
    assert next(c for c in r.checks if c.metric == "l_diversity").outcome == "fail"


def test_recursive_c_l_by_hand() -> None:
    # One class with value counts r1, r2, r3 = 5, 3, 2.
    frame = pd.DataFrame({"q": ["a"] * 10, "s": list("aaaaabbbcc")})

    def run(c: float, l: int) -> ReidentificationResult:  # noqa: E741
        return assess_reidentification(
            frame, quasi_identifiers="q", sensitive="s", k=2, l=l, c=c, l_kind="recursive"
        )

    # c = 2: 5 < 2 (3 + 2) holds for l = 2, but 5 < 2 * 2 fails for l = 3.
    assert _one(run(2, 3), "s").recursive_l == 2
    # c = 3: 5 < 3 * 2 holds for l = 3.
    r3 = run(3, 3)
    assert _one(r3, "s").recursive_l == 3
    assert r3.verdict == "pass"
    # c = 2.5: 5 < 2.5 * 2 is false — the inequality is strict.
    r25 = run(2.5, 3)
    assert _one(r25, "s").recursive_l == 2
    assert next(c for c in r25.checks if c.metric == "l_diversity").outcome == "warn"
    # The c needed: r1 / (r_l + … + r_m).
    assert _one(run(3, 2), "s").recursive_c_required == pytest.approx(5 / 5)
    assert _one(run(3, 3), "s").recursive_c_required == pytest.approx(5 / 2)


def test_t_closeness_equal_distance_by_hand(hospital: pd.DataFrame) -> None:
    r = assess_reidentification(
        hospital, quasi_identifiers=["zip", "age"], sensitive="disease", k=2
    )
    d = _one(r, "disease")
    assert d.distance == "equal"
    # Q = flu 6/9, cold 2/9, cancer 1/9; ½ Σ |p - q| per class.
    assert list(d.per_class["t"]) == pytest.approx([5 / 18, 7 / 18, 1 / 3])
    assert d.t == pytest.approx(7 / 18)


def test_t_closeness_ordered_distance_by_hand(hospital: pd.DataFrame) -> None:
    r = assess_reidentification(hospital, quasi_identifiers=["zip", "age"], sensitive="salary", k=2)
    d = _one(r, "salary")
    assert d.distance == "ordered"
    # Salaries 3 … 11, one each: (1/8) Σ_i |Σ_{j≤i} (p_j - q_j)| per class.
    assert list(d.per_class["t"]) == pytest.approx([2.5 / 8, 3.5 / 8, (15 / 9) / 8])
    assert d.t == pytest.approx(0.4375)


def test_the_example_of_li_li_and_venkatasubramanian() -> None:
    # Their salary example: {3k, 4k, 5k} is 0.375 from {3k … 11k}, {6k, 8k, 11k} 0.167.
    frame = pd.DataFrame({"q": list("aaabbbccc"), "salary": [3, 4, 5, 6, 8, 11, 7, 9, 10]})
    r = assess_reidentification(frame, quasi_identifiers="q", sensitive="salary", k=2)
    t = list(_one(r, "salary").per_class["t"])
    assert t[0] == pytest.approx(0.375)
    assert t[1] == pytest.approx(1 / 6)


def _ordered_by_definition(p: np.ndarray, q: np.ndarray) -> float:
    m = len(q)
    total, running = 0.0, 0.0
    for i in range(m):
        running += p[i] - q[i]
        total += abs(running)
    return total / (m - 1)


def _random_table(rng: np.random.Generator, rows: int, classes: int, values: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "q": rng.integers(0, classes, rows),
            "num": rng.integers(0, values, rows) * 3 + 100,  # spaced: ranks, not values, count
            "cat": rng.choice([f"v{i}" for i in range(values)], rows),
        }
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ordered_distance_matches_the_definition_and_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frame = _random_table(rng, rows=400, classes=12, values=9)
    r = assess_reidentification(frame, quasi_identifiers="q", sensitive="num", k=2)
    d = _one(r, "num")
    domain = np.sort(frame["num"].unique())
    m = len(domain)
    q = frame["num"].value_counts(normalize=True).reindex(domain).to_numpy()
    ranks = np.arange(m)
    classes = r.counts.class_values["q"].to_numpy()
    for cls, got in zip(classes, d.per_class["t"], strict=True):
        rows = frame.loc[frame["q"] == cls, "num"]
        p = rows.value_counts(normalize=True).reindex(domain, fill_value=0).to_numpy()
        assert got == pytest.approx(_ordered_by_definition(p, q), abs=1e-12)
        # The 1-D Wasserstein distance on ranks, scaled by 1 / (m - 1), is Li et al.'s.
        scipy = wasserstein_distance(ranks, ranks, u_weights=p, v_weights=q) / (m - 1)
        assert got == pytest.approx(scipy, abs=1e-9)


@pytest.mark.parametrize("seed", [3, 4])
def test_equal_distance_matches_the_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frame = _random_table(rng, rows=300, classes=10, values=7)
    r = assess_reidentification(frame, quasi_identifiers="q", sensitive="cat", k=2)
    d = _one(r, "cat")
    assert d.distance == "equal"
    domain = sorted(frame["cat"].unique())
    q = frame["cat"].value_counts(normalize=True).reindex(domain).to_numpy()
    classes = r.counts.class_values["q"].to_numpy()
    for cls, got in zip(classes, d.per_class["t"], strict=True):
        rows = frame.loc[frame["q"] == cls, "cat"]
        p = rows.value_counts(normalize=True).reindex(domain, fill_value=0).to_numpy()
        assert got == pytest.approx(0.5 * np.abs(p - q).sum(), abs=1e-12)


def test_which_distance_each_column_gets() -> None:
    frame = pd.DataFrame(
        {
            "q": ["a", "a", "b", "b"],
            "income": [10.5, 20.0, 30.0, np.nan],
            "when": pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01"]),
            "grade": pd.Categorical(
                ["low", "high", "mid", "low"], ["low", "mid", "high"], ordered=True
            ),
            "education": ["HS", "BA", "MA", "HS"],
            "smoker": [True, False, True, False],
            "city": ["x", "y", "z", "x"],
        }
    )
    sensitive = ["income", "when", "grade", "education", "smoker", "city"]
    r = assess_reidentification(
        frame,
        quasi_identifiers="q",
        sensitive=sensitive,
        k=2,
        ordinal={"education": ["HS", "BA", "MA", "PhD"]},
    )
    got = {s.name: s.distance for s in r.sensitive_results}
    assert got == {
        "income": "ordered",
        "when": "ordered",
        "grade": "ordered",
        "education": "ordered",
        "smoker": "equal",
        "city": "equal",
    }
    # Each reason is a note the reader sees.
    assert sum("t-closeness of" in n for n in r.notes) == len(sensitive)
    assert "missing value ranks after" in _one(r, "income").distance_reason


def test_an_ordinal_order_changes_the_distance() -> None:
    # Class a holds the two lowest levels, class b the two highest: far apart in order,
    # while with no order every two categories are equally far.
    frame = pd.DataFrame({"q": list("aabb"), "edu": ["HS", "BA", "MA", "PhD"]})
    plain = assess_reidentification(frame, quasi_identifiers="q", sensitive="edu", k=2)
    ordered = assess_reidentification(
        frame,
        quasi_identifiers="q",
        sensitive="edu",
        k=2,
        ordinal={"edu": ["HS", "BA", "MA", "PhD"]},
    )
    assert _one(plain, "edu").t == pytest.approx(0.5)
    # Ranks 0-3, q = ¼ each, class a = ½, ½, 0, 0: |¼| + |½| + |¼| over 3.
    assert _one(ordered, "edu").t == pytest.approx(1.0 / 3)


def test_a_missing_ordinal_value_ranks_last() -> None:
    frame = pd.DataFrame({"q": list("aabb"), "edu": ["HS", None, "BA", "HS"]})
    r = assess_reidentification(
        frame, quasi_identifiers="q", sensitive="edu", k=2, ordinal={"edu": ["HS", "BA"]}
    )
    d = _one(r, "edu")
    assert d.values == 3
    # Ranks HS 0, BA 1, missing 2; q = ½, ¼, ¼; class a = ½, 0, ½: (0 + ¼) / 2.
    assert d.per_class["t"].tolist() == pytest.approx([0.125, 0.125])
