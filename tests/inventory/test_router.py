"""The inventory REST API as a client sees it: records, lists, uploads, documents, errors."""

import base64
import json
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from bastion.storage.base import utcnow
from tests.conftest import LiveServer
from tests.inventory.conftest import (
    ARTIFACT_KINDS,
    KINDS,
    NAME_FIELD,
    TEXT_FIELD,
    Inventory,
    app_runtime,
    assert_problem,
    issue_key,
    sha256,
    stored_files,
)

LIMIT = 1024 * 1024  # settings.max_upload_bytes in tests/conftest.py
NAMED_KINDS = ("systems", "models", "datasets", "deployments")
VERSION_KINDS = {"model-versions": "model_id", "dataset-versions": "dataset_id"}
SUBJECT_KINDS = {
    "ai_system": "systems",
    "model": "models",
    "model_version": "model-versions",
    "dataset": "datasets",
    "dataset_version": "dataset-versions",
    "deployment": "deployments",
}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def walk(inv: Inventory, kind: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list, following cursors; and the number of pages read."""
    items: list[dict[str, Any]] = []
    pages, cursor = 0, None
    while True:
        page = inv.list(kind, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 100, "the cursor never ends"


def subject_id(inv: Inventory, subject_type: str) -> str:
    if subject_type == "project":
        return str(inv.project["id"])
    return str(inv.new(SUBJECT_KINDS[subject_type])["id"])


# Projects ------------------------------------------------------------------------------


def test_project_round_trip_by_slug_and_id(client: TestClient) -> None:
    created = client.post(
        "/api/v1/projects",
        json={
            "name": "  Crédit Scoring \u2013 EU  ",
            "tags": ["eu"],
            "metadata": {"cost_centre": 7},
        },
    )
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["name"] == "Crédit Scoring \u2013 EU"
    assert project["slug"] == "credit-scoring-eu"
    assert project["tags"] == ["eu"]
    assert project["metadata"] == {"cost_centre": 7}

    assert client.get(f"/api/v1/projects/{project['slug']}").json() == project
    assert client.get(f"/api/v1/projects/{project['id']}").json() == project
    assert ids(client.get("/api/v1/projects").json()["items"]) == [project["id"]]

    patched = client.patch(f"/api/v1/projects/{project['slug']}", json={"description": "EU"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["description"] == "EU"
    assert patched.json()["name"] == project["name"]


def test_project_slug_that_looks_like_a_uuid_resolves(client: TestClient) -> None:
    slug = "0123456789abcdef0123456789abcdef"
    created = client.post("/api/v1/projects", json={"name": "hex", "slug": slug})
    assert created.status_code == 201, created.text
    response = client.get(f"/api/v1/projects/{slug}")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == created.json()["id"]


def test_duplicate_project_slug_conflicts(client: TestClient) -> None:
    assert client.post("/api/v1/projects", json={"name": "Credit scoring"}).status_code == 201
    again = client.post("/api/v1/projects", json={"name": "Credit  Scoring!"})
    assert_problem(again, 409, "slug")


@pytest.mark.parametrize("path", ["", *(f"/{kind}" for kind in KINDS), "/documents"])
def test_unknown_project_is_404(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(f"/api/v1/projects/no-such-project{path}"), 404)
    assert "no-such-project" in body["detail"]


# Create, read, update, list ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_record_round_trip(inv: Inventory, kind: str) -> None:
    labels = {"tags": ["pii", "eu", "pii"], "metadata": {"ticket": "GOV-1", "n": [1, 2]}}
    created = inv.new(kind, **labels)
    assert created["tags"] == ["pii", "eu"]
    assert created["metadata"] == labels["metadata"]
    assert created["project_id"] == inv.project["id"]

    assert inv.get(kind, created["id"]) == created
    assert inv.list(kind)["items"] == [created]


@pytest.mark.parametrize("kind", KINDS)
def test_patch_changes_only_the_given_fields(inv: Inventory, kind: str) -> None:
    text = TEXT_FIELD[kind]
    created = inv.new(kind, tags=["a"], metadata={"k": 1}, **{text: "before"})

    first = inv.patch(kind, created["id"], {text: "after"})
    assert first.status_code == 200, first.text
    second = inv.patch(kind, created["id"], {"tags": ["b"]})
    assert second.status_code == 200, second.text

    stored = inv.get(kind, created["id"])
    assert stored[text] == "after"
    assert stored["tags"] == ["b"]
    unchanged = {k: v for k, v in created.items() if k not in {text, "tags", "updated_at"}}
    assert {k: stored[k] for k in unchanged} == unchanged
    assert stored["updated_at"] >= created["updated_at"]


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        *((kind, "tags") for kind in KINDS),
        ("systems", "name"),
        ("systems", "lifecycle_stage"),
        ("models", "name"),
        ("model-versions", "stage"),
        ("datasets", "classification"),
        ("dataset-versions", "description"),
        ("deployments", "model_version_id"),
    ],
)
def test_null_for_a_required_field_is_rejected(inv: Inventory, kind: str, field: str) -> None:
    created = inv.new(kind)
    assert_problem(inv.patch(kind, created["id"], {field: None}), 422, field)
    assert inv.get(kind, created["id"]) == created


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("models", "system_id", "@systems"),
        ("dataset-versions", "row_count", 1000),
        ("dataset-versions", "classification", "restricted"),
        ("dataset-versions", "retention_until", "2030-01-31"),
    ],
)
def test_null_clears_a_nullable_field(inv: Inventory, kind: str, field: str, value: Any) -> None:
    if value == "@systems":
        value = inv.new("systems")["id"]
    created = inv.new(kind, **{field: value})
    assert created[field] == value
    response = inv.patch(kind, created["id"], {field: None})
    assert response.status_code == 200, response.text
    assert inv.get(kind, created["id"])[field] is None


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_record_is_404(inv: Inventory, kind: str) -> None:
    missing = str(uuid.uuid4())
    assert missing in assert_problem(inv.client.get(inv.url(f"/{kind}/{missing}")), 404)["detail"]
    assert_problem(inv.patch(kind, missing, {"tags": []}), 404)


@pytest.mark.parametrize("kind", KINDS)
def test_record_of_another_project_is_404(inv: Inventory, other: Inventory, kind: str) -> None:
    foreign = other.new(kind)
    assert_problem(inv.client.get(inv.url(f"/{kind}/{foreign['id']}")), 404)
    assert_problem(inv.patch(kind, foreign["id"], {"tags": ["x"]}), 404)
    assert other.get(kind, foreign["id"]) == foreign


@pytest.mark.parametrize("kind", [*KINDS, "documents"])
def test_bad_uuid_in_the_path_is_422(inv: Inventory, kind: str) -> None:
    body = assert_problem(inv.client.get(inv.url(f"/{kind}/not-a-uuid")), 422, "record_id")
    assert body["errors"][0]["in"] == "path"


# Uniqueness ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", NAMED_KINDS)
def test_duplicate_name_conflicts_within_a_project_only(
    inv: Inventory, other: Inventory, kind: str
) -> None:
    inv.new(kind, name="Scorer")
    body = assert_problem(inv.post(kind, inv.required(kind) | {"name": "Scorer"}), 409, "name")
    assert "Scorer" in body["detail"]
    assert [r["name"] for r in inv.list(kind)["items"]] == ["Scorer"]
    assert other.new(kind, name="Scorer")["name"] == "Scorer"


@pytest.mark.parametrize("kind", ["systems", "models", "datasets"])
def test_rename_onto_an_existing_name_conflicts(inv: Inventory, kind: str) -> None:
    inv.new(kind, name="Scorer")
    second = inv.new(kind, name="Scorer v2")
    assert_problem(inv.patch(kind, second["id"], {"name": "Scorer"}), 409, "name")
    assert inv.get(kind, second["id"])["name"] == "Scorer v2"
    # Renaming a record to its own name is not a conflict.
    assert inv.patch(kind, second["id"], {"name": "Scorer v2"}).status_code == 200


@pytest.mark.parametrize(("kind", "parent_field"), VERSION_KINDS.items())
def test_duplicate_version_of_the_same_parent_conflicts(
    inv: Inventory, kind: str, parent_field: str
) -> None:
    first = inv.new(kind, version="1.0.0")
    same_parent = {parent_field: first[parent_field], "version": "1.0.0"}
    assert_problem(inv.post(kind, same_parent), 409, "version")
    assert inv.new(kind, version="1.0.0")[parent_field] != first[parent_field]


# Invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("systems", {"lifecycle_stage": "launched"}, "lifecycle_stage"),
        ("systems", {"name": "x" * 201}, "name"),
        ("systems", {"name": "   "}, "name"),
        ("systems", {"colour": "red"}, "colour"),
        ("systems", {"tags": ["has space"]}, "tags[0]"),
        ("models", {"system_id": "not-a-uuid"}, "system_id"),
        ("model-versions", {"task_type": "magic"}, "task_type"),
        ("model-versions", {"artifact_digest": "ABC"}, "artifact_digest"),
        ("model-versions", {"version": "1 0"}, "version"),
        (
            "model-versions",
            {"datasets": [{"dataset_version_id": str(uuid.uuid4())}]},
            "datasets[0].role",
        ),
        ("datasets", {"classification": "secret"}, "classification"),
        ("dataset-versions", {"row_count": -1}, "row_count"),
        ("dataset-versions", {"retention_until": "someday"}, "retention_until"),
        ("deployments", {"status": "running"}, "status"),
    ],
)
def test_invalid_field_is_422_naming_it(
    inv: Inventory, kind: str, change: dict[str, Any], field: str
) -> None:
    body = assert_problem(inv.post(kind, inv.required(kind) | change), 422, field)
    assert body["errors"][0]["in"] == "body"
    assert inv.list(kind)["items"] == []


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("systems", {"actor_role": "vendor"}, "actor_role"),
        ("datasets", {"owner": "x" * 201}, "owner"),
        ("deployments", {"name": "renamed"}, "name"),
        ("model-versions", {"version": "2"}, "version"),
    ],
)
def test_invalid_patch_is_422_and_changes_nothing(
    inv: Inventory, kind: str, change: dict[str, Any], field: str
) -> None:
    created = inv.new(kind)
    assert_problem(inv.patch(kind, created["id"], change), 422, field)
    assert inv.get(kind, created["id"]) == created


# Filters -------------------------------------------------------------------------------


def test_tag_filter_matches_all_given_tags(inv: Inventory) -> None:
    both = inv.new("systems", tags=["eu", "pii"])
    eu = inv.new("systems", tags=["eu"])
    inv.new("systems", tags=["pii", "us"])
    inv.new("systems")

    assert ids(inv.list("systems", tag=["eu", "pii"])["items"]) == [both["id"]]
    assert set(ids(inv.list("systems", tag="eu")["items"])) == {both["id"], eu["id"]}
    assert inv.list("systems", tag=["eu", "us"])["items"] == []
    # A tag is a whole value, not a substring.
    assert inv.list("systems", tag="e")["items"] == []


def test_q_is_a_case_insensitive_substring(inv: Inventory) -> None:
    credit = inv.new("systems", name="Credit Scoring")
    inv.new("systems", name="Fraud alerts")
    percent = inv.new("systems", name="Top 5% risk")
    inv.new("systems", name="Top 50 risk")

    assert ids(inv.list("systems", q="SCORING")["items"]) == [credit["id"]]
    assert ids(inv.list("systems", q="5%")["items"]) == [percent["id"]]
    assert inv.list("systems", q="nothing")["items"] == []


@pytest.mark.parametrize(
    ("kind", "field", "wanted", "unwanted"),
    [
        ("systems", "lifecycle_stage", "design", "deployed"),
        ("systems", "actor_role", "provider", "importer"),
        ("systems", "owner", "Ana", "Bo"),
        ("models", "system_id", "@systems", "@systems"),
        ("models", "owner", "Ana", "Bo"),
        ("model-versions", "model_id", "@models", "@models"),
        ("model-versions", "task_type", "regression", "ranking"),
        ("datasets", "classification", "public", "restricted"),
        ("datasets", "owner", "Ana", "Bo"),
        ("dataset-versions", "dataset_id", "@datasets", "@datasets"),
        ("dataset-versions", "classification", "confidential", "public"),
        ("deployments", "model_version_id", "@model-versions", "@model-versions"),
        ("deployments", "environment", "prod", "staging"),
        ("deployments", "status", "inactive", "active"),
    ],
)
def test_equality_filter(inv: Inventory, kind: str, field: str, wanted: str, unwanted: str) -> None:
    def value(spec: str) -> str:
        return str(inv.new(spec[1:])["id"]) if spec.startswith("@") else spec

    match = inv.new(kind, **{field: value(wanted)})
    inv.new(kind, **{field: value(unwanted)})
    assert ids(inv.list(kind, **{field: match[field]})["items"]) == [match["id"]]


# The stage machine itself, apart from release gates (tests/gates): an admin breaks the
# glass on every move.
STRUCTURAL = "A test of the stage machine itself, not of a release."


def move(inv: Inventory, version_id: str, stage: str) -> Any:
    return inv.client.post(
        inv.url(f"/model-versions/{version_id}/stage"),
        json={"stage": stage, "break_glass": STRUCTURAL},
    )


def test_stage_and_risk_tier_filters(inv: Inventory) -> None:
    staged = inv.new("model-versions")
    inv.new("model-versions")
    assert move(inv, staged["id"], "staging").status_code == 200
    assert ids(inv.list("model-versions", stage="staging")["items"]) == [staged["id"]]

    system = inv.new("systems")
    assert ids(inv.list("systems", risk_tier="unclassified")["items"]) == [system["id"]]
    assert inv.list("systems", risk_tier="high")["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"lifecycle_stage": "launched"}, "lifecycle_stage"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"tag": "has space"}, "tag[0]"),
        ({"sort": "purpose"}, "sort"),
    ],
)
def test_bad_list_parameters_are_422(inv: Inventory, params: dict[str, Any], field: str) -> None:
    assert_problem(inv.client.get(inv.url("/systems"), params=params), 422, field)


# Sorting and pages ---------------------------------------------------------------------


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("kind", KINDS)
def test_pages_by_name_have_no_gaps_or_duplicates(
    inv: Inventory, kind: str, descending: bool
) -> None:
    key = NAME_FIELD[kind]
    made = [inv.new(kind, **{key: f"r{(i * 5) % 7}"}) for i in range(7)]
    sort = f"-{key}" if descending else key

    items, pages = walk(inv, kind, sort=sort, limit=3)

    expected = sorted(made, key=lambda r: r[key], reverse=descending)
    assert ids(items) == ids(expected)
    assert pages == 3


def test_pages_by_newest_first(inv: Inventory) -> None:
    made = [inv.new("datasets") for _ in range(5)]
    items, pages = walk(inv, "datasets", sort="-created_at", limit=2)

    def newest_first(record: dict[str, Any]) -> tuple[datetime, uuid.UUID]:
        return datetime.fromisoformat(record["created_at"]), uuid.UUID(record["id"])

    assert ids(items) == ids(sorted(made, key=newest_first, reverse=True))
    assert pages == 3
    # The default order is the same.
    assert ids(walk(inv, "datasets", limit=2)[0]) == ids(items)


def test_a_record_added_between_pages_does_not_shift_them(inv: Inventory) -> None:
    made = [inv.new("systems", name=f"s{i}") for i in range(6)]
    first = inv.list("systems", sort="name", limit=3)
    inv.new("systems", name="a-first")  # sorts before the pages already read
    second = inv.list("systems", sort="name", limit=3, cursor=first["next_cursor"])
    assert ids(first["items"] + second["items"]) == ids(made)


def test_cursor_of_another_sort_is_422(inv: Inventory) -> None:
    for _ in range(3):
        inv.new("systems")
    cursor = inv.list("systems", sort="name", limit=1)["next_cursor"]
    response = inv.client.get(inv.url("/systems"), params={"sort": "-name", "cursor": cursor})
    assert "sort" in assert_problem(response, 422, "cursor")["detail"]


def _cursor(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%",
        _cursor([1, 2]),
        _cursor({"s": "-created_at", "v": "2026-01-01T00:00:00+00:00"}),
        _cursor({"s": "-created_at", "v": "2026-01-01T00:00:00+00:00", "id": "nope"}),
        pytest.param(
            _cursor({"s": "-created_at", "v": "yesterday", "id": str(uuid.uuid4())}),
            id="bad-timestamp",
        ),
        pytest.param(
            _cursor({"s": "-created_at", "v": "2026-01-01T00:00:00+00:00", "id": 7}),
            id="numeric-id",
        ),
    ],
)
def test_malformed_cursor_is_422(inv: Inventory, cursor: str) -> None:
    inv.new("systems")
    assert_problem(inv.client.get(inv.url("/systems"), params={"cursor": cursor}), 422, "cursor")


# Model versions: stages and data -------------------------------------------------------


@pytest.mark.parametrize(
    "moves",
    [
        ["staging", "production", "retired"],
        ["staging", "development", "staging", "retired"],
        ["retired"],
    ],
)
def test_allowed_stage_moves(inv: Inventory, moves: list[str]) -> None:
    version = inv.new("model-versions")
    assert version["stage"] == "development"
    for stage in moves:
        response = move(inv, version["id"], stage)
        assert response.status_code == 200, response.text
        assert response.json()["stage"] == stage
        assert inv.get("model-versions", version["id"])["stage"] == stage


@pytest.mark.parametrize(
    ("path", "target", "allowed"),
    [
        (["staging", "production"], "staging", "allowed: retired"),
        (["staging", "production"], "development", "allowed: retired"),
        (["retired"], "development", "final"),
        (["staging", "retired"], "production", "final"),
        ([], "production", "allowed: retired, staging"),
        ([], "development", "already in development"),
    ],
)
def test_forbidden_stage_moves_are_409(
    inv: Inventory, path: list[str], target: str, allowed: str
) -> None:
    version = inv.new("model-versions")
    for stage in path:
        assert move(inv, version["id"], stage).status_code == 200
    before = inv.get("model-versions", version["id"])

    body = assert_problem(move(inv, version["id"], target), 409)
    assert body["field"] == "stage"
    assert allowed in body["detail"]
    assert inv.get("model-versions", version["id"]) == before


def test_patch_does_not_change_the_stage(inv: Inventory) -> None:
    version = inv.new("model-versions")
    body = assert_problem(inv.patch("model-versions", version["id"], {"stage": "production"}), 422)
    assert body["field"] == "stage"
    assert "release gate" in body["detail"]
    # Naming the current stage is no change, and other fields still update.
    same = inv.patch("model-versions", version["id"], {"stage": "development", "description": "x"})
    assert same.status_code == 200, same.text


def test_dataset_links_of_a_model_version(inv: Inventory, other: Inventory) -> None:
    train, test = inv.new("dataset-versions"), inv.new("dataset-versions")
    links = [
        {"dataset_version_id": train["id"], "role": "training"},
        {"dataset_version_id": test["id"], "role": "evaluation"},
    ]
    version = inv.new("model-versions", datasets=[*links, links[0]])
    assert sorted(version["datasets"], key=lambda d: d["role"]) == sorted(
        links, key=lambda d: d["role"]
    )

    # The same links again, then a replacement.
    assert inv.patch("model-versions", version["id"], {"datasets": links}).status_code == 200
    replaced = [{"dataset_version_id": test["id"], "role": "training"}]
    response = inv.patch("model-versions", version["id"], {"datasets": replaced})
    assert response.status_code == 200, response.text
    assert inv.get("model-versions", version["id"])["datasets"] == replaced

    # Unknown and foreign dataset versions are the body's fault and change nothing.
    for bad in (str(uuid.uuid4()), other.new("dataset-versions")["id"]):
        wrong = [{"dataset_version_id": bad, "role": "evaluation"}]
        assert_problem(inv.patch("model-versions", version["id"], {"datasets": wrong}), 422)
        body = inv.required("model-versions") | {"datasets": wrong}
        assert bad in assert_problem(inv.post("model-versions", body), 422, "datasets")["detail"]
    assert inv.get("model-versions", version["id"])["datasets"] == replaced


# Cross-project references --------------------------------------------------------------

REFERENCES = [
    ("models", "system_id", "systems"),
    ("model-versions", "model_id", "models"),
    ("dataset-versions", "dataset_id", "datasets"),
    ("deployments", "model_version_id", "model-versions"),
]


@pytest.mark.parametrize("source", ["another project", "nowhere"])
@pytest.mark.parametrize(("kind", "field", "target"), REFERENCES)
def test_reference_outside_the_project_is_422(
    inv: Inventory, other: Inventory, kind: str, field: str, target: str, source: str
) -> None:
    foreign = other.new(target)["id"] if source == "another project" else str(uuid.uuid4())
    assert_problem(inv.post(kind, inv.required(kind) | {field: foreign}), 422, field)
    assert inv.list(kind)["items"] == []


@pytest.mark.parametrize(("kind", "field", "target"), [REFERENCES[0], REFERENCES[3]])
def test_patching_in_a_foreign_reference_is_422(
    inv: Inventory, other: Inventory, kind: str, field: str, target: str
) -> None:
    created = inv.new(kind)
    foreign = other.new(target)["id"]
    assert_problem(inv.patch(kind, created["id"], {field: foreign}), 422, field)
    assert inv.get(kind, created["id"]) == created


def test_deployment_moves_to_another_version(inv: Inventory) -> None:
    deployment = inv.new("deployments", environment="prod", endpoint_url="https://x.test/v1")
    assert deployment["status"] == "active"
    newer = inv.new("model-versions")
    response = inv.patch(
        "deployments", deployment["id"], {"model_version_id": newer["id"], "status": "inactive"}
    )
    assert response.status_code == 200, response.text
    stored = inv.get("deployments", deployment["id"])
    assert (stored["model_version_id"], stored["status"]) == (newer["id"], "inactive")
    assert (stored["environment"], stored["endpoint_url"]) == ("prod", "https://x.test/v1")


# Artifacts -----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "digest_field"), ARTIFACT_KINDS.items())
def test_artifact_round_trip(inv: Inventory, kind: str, digest_field: str) -> None:
    content = bytes(range(256)) * 3000  # several chunks of the store
    version = inv.new(kind)
    assert_problem(inv.client.get(inv.url(f"/{kind}/{version['id']}/artifact")), 404)

    response = inv.upload(kind, version["id"], content, filename="scorer v2.onnx")
    assert response.status_code == 200, response.text
    uploaded = response.json()
    assert uploaded[digest_field] == sha256(content)
    assert uploaded["artifact_size"] == len(content)
    assert uploaded["artifact_filename"] == "scorer v2.onnx"
    assert inv.get(kind, version["id"]) == uploaded

    download = inv.client.get(inv.url(f"/{kind}/{version['id']}/artifact"))
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["x-content-sha256"] == sha256(content)
    assert download.headers["content-disposition"].endswith("''scorer%20v2.onnx")
    files = stored_files(inv.settings)
    assert [f.name for f in files] == [sha256(content)]


@pytest.mark.parametrize("kind", ARTIFACT_KINDS)
def test_second_upload_conflicts_and_keeps_the_first(inv: Inventory, kind: str) -> None:
    version = inv.new(kind)
    assert inv.upload(kind, version["id"], b"first").status_code == 200
    before = inv.get(kind, version["id"])

    assert_problem(inv.upload(kind, version["id"], b"second"), 409)
    assert inv.get(kind, version["id"]) == before
    assert inv.client.get(inv.url(f"/{kind}/{version['id']}/artifact")).content == b"first"
    assert [f.name for f in stored_files(inv.settings)] == [sha256(b"first")]


@pytest.mark.parametrize(("kind", "digest_field"), ARTIFACT_KINDS.items())
def test_upload_must_match_the_declared_digest(
    inv: Inventory, kind: str, digest_field: str
) -> None:
    version = inv.new(kind, **{digest_field: sha256(b"the real model")})

    body = assert_problem(inv.upload(kind, version["id"], b"something else"), 409)
    assert sha256(b"something else") in body["detail"]
    assert stored_files(inv.settings) == []
    assert inv.get(kind, version["id"]) == version

    assert inv.upload(kind, version["id"], b"the real model").status_code == 200


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    while total > 0:
        yield b"x" * min(size, total)
        total -= size


UPLOAD_TARGETS = [*ARTIFACT_KINDS, "documents"]


def _send(inv: Inventory, target: str, content: Any) -> tuple[Any, Any, Any]:
    """Upload to a target: the response, what it uploaded to before, and what it is now."""

    def state() -> dict[str, Any]:
        if target == "documents":
            return inv.list("documents")
        return inv.get(target, version["id"])

    version = {} if target == "documents" else inv.new(target)
    before = state()
    if target == "documents":
        return inv.attach("project", inv.project["id"], content), before, state()
    return inv.upload(target, version["id"], content), before, state()


@pytest.mark.parametrize("target", UPLOAD_TARGETS)
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_upload_over_the_limit_is_413_and_leaves_nothing(
    inv: Inventory, target: str, framing: str
) -> None:
    content: Any = b"x" * (LIMIT + 1) if framing == "content-length" else _chunks(LIMIT + 1)
    response, before, after = _send(inv, target, content)
    if framing == "chunked":
        assert "content-length" not in response.request.headers
    body = assert_problem(response, 413)
    assert body["limit"] == LIMIT
    assert stored_files(inv.settings) == []
    assert after == before


@pytest.mark.parametrize("target", UPLOAD_TARGETS)
def test_upload_of_exactly_the_limit_is_accepted(inv: Inventory, target: str) -> None:
    response, before, after = _send(inv, target, b"y" * LIMIT)
    assert response.status_code in (200, 201), response.text
    assert after != before
    assert [f.name for f in stored_files(inv.settings)] == [sha256(b"y" * LIMIT)]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\model.pkl", "model.pkl"),
        ("a\x01b.bin", "a_b.bin"),
        ("  spaced.bin  ", "spaced.bin"),
    ],
)
def test_filename_is_cleaned(inv: Inventory, given: str, kept: str) -> None:
    version = inv.new("model-versions")
    response = inv.upload("model-versions", version["id"], b"m", filename=given)
    assert response.status_code == 200, response.text
    assert response.json()["artifact_filename"] == kept
    download = inv.client.get(inv.url(f"/model-versions/{version['id']}/artifact"))
    assert download.headers["content-disposition"] == f"attachment; filename*=UTF-8''{kept}"


@pytest.mark.parametrize("filename", ["..", "dir/", "\\"])
def test_filename_without_a_file_name_is_422(inv: Inventory, filename: str) -> None:
    version = inv.new("model-versions")
    assert_problem(inv.upload("model-versions", version["id"], b"m", filename=filename), 422)
    assert stored_files(inv.settings) == []


@pytest.mark.parametrize("kind", ARTIFACT_KINDS)
def test_interrupted_upload_leaves_no_record_and_no_blob(
    live_server: LiveServer, kind: str
) -> None:
    headers = {"Authorization": f"Bearer {live_server.admin_key}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=10) as api:
        assert api.post("/api/v1/projects", json={"name": "p"}).status_code == 201
        inv = Inventory(client=api, slug="p")  # type: ignore[arg-type]
        version = inv.new(kind)

        parts = urlsplit(live_server.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(
                (
                    f"PUT /api/v1/projects/p/{kind}/{version['id']}/artifact?filename=x.bin "
                    f"HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer "
                    f"{live_server.admin_key}\r\nContent-Length: 100000\r\n\r\n"
                ).encode()
                + b"x" * 30000
            )
            # Wait until the server has started writing the upload to a temporary file.
            deadline = time.monotonic() + 10
            while not stored_files(live_server.settings):
                assert time.monotonic() < deadline, "the upload never reached the store"
                time.sleep(0.02)

        deadline = time.monotonic() + 10
        while stored_files(live_server.settings):
            assert time.monotonic() < deadline, stored_files(live_server.settings)
            time.sleep(0.05)
        assert inv.get(kind, version["id"]) == version


# Documents -----------------------------------------------------------------------------


@pytest.mark.parametrize("subject_type", ["project", *SUBJECT_KINDS])
def test_document_round_trip(inv: Inventory, subject_type: str) -> None:
    subject = subject_id(inv, subject_type)
    content = b"%PDF-1.7\n" + bytes(range(256)) * 10
    response = inv.attach(
        subject_type,
        subject,
        content,
        media_type="application/pdf",
        filename="DPIA 2026 (signed) é.pdf",
        kind="dpia",
    )
    assert response.status_code == 201, response.text
    document = response.json()
    assert (document["subject_type"], document["subject_id"]) == (subject_type, subject)
    assert (document["kind"], document["title"]) == ("dpia", "DPIA")
    assert (document["size"], document["digest"]) == (len(content), sha256(content))
    assert inv.client.get(inv.url(f"/documents/{document['id']}")).json() == document
    listed = inv.list("documents", subject_type=subject_type, subject_id=subject)
    assert listed["items"] == [document]

    download = inv.client.get(inv.url(f"/documents/{document['id']}/content"))
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "application/pdf"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert unquote(disposition.split("''", 1)[1]) == "DPIA 2026 (signed) é.pdf"


@pytest.mark.parametrize("where", ["nowhere", "another project", "wrong type"])
def test_document_for_a_subject_outside_the_project_is_422(
    inv: Inventory, other: Inventory, where: str
) -> None:
    subject_type, subject = "model", str(uuid.uuid4())
    if where == "another project":
        subject = other.new("models")["id"]
    elif where == "wrong type":
        subject = inv.new("datasets")["id"]
    assert_problem(inv.attach(subject_type, subject), 422, "subject_id")
    assert inv.list("documents")["items"] == []
    assert stored_files(inv.settings) == []


def test_documents_are_filtered_and_patched(inv: Inventory) -> None:
    system = inv.new("systems")
    dpia = inv.attach("ai_system", system["id"], kind="dpia", title="DPIA").json()
    contract = inv.attach(
        "project",
        inv.project["id"],
        b"terms",
        media_type="text/plain",
        kind="contract",
        title="Vendor contract",
    ).json()

    assert ids(inv.list("documents", kind="contract")["items"]) == [contract["id"]]
    assert ids(inv.list("documents", subject_type="ai_system")["items"]) == [dpia["id"]]
    assert ids(inv.list("documents", q="dpi")["items"]) == [dpia["id"]]
    assert ids(inv.list("documents", sort="title")["items"]) == ids([dpia, contract])

    response = inv.client.patch(inv.url(f"/documents/{dpia['id']}"), json={"title": "DPIA v2"})
    assert response.status_code == 200, response.text
    assert response.json() == dpia | {
        "title": "DPIA v2",
        "updated_at": response.json()["updated_at"],
    }
    assert_problem(inv.client.patch(inv.url(f"/documents/{dpia['id']}"), json={"kind": None}), 422)
    content = inv.client.get(inv.url(f"/documents/{contract['id']}/content"))
    assert content.headers["content-type"].startswith("text/plain")
    assert content.text == "terms"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject_type": "invoice"}, "subject_type"),
        ({"subject_id": "x"}, "subject_id"),
        ({"title": ""}, "title"),
        ({"filename": ""}, "filename"),
    ],
)
def test_document_with_bad_parameters_is_422(
    inv: Inventory, change: dict[str, str], field: str
) -> None:
    body = assert_problem(inv.attach("project", inv.project["id"], **change), 422, field)
    assert body["errors"][0]["in"] == "query"
    assert stored_files(inv.settings) == []


# Credentials and access ----------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer bst_00000000_wrong", "Bearer nonsense", "Basic YWRtaW46YWRtaW4="],
)
def test_missing_or_wrong_credential_is_401(
    inv: Inventory, anonymous: TestClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = anonymous.get(inv.url("/systems"), headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "state", [{"revoked": True}, {"expires_at": utcnow() - timedelta(seconds=1)}]
)
def test_revoked_or_expired_key_is_401(inv: Inventory, state: dict[str, Any]) -> None:
    secret = issue_key(app_runtime(inv.client), is_admin=True, **state)
    response = inv.client.get(inv.url(), headers={"Authorization": f"Bearer {secret}"})
    assert assert_problem(response, 401)["detail"] == "invalid or expired API key"
    assert response.headers["www-authenticate"] == "Bearer"


def test_key_that_has_not_expired_yet_works(inv: Inventory) -> None:
    secret = issue_key(
        app_runtime(inv.client), is_admin=True, expires_at=utcnow() + timedelta(hours=1)
    )
    response = inv.client.get(inv.url(), headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.text


def test_key_without_a_role_sees_no_project(inv: Inventory) -> None:
    inv.new("systems")
    secret = issue_key(app_runtime(inv.client))
    headers = {"Authorization": f"Bearer {secret}"}
    client = inv.client

    for path in ("", "/systems", "/documents"):
        denied = assert_problem(client.get(inv.url(path), headers=headers), 404)
        unknown = assert_problem(client.get(f"/api/v1/projects/nope{path}", headers=headers), 404)
        assert denied["title"] == unknown["title"]
    assert_problem(client.post(inv.url("/systems"), json={"name": "x"}, headers=headers), 404)
    assert client.get("/api/v1/projects", headers=headers).json() == {
        "items": [],
        "next_cursor": None,
    }
    assert_problem(client.post("/api/v1/projects", json={"name": "x"}, headers=headers), 403)
    assert len(inv.list("systems")["items"]) == 1


# OpenAPI -------------------------------------------------------------------------------


def test_operation_ids_are_stable_and_unique(anonymous: TestClient) -> None:
    document = anonymous.get("/api/v1/openapi.json").json()
    operations = [
        (path, method, operation["operationId"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    operation_ids = [operation_id for _, _, operation_id in operations]
    assert len(set(operation_ids)) == len(operation_ids)
    by_id = {operation_id: (path, method) for path, method, operation_id in operations}
    project = "/api/v1/projects/{project}"
    assert by_id["list_projects"] == ("/api/v1/projects", "get")
    assert by_id["create_system"] == (f"{project}/systems", "post")
    assert by_id["update_model_version"] == (f"{project}/model-versions/{{record_id}}", "patch")
    assert by_id["list_dataset_versions"] == (f"{project}/dataset-versions", "get")
    assert by_id["upload_model_artifact"] == (
        f"{project}/model-versions/{{record_id}}/artifact",
        "put",
    )
    assert by_id["download_document"] == (f"{project}/documents/{{record_id}}/content", "get")
    assert by_id["get_lineage"] == (f"{project}/lineage", "get")


@pytest.mark.parametrize(("kind", "field"), [("systems", "name"), ("datasets", "name")])
def test_exact_name_filter_is_not_a_substring_match(inv: Inventory, kind: str, field: str) -> None:
    inv.new(kind, **{field: "scoring"})
    inv.new(kind, **{field: "scoring-v2"})
    exact = inv.list(kind, **{field: "scoring"})["items"]
    assert [r[field] for r in exact] == ["scoring"]
    assert len(inv.list(kind, q="scoring")["items"]) == 2
