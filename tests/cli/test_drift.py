"""``bastion drift``: on CSV and Parquet files, with no server — JSON, a Rich table and
an HTML report; exit 0 without dataset drift, 1 with it, 2 when it cannot run."""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bastion.cli.main import app


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["drift", *args])


def _frame(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.normal(40 + shift * 10, 10, n).round(),
            "income": rng.lognormal(10 + shift, 0.5, n),
            "segment": rng.choice(
                ["a", "b", "c"], n, p=[0.5, 0.3, 0.2] if not shift else [0.2, 0.3, 0.5]
            ),
            "score": rng.random(n),
        }
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("drift")
    paths = {
        "reference": root / "reference.parquet",
        "same": root / "same.csv",
        "shifted": root / "shifted.csv",
    }
    _frame(3000, 1).to_parquet(paths["reference"], index=False)
    _frame(2000, 2).to_csv(paths["same"], index=False)
    _frame(2000, 3, shift=1.0).to_csv(paths["shifted"], index=False)
    return paths


def test_no_drift_exits_0_with_a_table(files: dict[str, Path]) -> None:
    result = _run("--reference", str(files["reference"]), "--current", str(files["same"]))
    assert result.exit_code == 0, result.output
    assert "Data drift" in result.stdout
    assert "wasserstein" in result.stdout
    assert "pass: no dataset drift: 0 of 4 columns drifted" in result.stdout


def test_drift_exits_1_and_json_gives_each_column_then_the_verdict(
    files: dict[str, Path], tmp_path: Path
) -> None:
    page = tmp_path / "drift.html"
    result = _run(
        "-r", str(files["reference"]), "-c", str(files["shifted"]), "--json",
        "--html", str(page), "--prediction", "score",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    by_name = {c["column"]: c for c in report["columns"]}
    assert by_name["age"]["test"] == "wasserstein"
    assert by_name["age"]["drifted"] is True
    assert {"statistic", "threshold", "drifted"} <= set(by_name["segment"])
    assert by_name["score"]["role"] == "prediction"
    assert by_name["score"]["drifted"] is False
    assert report["dataset_drift"] is True
    assert report["verdict"] == "warn"
    assert page.read_text().startswith("<!doctype html>")
    assert f"wrote {page}" in result.stderr


def test_columns_categorical_config_and_a_saved_profile(
    files: dict[str, Path], tmp_path: Path
) -> None:
    config = tmp_path / "drift.yaml"
    config.write_text("drift_share: 0.9\nthresholds:\n  wasserstein: 5\n")
    profile = tmp_path / "reference.json"
    result = _run(
        "-r", str(files["reference"]), "-c", str(files["shifted"]), "--json",
        "--columns", "age,segment", "--config", str(config), "--save-profile", str(profile),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [c["column"] for c in report["columns"]] == ["age", "segment"]
    assert report["columns"][0]["threshold"] == 5
    again = _run("-r", str(profile), "-c", str(files["shifted"]), "--json", "--config", str(config))
    assert again.exit_code == 0, again.output
    age = json.loads(again.stdout)["columns"][0]
    # From the saved profile's bins, not the raw values: equal here (whole-number ages
    # sit on bin edges), and no longer marked exact.
    assert age["statistic"] == pytest.approx(report["columns"][0]["statistic"], rel=1e-12)
    assert (age["exact"], report["columns"][0]["exact"]) == (False, True)
    coded = _run(
        "-r", str(files["reference"]), "-c", str(files["same"]), "--json",
        "--categorical", "age",
    )  # fmt: skip
    assert json.loads(coded.stdout)["columns"][0]["kind"] == "categorical"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "{same}", "-r", "{missing}"], "missing.csv: no such file"),
        (["-r", "{reference}", "-c", "{ragged}"], "ragged.csv: cannot be read as csv: line 3"),
        (["-r", "{reference}", "-c", "{same}", "--columns", "age,nope"], "has no column(s) 'nope'"),
        (["-r", "{reference}", "-c", "{same}", "--config", "{badyaml}"], "not valid YAML (line 3"),
        (["-r", "{reference}", "-c", "{same}", "--config", "{badkey}"], "unknown drift config key"),
        (["-r", "{reference}", "-c", "{same}", "--prediction", "nope"], "prediction column 'nope'"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    files: dict[str, Path], tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "ragged.csv").write_text("age,income\n1,2\n3,4,5\n")
    (tmp_path / "bad.yaml").write_text("thresholds:\n  - [unclosed\n")
    (tmp_path / "key.yaml").write_text("drift_shares: 0.3\n")
    paths = {
        "same": files["same"],
        "reference": files["reference"],
        "missing": tmp_path / "missing.csv",
        "ragged": tmp_path / "ragged.csv",
        "badyaml": tmp_path / "bad.yaml",
        "badkey": tmp_path / "key.yaml",
    }
    result = _run(*(a.format(**paths) for a in args))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_large_files_are_streamed_with_the_same_verdict(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["-r", str(files["reference"]), "-c", str(files["shifted"]), "--json"]
    whole = json.loads(_run(*args).stdout)
    monkeypatch.setattr("bastion.cli.drift.STREAM_BYTES", 0)  # every file counts as large
    streamed = _run(*args, "--columns", "age,segment,score")
    assert streamed.exit_code == 1, streamed.output
    report = json.loads(streamed.stdout)
    assert [c["column"] for c in report["columns"]] == ["age", "segment", "score"]
    for column in report["columns"]:
        same = next(c for c in whole["columns"] if c["column"] == column["column"])
        assert column["exact"] is False
        assert column["drifted"] == same["drifted"]
        assert column["statistic"] == pytest.approx(same["statistic"], abs=2e-3)
    missing = _run("-r", str(files["reference"]), "-c", str(files["same"]), "--columns", "nope")
    assert missing.exit_code == 2
    assert "reference.parquet has no column(s) 'nope'" in missing.stderr
