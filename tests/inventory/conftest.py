"""Factories for inventory records, made through the HTTP API as a user would make them."""

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from bastion.iam import service as iam_service
from bastion.ledger import service as ledger_service
from bastion.runtime import Runtime
from bastion.settings import Settings
from bastion.storage.base import utcnow
from bastion.storage.database import transaction

PROBLEM = "application/problem+json"

# Every kind of project record with its create/get/update/list routes.
KINDS = ("systems", "models", "model-versions", "datasets", "dataset-versions", "deployments")
# The field that names a record in its project (or, for versions, in its parent).
NAME_FIELD = dict.fromkeys(KINDS, "name") | {
    "model-versions": "version",
    "dataset-versions": "version",
}
# A free-text field each kind can change with PATCH.
TEXT_FIELD = dict.fromkeys(KINDS, "description") | {
    "systems": "purpose",
    "deployments": "environment",
}
# Kinds that carry an uploadable artifact, and the field that holds its digest.
ARTIFACT_KINDS = {"model-versions": "artifact_digest", "dataset-versions": "content_digest"}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def assert_problem(response: httpx2.Response, status: int, field: str | None = None) -> dict:
    """The response is an RFC 9457 problem with this status, naming ``field`` if given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    if field is not None:
        assert field in body["detail"], body
        named = {body.get("field")} | {e["field"] for e in body.get("errors", [])}
        assert field in named, body
    return body


def stored_files(settings: Settings) -> list[Path]:
    """Every file in the artifact store: published blobs and leftover temporary files."""
    return sorted(p for p in settings.artifact_dir.rglob("*") if p.is_file())


def issue_key(
    runtime: Runtime,
    *,
    is_admin: bool = False,
    expires_at: datetime | None = None,
    revoked: bool = False,
) -> str:
    """A new service account's API key, stored directly through the IAM service."""
    with transaction(runtime.sessions) as session:
        ledger_service.bind(session, ledger_service.SYSTEM)
        account = iam_service.create_user(
            session=session, kind="service_account", display_name="test", is_admin=is_admin
        )
        issued = iam_service.create_api_key(
            session=session, principal_id=account.id, name="test key"
        )
        # Set afterwards: the service refuses an expiry in the past.
        issued.key.expires_at = expires_at
        if revoked:
            issued.key.revoked_at = utcnow()
    return issued.secret


def app_runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


_names = itertools.count(1)


@dataclass
class Inventory:
    """Makes records in one project through the API; every helper checks its status."""

    client: TestClient
    slug: str
    project: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, client: TestClient, name: str) -> "Inventory":
        response = client.post("/api/v1/projects", json={"name": name})
        assert response.status_code == 201, response.text
        project = response.json()
        return cls(client=client, slug=project["slug"], project=project)

    @property
    def settings(self) -> Settings:
        return app_runtime(self.client).settings

    def url(self, path: str = "") -> str:
        return f"/api/v1/projects/{self.slug}{path}"

    def post(self, kind: str, body: dict[str, Any]) -> httpx2.Response:
        return self.client.post(self.url(f"/{kind}"), json=body)

    def get(self, kind: str, record_id: str) -> dict[str, Any]:
        response = self.client.get(self.url(f"/{kind}/{record_id}"))
        assert response.status_code == 200, response.text
        return response.json()

    def patch(self, kind: str, record_id: str, body: dict[str, Any]) -> httpx2.Response:
        return self.client.patch(self.url(f"/{kind}/{record_id}"), json=body)

    def list(self, kind: str, /, **params: Any) -> dict[str, Any]:
        response = self.client.get(self.url(f"/{kind}"), params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def required(self, kind: str) -> dict[str, Any]:
        """The smallest valid body for a kind, making the parents it needs."""
        name = f"{kind}-{next(_names)}"
        if kind == "model-versions":
            return {"model_id": self.new("models")["id"], "version": name}
        if kind == "dataset-versions":
            return {"dataset_id": self.new("datasets")["id"], "version": name}
        if kind == "deployments":
            return {"model_version_id": self.new("model-versions")["id"], "name": name}
        return {"name": name}

    def new(self, kind: str, **fields: Any) -> dict[str, Any]:
        response = self.post(kind, self.required(kind) | fields)
        assert response.status_code == 201, response.text
        return response.json()

    def upload(
        self, kind: str, record_id: str, content: Any, filename: str = "file.bin", **kw: Any
    ) -> httpx2.Response:
        return self.client.put(
            self.url(f"/{kind}/{record_id}/artifact"),
            params={"filename": filename},
            content=content,
            **kw,
        )

    def attach(
        self,
        subject_type: str,
        subject_id: str,
        content: Any = b"%PDF-1.7 signed DPIA",
        /,
        *,
        media_type: str = "application/pdf",
        **params: Any,
    ) -> httpx2.Response:
        query = {
            "subject_type": subject_type,
            "subject_id": subject_id,
            "title": "DPIA",
            "filename": "dpia.pdf",
        } | params
        return self.client.post(
            self.url("/documents"),
            params=query,
            content=content,
            headers={"Content-Type": media_type},
        )


@pytest.fixture
def inv(client: TestClient) -> Inventory:
    """A project named "Credit scoring" to put records in."""
    return Inventory.create(client, "Credit scoring")


@pytest.fixture
def other(client: TestClient) -> Inventory:
    """A second project, for cross-project checks."""
    return Inventory.create(client, "Fraud detection")
