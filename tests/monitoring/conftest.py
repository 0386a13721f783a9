"""Monitoring fixtures: a model trained on UCI Adult, its reference data registered as a
dataset version, and the scored test split (as is, and deliberately shifted) to log."""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from tests.datasets import adult_split, tabular_model
from tests.inventory.conftest import Inventory

FEATURES = ["age", "education_num", "hours_per_week", "capital_gain", "capital_loss",
            "workclass", "marital_status", "occupation", "relationship"]  # fmt: skip
SHIFTED = {"age", "hours_per_week", "workclass"}
ARROW = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"


@dataclass(frozen=True)
class Adult:
    reference: pd.DataFrame  # training rows: features, prediction, label
    current: pd.DataFrame  # test rows: prediction_id, features, prediction, sex
    labels: pd.DataFrame  # prediction_id, label of the test rows
    shifted: pd.DataFrame  # the test rows shifted in SHIFTED, with new ids


@cache
def adult() -> Adult:
    split = adult_split()
    model = tabular_model(split)
    reference = split.X_train.copy()
    reference["prediction"] = model.predict(split.X_train)
    reference["label"] = split.y_train
    current = split.X_test.copy()
    current.insert(0, "prediction_id", [f"t{i}" for i in range(len(current))])
    current["prediction"] = model.predict(split.X_test)
    current["sex"] = split.test_rows["sex"].to_numpy()
    labels = pd.DataFrame({"prediction_id": current["prediction_id"], "label": split.y_test})
    shifted = current.copy()
    shifted["prediction_id"] = [f"s{i}" for i in range(len(shifted))]
    shifted["age"] = shifted["age"] + 20
    shifted["hours_per_week"] = shifted["hours_per_week"] * 1.6
    rng = np.random.default_rng(8)
    flip = rng.random(len(shifted)) < 0.6
    shifted.loc[flip, "workclass"] = "Self-emp-inc"
    shifted["prediction"] = model.predict(shifted[split.X_test.columns])
    return Adult(reference=reference, current=current, labels=labels, shifted=shifted)


def parquet(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue()


def arrow(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = io.BytesIO()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


@dataclass
class World:
    """A project with a model version and its reference data, reached through the API."""

    client: TestClient
    inv: Inventory
    version_id: str
    dataset_version_id: str

    def url(self, path: str) -> str:
        return self.inv.url(path)

    def version_url(self, leaf: str) -> str:
        return self.inv.url(f"/model-versions/{self.version_id}/{leaf}")

    def monitor(self, **fields: Any) -> dict[str, Any]:
        body = {
            "name": "inputs",
            "dataset_version_id": self.dataset_version_id,
            "label_column": "label",
            "protected_attributes": ["sex"],
            "window": {"rows": 2000},
            "min_rows": 500,
        } | fields
        response = self.client.post(self.version_url("monitors"), json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def log(self, frame: pd.DataFrame, **params: Any) -> Any:
        return self.client.post(
            self.version_url("predictions"),
            content=arrow(frame),
            headers={"Content-Type": ARROW},
            params=params,
        )

    def labels(self, frame: pd.DataFrame, **params: Any) -> Any:
        return self.client.post(
            self.version_url("labels"),
            content=arrow(frame),
            headers={"Content-Type": ARROW},
            params=params,
        )

    def run(self, monitor_id: str) -> dict[str, Any]:
        response = self.client.post(self.url(f"/monitors/{monitor_id}/run"))
        assert response.status_code == 200, response.text
        return response.json()

    def windows(self, monitor_id: str) -> list[dict[str, Any]]:
        response = self.client.get(
            self.url(f"/monitors/{monitor_id}/windows"), params={"sort": "index"}
        )
        assert response.status_code == 200, response.text
        return response.json()["items"]


@pytest.fixture
def world(client: TestClient) -> Iterator[World]:
    inv = Inventory.create(client, "Credit scoring")
    version = inv.new("model-versions")
    dataset_version = inv.new("dataset-versions")
    upload = inv.upload(
        "dataset-versions",
        dataset_version["id"],
        parquet(adult().reference),
        filename="reference.parquet",
    )
    assert upload.status_code == 200, upload.text
    return World(client, inv, version["id"], dataset_version["id"])
