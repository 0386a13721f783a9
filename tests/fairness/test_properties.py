"""Metric identities on random data (hypothesis), and agreement with fairlearn there."""

import numpy as np
from fairlearn import metrics as flm
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bastion.fairness import assess_fairness

rows = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(0, 1), st.integers(1, 5)),
    min_size=8,
    max_size=80,
)


def _arrays(data: list[tuple[int, int, int, int]]) -> tuple[np.ndarray, ...]:
    g, t, p, w = (np.array(c) for c in zip(*data, strict=True))
    return g, t, p, w.astype(float)


def _usable(g: np.ndarray, t: np.ndarray) -> bool:
    return len(set(g.tolist())) >= 2 and 0 < t.sum() < len(t)


@settings(max_examples=60, deadline=None)
@given(rows, st.booleans())
def test_rates_and_aggregates_obey_their_identities(data: list, weighted: bool) -> None:
    g, t, p, w = _arrays(data)
    if not _usable(g, t):
        return
    r = assess_fairness(t, p, sensitive_features=g, sample_weight=w if weighted else None)
    for group in r.groups:
        m = group.metrics
        for name, value in m.items():
            assert np.isnan(value) or 0 <= value <= 1 + 1e-12 or name == "theil_index"
        for a, b in [
            ("true_positive_rate", "false_negative_rate"),
            ("false_positive_rate", "true_negative_rate"),
            ("precision", "false_discovery_rate"),
            ("negative_predictive_value", "false_omission_rate"),
        ]:
            assert np.isnan(m[a]) == np.isnan(m[b])
            if not np.isnan(m[a]):
                assert abs(m[a] + m[b] - 1) < 1e-12
        assert np.isnan(m["theil_index"]) or m["theil_index"] >= -1e-12
    assert abs(sum(gr.metrics["predicted_positive_share"] for gr in r.groups) - 1) < 1e-9 or (
        p.sum() == 0
    )
    for name, methods in r.aggregates.items():
        for value in methods.values():
            if np.isnan(value):
                continue
            assert value >= 0
            if name.endswith("_ratio"):
                assert value <= 1 + 1e-12
    dp = r.aggregates["demographic_parity_difference"]["between_groups"]
    rates = [gr.metrics["selection_rate"] for gr in r.groups]
    assert abs(dp - (max(rates) - min(rates))) < 1e-12
    eo = r.aggregates["equalized_odds_difference"]["between_groups"]
    assert eo >= r.aggregates["equal_opportunity_difference"]["between_groups"] - 1e-12
    # AIF360's signed metrics: pooled statistical parity difference is SR_u - SR_p.
    assert r.privileged is not None
    spd = r.privileged.pooled["statistical_parity_difference"]
    di = r.privileged.pooled["disparate_impact"]
    assert np.isnan(di) or spd == 0 or (di < 1) == (spd < 0)


# Found by the property below: a group with no positives has a 0/0 TPR and FPR, and
# fairlearn combines the parts of equalized odds with Python's min/max and pandas' mean.
@example(data=[(0, 0, 0, 1)] * 6 + [(0, 1, 1, 1), (1, 0, 0, 1)], weighted=False)
@settings(max_examples=30, deadline=None)
@given(rows, st.booleans())
def test_aggregates_equal_fairlearn_on_random_data(data: list, weighted: bool) -> None:
    g, t, p, w = _arrays(data)
    if not _usable(g, t):
        return
    sw = w if weighted else None
    r = assess_fairness(t, p, sensitive_features=g, sample_weight=sw)
    for name in (
        "demographic_parity_difference",
        "equalized_odds_ratio",
        "equal_opportunity_difference",
    ):
        fn = getattr(flm, name)
        for method in ("between_groups", "to_overall"):
            expected = fn(t, p, sensitive_features=g, method=method, sample_weight=sw)
            ours = r.aggregates[name][method]
            assert (np.isnan(ours) and np.isnan(expected)) or abs(ours - expected) < 1e-9
