"""A project with an AI system (and a model version of it), and helpers that keep its risk
register through the HTTP API, as a client would."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bastion.evidence.models import Evidence
from tests.inventory.conftest import Inventory, app_runtime


@dataclass
class Register:
    """The risk register of one project, whose system ``credit`` has a model version."""

    inv: Inventory
    system: dict[str, Any]
    version: dict[str, Any]

    @property
    def client(self) -> TestClient:
        return self.inv.client

    def url(self, path: str = "") -> str:
        return self.inv.url(f"/risks{path}")

    def body(self, **fields: Any) -> dict[str, Any]:
        return {
            "system_id": self.system["id"],
            "title": "Unfair denials for young applicants",
            "category": "bias_fairness",
            "likelihood": 3,
            "impact": 4,
        } | fields

    def post(self, **fields: Any) -> httpx2.Response:
        return self.client.post(self.url(), json=self.body(**fields))

    def create(self, **fields: Any) -> dict[str, Any]:
        response = self.post(**fields)
        assert response.status_code == 201, response.text
        risk: dict[str, Any] = response.json()
        return risk

    def get(self, ref: str) -> dict[str, Any]:
        response = self.client.get(self.url(f"/{ref}"))
        assert response.status_code == 200, response.text
        risk: dict[str, Any] = response.json()
        return risk

    def patch(self, ref: str, **fields: Any) -> httpx2.Response:
        return self.client.patch(self.url(f"/{ref}"), json=fields)

    def listing(self, **params: Any) -> list[dict[str, Any]]:
        response = self.client.get(self.url(), params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def history(self, ref: str) -> list[dict[str, Any]]:
        response = self.client.get(self.url(f"/{ref}/history"))
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()
        return events

    def evidence(self, subject_id: str, verdict: str = "fail", **fields: Any) -> dict[str, Any]:
        body = {
            "kind": "assessment.fairness",
            "subject_type": "model_version",
            "subject_id": subject_id,
            "verdict": verdict,
            "summary": "demographic parity ratio 0.61 across age groups",
            "result": {"schema_version": 1, "demographic_parity_ratio": 0.61},
        } | fields
        response = self.client.post(self.inv.url("/evidence"), json=body)
        assert response.status_code == 201, response.text
        evidence: dict[str, Any] = response.json()
        return evidence

    def registers(self, system_id: str | None = None) -> list[Evidence]:
        """The ``risk.register`` evidence recorded about the system, oldest first."""
        with app_runtime(self.client).sessions() as session:
            return list(
                session.scalars(
                    select(Evidence)
                    .where(
                        Evidence.kind == "risk.register",
                        Evidence.subject_id == uuid.UUID(system_id or self.system["id"]),
                    )
                    .order_by(Evidence.created_at)
                )
            )


def make_register(inv: Inventory) -> Register:
    system = inv.new("systems", name="credit", owner="Credit risk team")
    model = inv.new("models", name="credit-model", system_id=system["id"])
    version = inv.new("model-versions", model_id=model["id"], version="3")
    return Register(inv=inv, system=system, version=version)


@pytest.fixture
def reg(client: TestClient) -> Register:
    return make_register(Inventory.create(client, "Credit scoring"))
