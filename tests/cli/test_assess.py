"""``bastion assess``: assessments from files on this machine, on the server, recorded as
evidence; verdicts as exit statuses for CI; bad input as one line and exit status 1."""

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
import skops.io
from typer.testing import CliRunner

from bastion import Client
from bastion.cli.assess import VERDICT_EXIT
from bastion.cli.main import app
from tests.conftest import LiveServer
from tests.datasets import german_split, tabular_model


class _Payload:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("touch /tmp/bastion-cli-pwned",))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """German Credit test rows (with a model's predictions) and the model as skops."""
    root = tmp_path_factory.mktemp("assess")
    split = german_split()
    model = tabular_model(split)
    rows = split.test_rows.copy()
    rows["pred"] = model.predict(split.X_test)
    rows["score"] = model.predict_proba(split.X_test)[:, 1]
    rows.to_csv(root / "scored.csv", index=False)
    split.X_train.assign(good=split.y_train).to_csv(root / "train.csv", index=False)
    skops.io.dump(model, root / "model.skops")
    (root / "hostile.pkl").write_bytes(pickle.dumps(_Payload()))
    return {
        "scored": root / "scored.csv",
        "train": root / "train.csv",
        "model": root / "model.skops",
        "bad": root / "hostile.pkl",
    }


def _invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, ["assess", *args], env=env)


def test_fairness_json_has_plain_names_per_group(files: dict[str, Path]) -> None:
    result = _invoke(
        "fairness", "--data", str(files["scored"]), "--label", "good", "--prediction", "pred",
        "--sensitive", "sex", "--json", "--fail-on", "never",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    groups = {g["sex"]: g for g in out["groups"]}
    assert set(groups) == {"female", "male"}
    assert {"false_positive_rate", "selection_rate", "count"} <= set(groups["male"])
    assert out["verdict"] in {"pass", "warn", "fail"}
    assert out["inputs"]["data"] == hashlib.sha256(files["scored"].read_bytes()).hexdigest()


def test_a_failing_verdict_is_exit_status_3(files: dict[str, Path]) -> None:
    args = [
        "fairness", "--data", str(files["scored"]), "--label", "good", "--prediction", "pred",
        "--sensitive", "sex", "--set-threshold", "demographic_parity_ratio_fail=0.999",
        "--set-threshold", "demographic_parity_ratio_warn=0.9999",
    ]  # fmt: skip
    failing = _invoke(*args)
    assert failing.exit_code == VERDICT_EXIT, failing.output
    assert failing.stdout.startswith("fail")
    assert _invoke(*args, "--fail-on", "never").exit_code == 0


def test_performance_with_a_model_file(files: dict[str, Path]) -> None:
    result = _invoke(
        "performance", "--data", str(files["scored"]), "--label", "good",
        "--model", str(files["model"]), "--json", "--fail-on", "never",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["overall"]["roc_auc"] > 0.6
    assert out["inputs"]["model"] == hashlib.sha256(files["model"].read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--label", "good", "--prediction", "pred", "--sensitive", "gender"], "gender"),
        (["--label", "good", "--sensitive", "sex"], "model"),
        (["--label", "good", "--prediction", "pred", "--sensitive", "sex",
          "--option", "x"], "NAME=VALUE"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(files: dict[str, Path], args: list[str], message: str) -> None:
    result = _invoke("fairness", "--data", str(files["scored"]), *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_files_and_hostile_models_are_refused(files: dict[str, Path]) -> None:
    missing = _invoke(
        "performance", "--data", "nowhere.csv", "--label", "good", "--prediction", "pred"
    )
    assert missing.exit_code == 1
    assert "nowhere.csv" in missing.stderr
    marker = Path("/tmp/bastion-cli-pwned")  # noqa: S108 - the payload's own path
    marker.unlink(missing_ok=True)
    hostile = _invoke(
        "performance",
        "--data",
        str(files["scored"]),
        "--label",
        "good",
        "--model",
        str(files["bad"]),
    )
    assert hostile.exit_code == 1
    assert "system" in hostile.stderr
    assert not marker.exists()


def test_record_and_server_side_runs(files: dict[str, Path], live_server: LiveServer) -> None:
    env = {"BASTION_URL": live_server.url, "BASTION_API_KEY": live_server.admin_key}
    with Client(live_server.url, live_server.admin_key) as sdk:
        project = sdk.create_project(name="Assess CLI").slug
        model = sdk.create_model(project, name="scorer")
        version = sdk.create_model_version(project, model_id=model.id, version="1")
        sdk.upload_model_artifact(project, version.id, files["model"])
        data = sdk.create_dataset(project, name="german")
        data_version = sdk.create_dataset_version(project, dataset_id=data.id, version="test")
        sdk.upload_dataset_artifact(project, data_version.id, files["scored"])
    recorded = _invoke(
        "performance", "--data", str(files["scored"]), "--label", "good", "--model-version",
        str(version.id), "-p", project, "--record", "--fail-on", "never", env=env,
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    assert "recorded evidence" in recorded.stderr
    on_server = _invoke(
        "fairness", "--dataset-version", str(data_version.id), "--model-version",
        str(version.id), "-p", project, "--label", "good", "--sensitive", "sex", "--json",
        "--fail-on", "never", env=env,
    )  # fmt: skip
    assert on_server.exit_code == 0, on_server.output
    evidence = json.loads(on_server.stdout)
    assert evidence["kind"] == "assessment.fairness"
    with Client(live_server.url, live_server.admin_key) as sdk:
        current = sdk.list_evidence(project, current=True, subject_id=version.id).items
    kinds = {e.kind: e for e in current if e.kind != "policy.decision"}  # the register gate
    assert set(kinds) == {"assessment.performance", "assessment.fairness"}
    digest = hashlib.sha256(files["model"].read_bytes()).hexdigest()
    for e in kinds.values():
        assert {"role": "model", "sha256": digest} in e.inputs


def test_explain_robustness_and_privacy_from_files(files: dict[str, Path]) -> None:
    common = ["--data", str(files["scored"]), "--label", "good", "--model", str(files["model"])]
    explained = _invoke(
        "explain", *common, "--sensitive", "age", "--option", "max_rows=10",
        "--option", "permutation_repeats=1", "--json", "--fail-on", "never",
    )  # fmt: skip
    assert explained.exit_code == 0, explained.output
    out = json.loads(explained.stdout)
    assert out["protected"] == ["age"]
    assert {i["feature"] for i in out["importance"]} >= {"age", "duration"}
    attacked = _invoke(
        "robustness", *common, "--option", "max_samples=2", "--option", "max_iter=2",
        "--option", 'attacks=["boundary"]', "--json", "--fail-on", "never",
    )  # fmt: skip
    assert attacked.exit_code == 0, attacked.output
    assert json.loads(attacked.stdout)["verdict"] in {"pass", "warn", "fail"}
    inferred = _invoke(
        "privacy", *common, "--train", str(files["train"]), "--option", "max_samples=200",
        "--fail-on", "never",
    )  # fmt: skip
    assert inferred.exit_code == 0, inferred.output
    assert "membership inference" in inferred.stdout
    no_train = _invoke("privacy", *common)
    assert no_train.exit_code == 1
    assert "training rows" in no_train.stderr
