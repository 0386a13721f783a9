"""The scan result as evidence: kind, verdict, summary, digest and JSON."""

import json
import pickle
from collections.abc import Callable
from pathlib import Path

from bastion.assessment.digests import file_digest
from bastion.model_files import ModelScanResult, scan_model_file


def test_result_is_scan_model_evidence(saved: Callable[[str, str], Path]) -> None:
    path = saved("tabular", "joblib-zlib")

    result = scan_model_file(path, allow=["xgboost."])
    data = result.to_dict()

    assert ModelScanResult.evidence_kind == "scan.model"
    assert json.loads(json.dumps(data)) == data
    assert data["schema_version"] == 1
    assert data["inputs"] == {"model": file_digest(path)}
    assert data["verdict"] == "pass"
    assert data["format"] == "pickle"
    assert data["details"]["container"] == "joblib"
    assert data["details"]["compression"] == "zlib"
    assert data["details"]["inflated_size"] > data["size"]
    assert data["settings"]["allow"] == ["xgboost."]
    assert data["counts"] == {"allowed": len(data["findings"]), "unsafe": 0}
    assert {"kind", "name", "classification", "reason", "count"} <= set(data["findings"][0])
    assert result.summary.startswith("pass: ")
    assert path.name in result.summary
    assert "Model file scan" in result._repr_html_()
    assert len(result.to_frame()) == len(result.findings)


def test_failing_result_lists_unsafe_findings_first(tmp_path: Path) -> None:
    from fractions import Fraction

    path = tmp_path / "mixed.pkl"
    path.write_bytes(pickle.dumps([{1, 2}, Fraction(1, 2)], protocol=2))

    result = scan_model_file(path)

    assert result.verdict == "fail"
    assert result.findings[0].name == "fractions.Fraction"
    assert result.findings[0].classification == "unsafe"
    assert result.summary.startswith("fail: mixed.pkl (pickle) has 1 unsafe finding")
    assert "global fractions.Fraction" in result.summary
    assert result.to_dict()["counts"]["unsafe"] == 1
