"""The SDK's monitoring section against a real uvicorn server: pandas, polars and Arrow
tables in, windows and reports out, errors as the SDK's exceptions."""

from collections.abc import Iterator

import polars as pl
import pyarrow as pa
import pytest

from bastion import Client
from bastion.sdk.errors import ConflictError, InvalidInputError, InvalidRequestError
from tests.conftest import LiveServer
from tests.monitoring.conftest import adult, parquet


@pytest.fixture
def sdk(live_server: LiveServer) -> Iterator[Client]:
    with Client(live_server.url, live_server.admin_key) as client:
        yield client


@pytest.fixture
def version_id(sdk: Client) -> tuple[str, str]:
    project = sdk.create_project(name="Credit scoring").slug
    model = sdk.create_model(project, name="income")
    return project, str(sdk.create_model_version(project, model_id=model.id, version="1").id)


def test_monitor_logs_runs_and_reports_through_the_sdk(
    sdk: Client, version_id: tuple[str, str]
) -> None:
    project, version = version_id
    monitor = sdk.create_monitor(
        project, version, name="inputs", label_column="label", protected_attributes=["sex"],
        window={"rows": 2000}, min_rows=500, performance={"min_labels": 100},
    )  # fmt: skip
    monitor = sdk.set_monitor_reference(project, monitor.id, adult().reference)
    assert monitor.reference["rows"] == len(adult().reference)
    rows = adult().current
    first = sdk.log_predictions(project, version, rows.head(2000))  # pandas
    second = sdk.log_predictions(project, version, pl.from_pandas(adult().shifted.head(2000)))
    assert (first.seq, second.seq, second.first_row) == (1, 2, 2000)
    labels = dict(
        zip(
            adult().labels["prediction_id"][:1000],
            adult().labels["label"][:1000].tolist(),
            strict=True,
        )
    )
    logged = sdk.log_labels(project, version, labels)  # a mapping of id to label
    assert (logged.rows, logged.unknown) == (1000, 0)
    run = sdk.run_monitor(project, monitor.id)
    assert [w.index for w in run.evaluated] == [0, 1]
    assert run.evaluated[0].labelled == 1000
    assert run.evaluated[1].metrics["drift.drifted.age"] == 1.0
    windows = sdk.monitor_windows(project, monitor.id)
    assert [w.index for w in windows.items] == [1, 0]  # newest first
    report = sdk.window_report(project, monitor.id, 1)
    assert report["verdict"] == "warn"
    html = sdk.window_report(project, monitor.id, 1, format="html")
    assert html.lstrip().lower().startswith("<!doctype html")
    disabled = sdk.disable_monitor(project, monitor.id)
    assert (disabled.enabled, disabled.version) == (False, monitor.version + 1)
    assert [m.id for m in sdk.list_monitors(project, enabled=False).items] == [monitor.id]
    sdk.delete_monitor(project, monitor.id)
    assert sdk.list_monitors(project).items == []


def test_arrow_tables_and_files_are_logged(
    sdk: Client, version_id: tuple[str, str], tmp_path
) -> None:
    project, version = version_id
    table = pa.Table.from_pandas(adult().current.head(10), preserve_index=False)
    assert sdk.log_predictions(project, version, table).rows == 10
    path = tmp_path / "batch.parquet"
    path.write_bytes(parquet(adult().current.iloc[10:30].rename(columns={"prediction_id": "id"})))
    assert sdk.log_predictions(project, version, path, prediction_id="id").first_row == 10


def test_errors_name_the_field(sdk: Client, version_id: tuple[str, str]) -> None:
    project, version = version_id
    rows = adult().current.head(3)
    with pytest.raises(InvalidInputError) as caught:
        sdk.log_predictions(project, version, rows, prediction_id="nope")
    assert caught.value.field == "nope"
    with pytest.raises(InvalidRequestError):
        sdk.log_predictions(project, version, [1, 2, 3])
    with pytest.raises(InvalidRequestError):
        sdk.create_monitor(project, version, name="x", window={"rows": 0})
    monitor = sdk.create_monitor(project, version, name="x")
    sdk.update_monitor(project, monitor.id, description="first")
    with pytest.raises(ConflictError):
        sdk.update_monitor(project, monitor.id, version=1, description="stale")
