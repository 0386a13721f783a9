"""A project with an AI system and a model version, and a helper that handles its
incidents through the HTTP API, as a client would."""

from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from tests.inventory.conftest import Inventory


@dataclass
class Desk:
    """The incidents of one project, whose system ``credit`` has a model version."""

    inv: Inventory
    system: dict[str, Any]
    version: dict[str, Any]

    @property
    def client(self) -> TestClient:
        return self.inv.client

    def url(self, path: str = "") -> str:
        return self.inv.url(f"/incidents{path}")

    def report(self, headers: dict[str, str] | None = None, **fields: Any) -> httpx2.Response:
        body = {
            "system_id": self.system["id"],
            "title": "Complaints about denials for young applicants",
            "severity": "high",
            "risk_category": "bias_fairness",
        } | fields
        return self.client.post(self.url(), json=body, headers=headers)

    def reported(self, **fields: Any) -> dict[str, Any]:
        response = self.report(**fields)
        assert response.status_code == 201, response.text
        incident: dict[str, Any] = response.json()
        return incident

    def get(self, ref: str) -> dict[str, Any]:
        response = self.client.get(self.url(f"/{ref}"))
        assert response.status_code == 200, response.text
        incident: dict[str, Any] = response.json()
        return incident

    def patch(self, ref: str, **fields: Any) -> httpx2.Response:
        return self.client.patch(self.url(f"/{ref}"), json=fields)

    def note(self, ref: str, note: str) -> httpx2.Response:
        return self.client.post(self.url(f"/{ref}/notes"), json={"note": note})

    def close(self, ref: str, resolution: str = "retrained; complaints stopped") -> httpx2.Response:
        return self.client.post(self.url(f"/{ref}/close"), json={"resolution": resolution})

    def listing(self, **params: Any) -> list[str]:
        response = self.client.get(self.url(), params=params)
        assert response.status_code == 200, response.text
        return [i["ref"] for i in response.json()["items"]]


def make_desk(inv: Inventory) -> Desk:
    system = inv.new("systems", name="credit", owner="Credit risk team")
    model = inv.new("models", name="credit-model", system_id=system["id"])
    version = inv.new("model-versions", model_id=model["id"], version="1.4.0")
    return Desk(inv=inv, system=system, version=version)


@pytest.fixture
def desk(client: TestClient) -> Desk:
    return make_desk(Inventory.create(client, "Credit scoring"))
