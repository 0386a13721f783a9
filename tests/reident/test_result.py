"""The result reads the ways a user reads it: as evidence JSON, as data frames, and in a
notebook."""

import dataclasses
import json

import pandas as pd
import pytest

from bastion.reident import ReidentificationResult, assess_reidentification


@pytest.fixture
def result(hospital: pd.DataFrame) -> ReidentificationResult:
    return assess_reidentification(
        hospital, quasi_identifiers=["zip", "age"], sensitive=["disease", "salary"], k=3
    )


def test_evidence_json(result: ReidentificationResult) -> None:
    assert result.evidence_kind == "assessment.reidentification"
    d = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert d["schema_version"] == 1
    assert d["verdict"] == result.verdict == "fail"
    assert d["summary"] == result.summary
    assert d["k"] == 2
    assert d["k_target"] == 3
    assert [s["name"] for s in d["sensitive_results"]] == ["disease", "salary"]
    # Recursive c is infinite for a class of one value: written as null.
    assert d["sensitive_results"][0]["recursive_c_required"] is None
    assert d["smallest_classes"][0] == {
        "values": {"zip": "130", "age": 40},
        "size": 2,
        "prosecutor_risk": 0.5,
    }
    assert {c["metric"] for c in d["checks"]} == {"k_anonymity", "l_diversity", "t_closeness"}
    assert d["settings"]["thresholds"] == {"l_fail": 2.0, "t_fail": 0.5}
    assert len(d["inputs"]["data"]) == 64
    # No sensitive value is written: not a disease, not a salary.
    text = json.dumps(d)
    for disease in ("flu", "cold", "cancer"):
        assert f'"{disease}"' not in text


def test_digests_given_are_kept(hospital: pd.DataFrame) -> None:
    r = assess_reidentification(hospital, quasi_identifiers="zip", inputs={"data": "ab" * 32})
    assert r.inputs == {"data": "ab" * 32}


def test_frames(result: ReidentificationResult) -> None:
    frame = result.to_frame()
    assert list(frame.columns) == [
        "size",
        "prosecutor_risk",
        "disease l",
        "disease t",
        "salary l",
        "salary t",
    ]
    assert frame["size"].tolist() == [2, 3, 4]
    assert frame.index.names == ["zip", "age"]
    sensitive = result.sensitive_frame()
    assert list(sensitive.index) == ["disease", "salary"]
    assert result.risk_frame().loc["k", "value"] == 2


def test_notebook_display(result: ReidentificationResult) -> None:
    html = result._repr_html_()
    assert "Re-identification risk" in html
    assert "fail" in html
    assert "Smallest classes" in html


def test_frozen(result: ReidentificationResult) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.k = 10  # type: ignore[misc]
