"""Invariants that hold for any data: integer weights are repeated rows, groups partition
the rows, and a single group is the whole."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.performance import assess_performance

# Scores on a grid of tenths as well as anywhere: bin edges are where ECE conventions bite.
score = st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))


@st.composite
def labelled(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(4, 40))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[:2] = [0, 1]  # both classes, so every metric is defined overall
    s = np.array(draw(st.lists(score, min_size=n, max_size=n)))
    w = np.array(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)))
    g = np.array(draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)))
    return y, s, w, g


def _close(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        if a[k] is None or b[k] is None:
            assert a[k] is b[k], k
        else:
            assert a[k] == pytest.approx(b[k], abs=1e-9), k


@settings(max_examples=25, deadline=None)
@given(labelled())
def test_integer_weights_equal_repeated_rows(data: tuple) -> None:
    y, s, w, g = data
    weighted = assess_performance(y, y_score=s, sample_weight=w, sensitive_features=g)
    repeated = assess_performance(
        np.repeat(y, w), y_score=np.repeat(s, w), sensitive_features=np.repeat(g, w)
    )
    _close(weighted.overall, repeated.overall)
    for a, b in zip(weighted.groups, repeated.groups, strict=True):
        assert a.values == b.values
        assert a.weight == b.count
        _close(a.metrics, b.metrics)
    assert weighted.verdict == repeated.verdict


@settings(max_examples=25, deadline=None)
@given(labelled())
def test_groups_partition_the_rows(data: tuple) -> None:
    y, s, _, g = data
    result = assess_performance(y, y_score=s, sensitive_features=g)
    assert sum(group.count for group in result.groups) == len(y)
    assert result.confusion_matrix is not None
    for cell in ("tn", "fp", "fn", "tp"):
        assert (
            sum(gr.confusion_matrix[cell] for gr in result.groups)
            == (  # type: ignore[index]
                result.confusion_matrix[cell]
            )
        )
    whole = assess_performance(y, y_score=s, sensitive_features=np.full(len(y), "all"))
    assert whole.groups[0].metrics == whole.overall
