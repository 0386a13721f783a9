"""Monitoring through the real app: a model trained on UCI Adult, monitored against its
training data; the test split is logged as is and deliberately shifted, and the shift is
found in the shifted columns. Runs on SQLite, and on PostgreSQL when configured."""

import pandas as pd
import pytest
from sqlalchemy import func, select

from bastion.evidence.models import Evidence
from bastion.monitoring import service as monitoring_service
from bastion.monitoring.models import PredictionBatch
from tests.inventory.conftest import app_runtime, assert_problem, stored_files
from tests.monitoring.conftest import ARROW, FEATURES, PARQUET, SHIFTED, World, adult, parquet


def evidence_of(world: World, window: dict) -> dict:
    response = world.client.get(world.url(f"/evidence/{window['evidence_id']}"))
    assert response.status_code == 200, response.text
    return response.json()


# Monitors ----------------------------------------------------------------------------------


def test_a_monitor_fits_its_reference_from_a_dataset_version(world: World) -> None:
    monitor = world.monitor()
    assert monitor["reference"]["source"] == "dataset_version"
    assert monitor["reference"]["rows"] == len(adult().reference)
    # Default columns: the reference's, without the label.
    assert monitor["columns"] == [*FEATURES, "prediction"]
    assert set(monitor["categorical"]) == {
        "workclass",
        "marital_status",
        "occupation",
        "relationship",
    }
    assert monitor["window"] == {"rows": 2000}
    assert monitor["version"] == 1
    listed = world.client.get(world.url("/monitors"), params={"model_version_id": world.version_id})
    assert [m["id"] for m in listed.json()["items"]] == [monitor["id"]]


BAD_SETTINGS = [
    ({"columns": ["age", "salary"]}, "columns"),
    ({"categorical": ["sex"]}, "categorical"),
    ({"window": {"rows": 10, "period": "1d"}}, "window"),
    ({"window": {"period": "soon"}}, "window.period"),
    ({"schedule": 1}, "schedule"),
    ({"drift_config": {"drift_share": 2}}, "drift_config.drift_share"),
    ({"drift_config": {"speed": "fast"}}, "drift_config"),
    (
        {
            "alert_rules": [
                {"name": "x", "metric": "drift.share", "condition": "over", "threshold": 1}
            ]
        },
        "alert_rules[0].condition",
    ),
    ({"performance": {"task": "ranking"}}, "performance.task"),
]


def test_bad_monitor_settings_are_refused_naming_the_field(world: World) -> None:
    for fields, field in BAD_SETTINGS:
        body = {"name": "bad", "dataset_version_id": world.dataset_version_id} | fields
        response = world.client.post(world.version_url("monitors"), json=body)
        assert_problem(response, 422, field)
    assert world.client.get(world.url("/monitors")).json()["items"] == []


def test_monitor_names_are_unique_per_model_version(world: World) -> None:
    world.monitor()
    again = world.client.post(world.version_url("monitors"), json={"name": "inputs"})
    assert_problem(again, 409, "name")


def test_updates_need_the_version_read_and_refit_the_profile(world: World) -> None:
    monitor = world.monitor()
    url = world.url(f"/monitors/{monitor['id']}")
    changed = world.client.patch(url, json={"version": 1, "columns": ["age", "workclass"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["columns"] == ["age", "workclass"]
    assert changed.json()["categorical"] == ["workclass"]
    stale = world.client.patch(url, json={"version": 1, "enabled": False})
    assert_problem(stale, 409, "version")
    assert world.client.patch(url, json={"version": 2, "enabled": None}).status_code == 422


def test_the_window_cannot_change_once_windows_exist(world: World) -> None:
    monitor = world.monitor()
    assert world.log(adult().current.head(2000)).status_code == 201
    world.run(monitor["id"])
    url = world.url(f"/monitors/{monitor['id']}")
    response = world.client.patch(url, json={"version": 1, "window": {"rows": 500}})
    assert_problem(response, 409, "window")


def test_a_monitor_without_a_dataset_version_takes_an_uploaded_reference(world: World) -> None:
    response = world.client.post(
        world.version_url("monitors"), json={"name": "uploaded", "label_column": "label"}
    )
    assert response.status_code == 201, response.text
    monitor = response.json()
    assert monitor["reference"] == {"source": "upload"}
    early = world.run(monitor["id"])
    assert early["evaluated"] == []
    assert "no reference yet" in early["note"]
    uploaded = world.client.put(
        world.url(f"/monitors/{monitor['id']}/reference"),
        content=parquet(adult().reference.head(5000)),
        headers={"Content-Type": PARQUET},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["reference"]["rows"] == 5000
    assert "label" not in uploaded.json()["columns"]


def test_deleting_a_monitor_keeps_its_evidence(world: World) -> None:
    monitor = world.monitor()
    world.log(adult().current.head(2000))
    [window] = world.run(monitor["id"])["evaluated"]
    assert world.client.delete(world.url(f"/monitors/{monitor['id']}")).status_code == 204
    assert world.client.get(world.url(f"/monitors/{monitor['id']}")).status_code == 404
    assert evidence_of(world, window)["kind"] == "monitoring.window"


# The prediction log -------------------------------------------------------------------------


def test_batches_are_logged_as_parquet_arrow_or_json_rows(world: World) -> None:
    rows = adult().current
    first = world.log(rows.head(100))
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["seq"], body["first_row"], body["rows"], body["duplicates"]) == (1, 0, 100, 0)
    assert body["columns"]["prediction_id"] == "string"
    second = world.client.post(
        world.version_url("predictions"),
        content=parquet(rows.iloc[100:300]),
        headers={"Content-Type": PARQUET},
    )
    assert (second.json()["seq"], second.json()["first_row"]) == (2, 100)
    third = world.client.post(
        world.version_url("predictions"), json=rows.iloc[300:310].to_dict(orient="records")
    )
    assert third.status_code == 201, third.text
    assert third.json()["first_row"] == 300
    listed = world.client.get(world.version_url("predictions")).json()["items"]
    assert [b["seq"] for b in listed] == [3, 2, 1]


def test_sending_the_same_batch_again_adds_nothing(world: World) -> None:
    batch = adult().current.head(50)
    first = world.log(batch)
    again = world.log(batch)
    assert again.status_code == 200
    assert again.json()["repeated"] is True
    assert again.json()["id"] == first.json()["id"]


def test_ids_of_earlier_batches_are_counted_and_the_first_row_wins(world: World) -> None:
    rows = adult().current
    world.log(rows.head(1500))
    overlap = rows.iloc[1000:2500].copy()
    overlap["age"] = 99  # the repeated ids' rows (first 500) must not count
    response = world.log(overlap)
    assert response.json()["duplicates"] == 500
    monitor = world.monitor(window={"rows": 2000}, min_rows=100)
    [window] = world.run(monitor["id"])["evaluated"]
    assert window["rows"] == 1500  # rows 0-1999 of the log, less the 500 repeated ids
    report = world.client.get(world.url(f"/monitors/{monitor['id']}/windows/0/report.json"))
    age = next(c for c in report.json()["columns"] if c["column"] == "age")
    assert age["drifted"] is False  # no row with age 99 was counted


def test_bad_batches_are_refused_and_nothing_is_written(world: World) -> None:
    rows = adult().current
    cases = [
        (rows.head(0), {}, "body"),
        (rows.head(20).drop(columns="prediction_id"), {}, "prediction_id"),
        (pd.concat([rows.head(5), rows.head(2)]), {}, "prediction_id"),
        (rows.head(5), {"id_column": "missing"}, "missing"),
        (rows.head(5).assign(timestamp=[1, 2, 3, 4, 5]), {}, "timestamp"),
    ]
    before = stored_files(world.inv.settings)
    for frame, params, field in cases:
        assert_problem(world.log(frame, **params), 422, field)
    assert world.client.get(world.version_url("predictions")).json()["items"] == []
    assert stored_files(world.inv.settings) == before


def test_duplicate_ids_are_refused_naming_the_rows(world: World) -> None:
    rows = pd.concat([adult().current.head(3), adult().current.iloc[[1]]])
    body = assert_problem(world.log(rows), 422, "prediction_id")
    assert body["rows"] == [1, 3]


def test_unknown_media_types_and_oversized_batches_are_refused(world: World) -> None:
    csv = world.client.post(
        world.version_url("predictions"), content=b"a\n1\n", headers={"Content-Type": "text/csv"}
    )
    assert_problem(csv, 415, "Content-Type")
    limit = world.inv.settings.max_upload_bytes
    big = world.client.post(
        world.version_url("predictions"), content=b"x" * (limit + 1),
        headers={"Content-Type": ARROW},
    )  # fmt: skip
    assert_problem(big, 413)


def test_quality_problems_are_findings_and_windows_measure_them(world: World) -> None:
    monitor = world.monitor(window={"rows": 70}, min_rows=10)
    rows = adult().current.head(50)
    world.log(rows)
    odd = rows.iloc[:0].reindex(range(20)).copy()
    odd["prediction_id"] = [f"odd{i}" for i in range(20)]
    odd["capital_gain"] = float("inf")
    odd = odd.drop(columns=["occupation"]).assign(age="old")
    response = world.log(odd)
    assert response.status_code == 201, response.text
    findings = {(f["column"], f["finding"]) for f in response.json()["findings"]}
    assert {("capital_gain", "infinite"), ("occupation", "missing_column"),
            ("age", "type_change"), ("workclass", "all_null")} <= findings  # fmt: skip
    # The window mixing both batches is evaluated, and its quality figures say what is wrong.
    [window] = world.run(monitor["id"])["evaluated"]
    metrics = window["metrics"]
    assert (window["status"], window["rows"]) == ("ok", 70)
    assert metrics["quality.type_violations.age"] == 20
    assert metrics["quality.infinities.capital_gain"] == 20
    assert metrics["quality.missing.workclass"] == pytest.approx(20 / 70, abs=0.02)


def test_predictions_are_stored_as_blobs_not_rows(world: World) -> None:
    world.log(adult().current)
    runtime = app_runtime(world.client)
    with runtime.sessions() as session:
        batches = session.scalar(select(func.count()).select_from(PredictionBatch))
    assert batches == 1


# Labels -------------------------------------------------------------------------------------


def test_labels_report_duplicates_and_unknown_ids(world: World) -> None:
    labels = adult().labels
    world.log(adult().current.head(100))
    first = world.labels(labels.head(60))
    assert first.status_code == 201, first.text
    assert (first.json()["rows"], first.json()["duplicates"], first.json()["unknown"]) == (60, 0, 0)
    again = pd.concat(
        [
            labels.iloc[50:150],
            labels.iloc[[140]],
            pd.DataFrame({"prediction_id": ["ghost"], "label": [1]}),
        ]
    )
    second = world.labels(again).json()
    assert second["duplicates"] == 1 + 10  # twice in the batch, and ten labelled before
    assert second["unknown"] == 51  # t100 … t149 and "ghost" are not logged yet
    assert second["unknown_ids"][:2] == ["t100", "t101"]
    assert len(second["unknown_ids"]) == 20  # the first few only


def test_labels_of_another_type_are_refused(world: World) -> None:
    world.labels(adult().labels.head(5))
    other = adult().labels.iloc[5:10].assign(label="yes")
    assert_problem(world.labels(other), 422, "label")


# Windows --------------------------------------------------------------------------------------


def test_the_test_split_passes_and_the_shifted_copy_drifts_in_the_shifted_columns(
    world: World,
) -> None:
    monitor = world.monitor()
    world.log(adult().current)
    world.log(adult().shifted)
    run = world.run(monitor["id"])
    assert [w["index"] for w in run["evaluated"]] == [0, 1, 2, 3, 4, 5]
    normal, shifted = run["evaluated"][:3], run["evaluated"][3:]
    for window in normal:
        assert window["metrics"]["drift.dataset"] == 0.0
        assert evidence_of(world, window)["verdict"] == "pass"
    for window in shifted:
        evidence = evidence_of(world, window)
        assert evidence["verdict"] == "warn"
        drifted = {c["column"] for c in evidence["result"]["drift"]["columns"] if c["drifted"]}
        assert drifted >= SHIFTED
        assert not drifted & {"capital_gain", "capital_loss", "education_num"}
    window = shifted[0]
    assert window["metrics"]["rows"] == 2000
    assert window["metrics"]["drift.drifted.age"] == 1.0
    assert 0 <= window["metrics"]["anomaly.share"] <= 1
    assert window["metrics"]["anomaly.share"] > normal[0]["metrics"]["anomaly.share"]
    evidence = evidence_of(world, window)
    assert evidence["subject_id"] == world.version_id
    assert evidence["result"]["window"] == {
        "index": 3, "start": window["start_at"].replace("Z", "+00:00"),
        "end": window["end_at"].replace("Z", "+00:00"), "start_row": 6000, "end_row": 8000,
        "rows": 2000, "labelled": 0,
    }  # fmt: skip
    assert {i["role"] for i in evidence["inputs"]} == {"reference", "predictions"}
    assert world.run(monitor["id"])["evaluated"] == []  # each window once


def test_performance_and_fairness_come_with_labels_and_late_labels_revise_them(
    world: World,
) -> None:
    monitor = world.monitor(performance={"min_labels": 200})
    world.log(adult().current)
    [first, *_] = world.run(monitor["id"])["evaluated"]
    assert first["labelled"] == 0
    assert evidence_of(world, first)["result"]["performance"]["status"] == "insufficient_data"
    assert "performance.accuracy" not in first["metrics"]
    # Labels for the first window arrive late; a partial set, then the rest.
    world.labels(adult().labels.head(1000))
    run = world.run(monitor["id"])
    assert run["evaluated"] == []
    [revised] = run["reevaluated"]
    assert (revised["index"], revised["revision"], revised["labelled"]) == (0, 2, 1000)
    assert revised["metrics"]["performance.label_coverage"] == 0.5
    assert 0.75 < revised["metrics"]["performance.accuracy"] < 0.95
    assert revised["metrics"]["fairness.demographic_parity_difference"] > 0
    evidence = evidence_of(world, revised)
    assert evidence["supersedes"] is not None
    assert evidence["result"]["fairness"]["sensitive_features"] == ["sex"]
    assert {i["role"] for i in evidence["inputs"]} == {"reference", "predictions", "labels"}
    assert world.run(monitor["id"])["reevaluated"] == []  # nothing new: nothing recorded


def test_too_few_rows_is_insufficient_data_not_drift(world: World) -> None:
    monitor = world.monitor(window={"rows": 100}, min_rows=500)
    world.log(adult().shifted.head(100))
    [window] = world.run(monitor["id"])["evaluated"]
    assert window["status"] == "insufficient_data"
    assert "drift.share" not in window["metrics"]
    assert evidence_of(world, window)["verdict"] == "info"
    report = world.client.get(world.url(f"/monitors/{monitor['id']}/windows/0/report.json"))
    assert_problem(report, 404)


def test_time_windows_evaluate_complete_periods_only(world: World) -> None:
    monitor = world.monitor(window={"period": "1d"}, min_rows=100)
    rows = adult().current.head(3000).copy()
    day = pd.Timestamp("2026-01-01", tz="UTC")
    rows["timestamp"] = [day + pd.Timedelta(minutes=2 * i) for i in range(len(rows))]
    world.log(rows)  # 3000 rows, 2 min apart: Jan 1, Jan 2, and a part of Jan 5
    run = world.run(monitor["id"])
    days = [(w["start_at"][:10], w["rows"]) for w in run["evaluated"]]
    assert days == [("2026-01-01", 720), ("2026-01-02", 720), ("2026-01-03", 720),
                    ("2026-01-04", 720), ("2026-01-05", 120)]  # fmt: skip


def test_reports_render_as_json_and_html(world: World) -> None:
    monitor = world.monitor()
    world.log(adult().shifted.head(2000))
    world.run(monitor["id"])
    base = world.url(f"/monitors/{monitor['id']}/windows/0")
    report = world.client.get(f"{base}/report.json").json()
    assert report["verdict"] == "warn"
    assert next(c for c in report["columns"] if c["column"] == "age")["drifted"] is True
    assert {"column", "test", "statistic", "threshold", "drifted"} <= set(report["columns"][0])
    page = world.client.get(f"{base}/report.html")
    assert page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text
    assert "age" in page.text
    assert world.client.get(world.url(f"/monitors/{monitor['id']}/windows/9")).status_code == 404


def test_window_subscribers_are_called_in_the_same_transaction(world: World) -> None:
    seen: list[tuple[str, int, str]] = []

    def subscriber(session, monitor, window, evidence: Evidence) -> None:
        seen.append((monitor.name, window.number, evidence.kind))

    monitoring_service.on_window_recorded.append(subscriber)
    try:
        monitor = world.monitor()
        world.log(adult().current.head(4000))
        world.run(monitor["id"])
    finally:
        monitoring_service.on_window_recorded.remove(subscriber)
    assert seen == [("inputs", 0, "monitoring.window"), ("inputs", 1, "monitoring.window")]


# Permissions ------------------------------------------------------------------------------


def test_a_service_account_logs_but_does_not_manage_monitors(world: World, principals) -> None:
    service = principals("service", world.inv.slug)
    viewer = principals("viewer", world.inv.slug)
    monitor = world.monitor()
    logged = world.client.post(
        world.version_url("predictions"),
        json=adult().current.head(3).to_dict(orient="records"),
        headers=service.headers,
    )
    assert logged.status_code == 201, logged.text
    created = world.client.post(
        world.version_url("monitors"), json={"name": "mine"}, headers=service.headers
    )
    assert_problem(created, 403)
    assert (
        world.client.get(
            world.url(f"/monitors/{monitor['id']}"), headers=viewer.headers
        ).status_code
        == 200
    )
    refused = world.client.post(
        world.version_url("labels"),
        json=[{"prediction_id": "t0", "label": 1}],
        headers=viewer.headers,
    )
    assert_problem(refused, 403)
