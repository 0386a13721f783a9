"""A registered dataset with an uploaded table (a slice of UCI Adult), and helpers that
set its budget, run queries and read what was recorded, through the HTTP API."""

from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bastion.ledger.models import LedgerEntry
from bastion.privacy_budget.models import DpQueryRecord
from tests.datasets import adult_frame
from tests.inventory.conftest import Inventory, app_runtime

ROWS = 2000  # enough for realistic answers, small enough to upload on every test


@pytest.fixture(scope="session")
def adult_csv() -> bytes:
    columns = ["age", "hours_per_week", "sex", "workclass"]
    return adult_frame()[columns].head(ROWS).to_csv(index=False).encode()


@dataclass
class Dataset:
    """A dataset of a project, with one version holding the Adult table."""

    inv: Inventory
    dataset_id: str
    version_id: str

    @property
    def client(self) -> TestClient:
        return self.inv.client

    @property
    def budget_url(self) -> str:
        return self.inv.url(f"/datasets/{self.dataset_id}/privacy-budget")

    def queries_url(self, version_id: str | None = None) -> str:
        return self.inv.url(f"/dataset-versions/{version_id or self.version_id}/dp-queries")

    def set_budget(self, epsilon: float, delta: float = 0.0, **kw: Any) -> httpx2.Response:
        return self.client.put(self.budget_url, json={"epsilon": epsilon, "delta": delta}, **kw)

    def budget(self) -> dict[str, Any]:
        response = self.client.get(self.budget_url)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def query(self, version_id: str | None = None, **body: Any) -> httpx2.Response:
        return self.client.post(self.queries_url(version_id), json=body)

    def mean_age(self, epsilon: float = 0.1, **extra: Any) -> httpx2.Response:
        body = {"statistic": "mean", "column": "age", "lower": 17, "upper": 90}
        return self.query(**(body | {"epsilon": epsilon} | extra))

    def recorded(self) -> int:
        """Rows in the query ledger (all datasets)."""
        with app_runtime(self.client).sessions() as session:
            return session.scalar(select(func.count()).select_from(DpQueryRecord)) or 0

    def ledger_actions(self) -> list[str]:
        with app_runtime(self.client).sessions() as session:
            return list(session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.seq)))


def make_dataset(inv: Inventory, content: bytes, filename: str = "adult.csv") -> Dataset:
    version = inv.new("dataset-versions")
    uploaded = inv.upload("dataset-versions", version["id"], content, filename=filename)
    assert uploaded.status_code == 200, uploaded.text
    return Dataset(inv=inv, dataset_id=version["dataset_id"], version_id=version["id"])


@pytest.fixture
def ds(client: TestClient, adult_csv: bytes) -> Dataset:
    return make_dataset(Inventory.create(client, "Census"), adult_csv)
