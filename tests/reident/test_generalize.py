"""generalize_until on Adult reaches k = 5 and k = 10, verified by assessing the table it
returns; and each kind of hierarchy on small tables."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bastion.reident import (
    apply_levels,
    assess_reidentification,
    build_hierarchy,
    generalize_until,
)

from .conftest import ADULT_QIS


@pytest.mark.parametrize("k", [5, 10])
@pytest.mark.parametrize("strategy", ["greedy", "datafly"])
def test_adult_reaches_k(adult: pd.DataFrame, k: int, strategy: str) -> None:
    g = generalize_until(adult, quasi_identifiers=ADULT_QIS, k=k, strategy=strategy)
    assert g.reached
    assert g.k >= k
    assert g.rows_suppressed == 0
    assert set(g.levels) == set(ADULT_QIS)
    assert sum(g.levels.values()) == len(g.steps) > 0
    assert all(0 <= g.levels[q] <= g.heights[q] for q in ADULT_QIS)
    # The levels are those of the frame: assessing it again gives the k reported.
    again = assess_reidentification(g.frame, quasi_identifiers=ADULT_QIS, k=k)
    assert again.k == g.k
    assert again.verdict == "pass"
    assert len(g.frame) == len(adult)
    # Columns that are not quasi-identifiers are untouched.
    assert g.frame["occupation"].equals(adult["occupation"])
    json.dumps(g.to_dict(), allow_nan=False)


def test_adult_levels_reported(adult: pd.DataFrame) -> None:
    g = generalize_until(adult, quasi_identifiers=ADULT_QIS, k=5)
    # Age widens in bins (5 → 10 → …); the text columns have one level, "*".
    # Ages 17-90: bins of 5, 10, 20, 40, 80, then "*".
    assert g.heights == {"age": 6, "sex": 1, "race": 1, "native_country": 1}
    assert g.level_labels["age"] == f"bins of {5 * 2 ** (g.levels['age'] - 1)}"
    assert g.frame["age"].iloc[0] == "[30, 40)"  # 39 years old, bins of 10
    assert g.steps[-1].k == g.k
    assert g.steps[-1].rows_at_risk == 0
    assert g.summary.startswith("reached k=5")


def test_suppression_trades_generalization_for_rows(adult: pd.DataFrame) -> None:
    full = generalize_until(adult, quasi_identifiers=ADULT_QIS, k=10)
    g = generalize_until(adult, quasi_identifiers=ADULT_QIS, k=10, max_suppression=0.01)
    assert g.reached
    assert 0 < g.rows_suppressed <= 0.01 * len(adult)
    assert len(g.frame) == len(adult) - g.rows_suppressed
    assert g.suppressed_index.intersection(g.frame.index).empty
    assert sum(g.levels.values()) < sum(full.levels.values())
    assert (
        g.information_loss["generalization_height"] < full.information_loss["generalization_height"]
    )
    again = assess_reidentification(g.frame, quasi_identifiers=ADULT_QIS, k=10)
    assert again.k == g.k >= 10


def test_a_mapping_hierarchy_is_used(adult: pd.DataFrame) -> None:
    countries = adult["native_country"].dropna().unique()
    hierarchy = [{c: "United-States" if c == "United-States" else "Elsewhere" for c in countries}]
    g = generalize_until(
        adult, quasi_identifiers=ADULT_QIS, k=5, hierarchies={"native_country": hierarchy}
    )
    assert g.heights["native_country"] == 2
    assert g.reached
    again = assess_reidentification(g.frame, quasi_identifiers=ADULT_QIS, k=5)
    assert again.k == g.k


def test_deterministic(adult: pd.DataFrame) -> None:
    a = generalize_until(adult, quasi_identifiers=ADULT_QIS, k=5, max_suppression=0.005)
    b = generalize_until(adult, quasi_identifiers=ADULT_QIS, k=5, max_suppression=0.005)
    assert a.to_dict() == b.to_dict()
    assert a.frame.equals(b.frame)


def test_nothing_to_do_when_k_holds() -> None:
    frame = pd.DataFrame({"sex": list("FFMM"), "age": [30, 30, 40, 40]})
    g = generalize_until(frame, quasi_identifiers=["sex", "age"], k=2)
    assert g.reached
    assert g.levels == {"sex": 0, "age": 0}
    assert g.steps == ()
    assert g.frame.equals(frame)
    assert g.information_loss["generalization_height"] == 0.0
    assert g.information_loss["discernibility"] == 8.0  # two classes of two: 4 + 4
    assert g.information_loss["average_class_size"] == 1.0


def test_max_steps_and_a_table_smaller_than_k() -> None:
    frame = pd.DataFrame({"zip": ["02139", "02138", "02141"], "age": [31, 35, 52]})
    stopped = generalize_until(frame, quasi_identifiers=["zip", "age"], k=2, max_steps=0)
    assert not stopped.reached
    assert stopped.frame.equals(frame)
    assert any("max_steps" in n for n in stopped.notes)
    tiny = generalize_until(frame, quasi_identifiers=["zip", "age"], k=5)
    assert not tiny.reached
    assert tiny.levels == tiny.heights  # everything at "*"
    assert any("only 3 rows" in n for n in tiny.notes)


def test_postcodes_are_truncated() -> None:
    frame = pd.DataFrame({"zip": ["02139", "02138", "02141", "02142"]})
    h = build_hierarchy("zip", frame["zip"])
    assert h.kind == "truncate"
    assert [lvl.iloc[0] for lvl in h.levels] == ["02139", "0213*", "021**", "02***", "0****", "*"]
    g = generalize_until(frame, quasi_identifiers="zip", k=2)
    assert g.levels == {"zip": 1}
    assert g.frame["zip"].tolist() == ["0213*", "0213*", "0214*", "0214*"]


def test_dates_are_truncated() -> None:
    born = pd.Series(pd.to_datetime(["1984-03-02", "1984-07-30", "1987-11-11", pd.NaT]))
    h = build_hierarchy("born", born)
    assert h.kind == "dates"
    assert h.labels == ("as is", "month", "year", "decade", "*")
    assert [lvl.iloc[0] for lvl in h.levels[1:]] == ["1984-03", "1984", "1980-1989", "*"]
    assert pd.isna(h.levels[3].iloc[3])  # missing stays missing below the top


def test_numeric_widths_given() -> None:
    ages = pd.Series([17, 23, 38, 39, 64, np.nan])
    h = build_hierarchy("age", ages, [5, 10, 20])
    assert h.labels == ("as is", "bins of 5", "bins of 10", "bins of 20", "*")
    assert h.levels[1].iloc[:5].tolist() == [
        "[15, 20)",
        "[20, 25)",
        "[35, 40)",
        "[35, 40)",
        "[60, 65)",
    ]
    assert h.levels[3].iloc[2] == "[20, 40)"
    assert pd.isna(h.levels[2].iloc[5])


def test_default_bins_follow_the_range() -> None:
    income = pd.Series(np.linspace(0, 100_000, 50))
    h = build_hierarchy("income", income)
    assert h.labels[1] == "bins of 5000"
    assert h.levels[1].iloc[-1] == "[100000, 105000)"


def test_apply_levels_and_the_top_level() -> None:
    frame = pd.DataFrame({"age": [31, 35, 52], "sex": list("FMF"), "other": [1, 2, 3]})
    out = apply_levels(frame, levels={"age": 1, "sex": 1}, hierarchies={"age": [5, 10]})
    assert out["sex"].tolist() == ["*", "*", "*"]
    assert out["age"].tolist() == ["[30, 35)", "[35, 40)", "[50, 55)"]
    assert out["other"].tolist() == [1, 2, 3]


def test_result_reads(adult: pd.DataFrame) -> None:
    g = generalize_until(adult, quasi_identifiers=ADULT_QIS, k=5)
    frame = g.to_frame()
    assert list(frame.index) == ADULT_QIS
    assert list(frame.columns) == ["level", "height", "meaning"]
    html = g._repr_html_()
    assert "Generalization" in html
    assert "pass" in html
    d = g.to_dict()
    assert d["schema_version"] == 1
    assert "frame" not in d
    assert d["levels"] == g.levels


def test_a_csv_file_generalizes_like_its_frame(adult: pd.DataFrame, tmp_path: Path) -> None:
    part = adult[ADULT_QIS].head(3000)
    path = tmp_path / "adult.csv"
    part.to_csv(path, index=False)
    from_file = generalize_until(path, quasi_identifiers=ADULT_QIS, k=5)
    from_frame = generalize_until(part, quasi_identifiers=ADULT_QIS, k=5)
    assert from_file.levels == from_frame.levels
    assert from_file.k == from_frame.k
    assert from_file.frame["age"].tolist() == from_frame.frame["age"].tolist()
