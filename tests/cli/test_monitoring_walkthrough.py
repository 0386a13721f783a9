"""docs/monitoring-walkthrough.md, step by step, with the ``bastion`` command against a
live server: a model trained on the UCI Adult training file is monitored against the test
file, then against a deliberately shifted copy; the shift is found in the shifted columns
only, an alert fires, an incident and a risk appear, and Prometheus shows the alert."""

import json
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import skops.io
from prometheus_client.parser import text_string_to_metric_families

from tests.cli.conftest import Cli
from tests.cli.test_release_gates import _id
from tests.datasets import (
    ADULT_CATEGORICAL,
    ADULT_COLUMNS,
    ADULT_NUMERIC,
    DATA,
    Split,
    adult_frame,
    need,
    tabular_model,
)

# What the walk-through shifts in the copy of the test file, and nothing else.
SHIFTED = {"age", "hours_per_week", "workclass"}
RULES = [
    {"name": "dataset-drift", "metric": "drift.share", "condition": "above",
     "threshold": 0.1, "for_windows": 2, "severity": "high"},
    {"name": "accuracy-drop", "metric": "performance.accuracy", "condition": "below",
     "threshold": 0.75, "for_windows": 2, "severity": "medium"},
]  # fmt: skip


def _adult_test() -> pd.DataFrame:
    """adult.test: a comment line first, labels ending with a full stop."""
    frame = pd.read_csv(
        need(DATA / "adult" / "adult.test"),
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
        na_values="?",
        skiprows=1,
    )
    frame["income"] = frame["income"].str.rstrip(".")
    return frame


def _files(files: Path) -> None:
    """The model and the four files the walk-through starts from."""
    train, test = adult_frame(), _adult_test()
    features = ADULT_NUMERIC + ADULT_CATEGORICAL
    label = {name: (frame["income"] == ">50K").to_numpy(dtype=np.int64)
             for name, frame in (("train", train), ("test", test))}  # fmt: skip
    split = Split(
        X_train=train[features], y_train=label["train"], X_test=test[features],
        y_test=label["test"], test_rows=test, numeric=ADULT_NUMERIC,
        categorical=ADULT_CATEGORICAL,
    )  # fmt: skip
    model = tabular_model(split)
    (files / "model.skops").write_bytes(skops.io.dumps(model))

    reference = train.drop(columns="income")
    reference["prediction"] = model.predict(train[features])
    reference["label"] = label["train"]
    reference.to_parquet(files / "reference.parquet", index=False)

    current = test.drop(columns="income")
    current.insert(0, "prediction_id", [f"t{i}" for i in range(len(current))])
    current["prediction"] = model.predict(test[features])
    current.to_parquet(files / "test.parquet", index=False)
    pd.DataFrame({"prediction_id": current["prediction_id"], "label": label["test"]}).to_csv(
        files / "labels.csv", index=False
    )

    shifted = current.copy()
    shifted["prediction_id"] = [f"s{i}" for i in range(len(shifted))]
    shifted["age"] = shifted["age"] + 15
    shifted["hours_per_week"] = (shifted["hours_per_week"] * 1.5).round().astype(np.int64)
    flip = np.random.default_rng(7).random(len(shifted)) < 0.5
    shifted.loc[flip, "workclass"] = "Self-emp-inc"
    shifted["prediction"] = model.predict(shifted[features])
    shifted.to_parquet(files / "shifted.parquet", index=False)
    (files / "rules.json").write_text(json.dumps(RULES))


def _drifted(report: dict) -> set[str]:
    return {c["column"] for c in report["columns"] if c["drifted"]}


def test_the_walkthrough(cli: Cli, files: Path, live_server) -> None:
    _files(files)

    # 1. Before any server: the shift, on two files.
    offline = cli(
        "drift", "--reference", str(files / "reference.parquet"),
        "--current", str(files / "shifted.parquet"), "--prediction", "prediction", "--json",
    )  # fmt: skip
    assert offline.exit_code in (0, 1), offline.output
    # Older applicants working longer hours earn more: the predictions drift too.
    assert _drifted(json.loads(offline.stdout)) == SHIFTED | {"prediction"}
    calm = cli(
        "drift", "--reference", str(files / "reference.parquet"),
        "--current", str(files / "test.parquet"), "--json",
    )  # fmt: skip
    assert calm.exit_code == 0, calm.output
    assert _drifted(json.loads(calm.stdout)) == set()

    # 2. The system, its model and its reference data.
    project = cli.json("projects", "create", "Income")["slug"]
    system = cli.json("systems", "create", "income screening", "-p", project,
                      "--purpose", "Pre-screen applications by income band")["id"]  # fmt: skip
    reference = _id(cli.ok("datasets", "register", str(files / "reference.parquet"), "-p",
                           project, "--dataset", "adult", "--version", "train").stdout)  # fmt: skip
    cli.ok("models", "create", "income-model", "-p", project, "--system", system)
    registered = cli.ok("models", "register", str(files / "model.skops"), "-p", project,
                        "--model", "income-model", "--version", "1.0",
                        "--framework", "scikit-learn", "--training-data", reference)  # fmt: skip
    version = _id(registered.stdout)

    # 3. A monitor: windows of 4,000 predictions, alert rules on drift and accuracy.
    monitor = cli.json(
        "monitors", "create", "-p", project, "--model-version", version, "--name", "inputs",
        "--dataset-version", reference, "--label-column", "label", "--protected", "sex",
        "--pos-label", "1", "--window-rows", "4000", "--min-rows", "1000",
        "--alert-rules", f"@{files / 'rules.json'}",
    )["id"]  # fmt: skip

    # 4. The test file's predictions and labels: no drift, no alert.
    cli.ok("monitors", "log-predictions", str(files / "test.parquet"), "-p", project,
           "--model-version", version)  # fmt: skip
    cli.ok("monitors", "log-labels", str(files / "labels.csv"), "-p", project,
           "--model-version", version)  # fmt: skip
    calm_run = cli.json("monitors", "run", monitor, "-p", project)
    assert [w["index"] for w in calm_run["evaluated"]] == [0, 1, 2, 3]
    assert {w["metrics"]["drift.share"] for w in calm_run["evaluated"]} == {0}
    assert {a["state"] for a in cli.json("alerts", "list", "-p", project)["items"]} == {"ok"}

    # 5. The shifted copy: drift in the shifted columns, the alert fires.
    cli.ok("monitors", "log-predictions", str(files / "shifted.parquet"), "-p", project,
           "--model-version", version)  # fmt: skip
    shifted_run = cli.json("monitors", "run", monitor, "-p", project)
    assert [w["index"] for w in shifted_run["evaluated"]] == [4, 5, 6, 7]
    assert {round(w["metrics"]["drift.share"], 2) for w in shifted_run["evaluated"]} == {0.27}
    last = shifted_run["evaluated"][-1]["index"]
    report = cli.json("monitors", "report", monitor, str(last), "-p", project)
    assert _drifted(report) == SHIFTED | {"prediction"}
    html = files / "drift.html"
    cli.ok("monitors", "report", monitor, str(last), "-p", project, "--html", str(html))
    assert "hours_per_week" in html.read_text()

    alerts = {a["rule"]: a for a in cli.json("alerts", "list", "-p", project)["items"]}
    assert alerts["dataset-drift"]["state"] == "firing"
    assert alerts["accuracy-drop"]["state"] == "ok"  # labels of the copy have not arrived

    # 6. The incident and the risk it opened.
    [incident] = cli.json("incidents", "list", "-p", project)["items"]
    assert incident["system_id"] == system
    assert (incident["severity"], incident["status"]) == ("high", "open")
    shown = cli.ok("incidents", "show", incident["ref"], "-p", project).stdout
    assert "dataset-drift" in shown
    [risk] = cli.json("risks", "list", "-p", project)["items"]
    assert risk["category"] == "performance_operational"
    assert risk["id"] in cli.json("incidents", "show", incident["ref"], "-p", project)["risk_ids"]
    note = "Applicants from the new broker channel are older; checking with sales"
    cli.ok("incidents", "update", incident["ref"], "-p", project,
           "--status", "investigating", "--note", note)  # fmt: skip

    # 7. Prometheus sees it.
    scraped = httpx.get(
        f"{live_server.url}/metrics",
        headers={"Authorization": f"Bearer {live_server.admin_key}"},
    )
    assert scraped.status_code == 200, scraped.text
    samples = {
        (s.name, s.labels.get("rule") or s.labels.get("metric")): s.value
        for family in text_string_to_metric_families(scraped.text)
        for s in family.samples
        if s.labels.get("project") == project
    }
    assert samples[("bastion_alert_firing", "dataset-drift")] == 1
    assert samples[("bastion_alert_firing", "accuracy-drop")] == 0
    assert samples[("bastion_monitor_metric", "drift.drifted.age")] == 1
