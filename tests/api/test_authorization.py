"""Every route of the OpenAPI document, walked with every role, an admin, a principal with
no role in the project, and no credential; the expected answers come from the permission
matrix of docs/security.md, written out here by hand (not read from the code under test).

A route missing from the table fails the walk, so that no route can be added unprotected.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bastion.ledger.models import LedgerEntry
from tests.conftest import Issued, PrincipalFactory
from tests.inventory.conftest import Inventory, app_runtime, assert_problem

ROLES = ("owner", "data_scientist", "risk_officer", "auditor", "viewer", "service")
EVERY_ROLE = frozenset(ROLES)

# The permission matrix of docs/security.md: which project roles hold each permission.
# Admins hold every permission.
MATRIX: dict[str, frozenset[str]] = {
    "project.read": EVERY_ROLE,
    "project.update": frozenset({"owner"}),
    "inventory.read": EVERY_ROLE,
    "inventory.write": frozenset({"owner", "data_scientist"}),
    "artifact.download": frozenset(
        {"owner", "data_scientist", "risk_officer", "auditor", "service"}
    ),
    "data.download": frozenset({"owner", "data_scientist", "risk_officer", "auditor"}),
    "document.download": frozenset({"owner", "data_scientist", "risk_officer", "auditor"}),
    "document.write": frozenset({"owner", "data_scientist", "risk_officer"}),
    "assessment.run": frozenset({"owner", "data_scientist", "risk_officer"}),
    "dp.query": frozenset({"owner", "data_scientist", "risk_officer"}),
    "dp.budget": frozenset({"owner", "risk_officer"}),
    "risk.write": frozenset({"owner", "data_scientist", "risk_officer"}),
    "incident.write": frozenset({"owner", "data_scientist", "risk_officer"}),
    "monitoring.read": EVERY_ROLE,
    "monitoring.write": frozenset({"owner", "data_scientist", "risk_officer"}),
    "monitoring.log": frozenset({"owner", "data_scientist", "service"}),
    "compliance.write": frozenset({"owner", "risk_officer"}),
    "evidence.export": frozenset({"owner", "risk_officer", "auditor"}),
    "promotion.approve": frozenset({"owner", "data_scientist", "risk_officer"}),
    "policy.manage": frozenset({"owner", "risk_officer"}),
    "audit.read": frozenset({"owner", "auditor"}),
    "members.read": frozenset({"owner", "risk_officer", "auditor"}),
    "members.manage": frozenset({"owner"}),
}

# Organization routes: "admin" (admins only), "any" (every principal), "public" (no
# credential needed), "own" (every principal for its own things; the walk names another
# principal's, so non-admins get 404).
P = "/api/v1/projects/{project}"
RECORDS = {
    "systems": "system",
    "models": "model",
    "model-versions": "version",
    "datasets": "dataset",
    "dataset-versions": "dversion",
    "deployments": "deployment",
}
ROUTES: dict[tuple[str, str], str] = {
    ("post", "/api/v1/projects"): "admin",
    ("get", "/api/v1/projects"): "any",
    ("get", P): "project.read",
    ("patch", P): "project.update",
    ("put", f"{P}/model-versions/{{record_id}}/artifact"): "inventory.write",
    ("get", f"{P}/model-versions/{{record_id}}/artifact"): "artifact.download",
    ("get", f"{P}/model-versions/{{record_id}}/card"): "inventory.read",
    ("post", f"{P}/model-versions/{{record_id}}/assessments"): "assessment.run",
    ("put", f"{P}/dataset-versions/{{record_id}}/artifact"): "inventory.write",
    ("get", f"{P}/dataset-versions/{{record_id}}/artifact"): "data.download",
    ("get", f"{P}/datasets/{{record_id}}/privacy-budget"): "inventory.read",
    ("put", f"{P}/datasets/{{record_id}}/privacy-budget"): "dp.budget",
    ("post", f"{P}/dataset-versions/{{record_id}}/dp-queries"): "dp.query",
    ("get", f"{P}/dataset-versions/{{record_id}}/dp-queries"): "inventory.read",
    ("post", f"{P}/risks"): "risk.write",
    ("get", f"{P}/risks"): "inventory.read",
    ("get", f"{P}/risks/attention"): "inventory.read",
    ("get", f"{P}/risks/export"): "inventory.read",
    ("post", f"{P}/risks/import"): "risk.write",
    ("get", f"{P}/risks/{{record_id}}"): "inventory.read",
    ("patch", f"{P}/risks/{{record_id}}"): "risk.write",
    ("get", f"{P}/risks/{{record_id}}/history"): "inventory.read",
    ("get", "/api/v1/frameworks"): "any",
    ("get", "/api/v1/frameworks/{framework_id}"): "any",
    ("get", "/api/v1/questionnaires"): "any",
    ("get", "/api/v1/questionnaires/{questionnaire_id}"): "any",
    ("get", "/api/v1/classification/eu-ai-act"): "any",
    ("get", "/api/v1/compliance"): "any",
    ("post", f"{P}/model-versions/{{record_id}}/gates/{{gate}}"): "assessment.run",
    ("post", f"{P}/model-versions/{{record_id}}/stage"): "inventory.write",
    ("post", f"{P}/model-versions/{{record_id}}/promotion-requests"): "inventory.write",
    ("get", f"{P}/promotion-requests"): "inventory.read",
    ("get", f"{P}/promotion-requests/{{record_id}}"): "inventory.read",
    ("post", f"{P}/promotion-requests/{{record_id}}/approvals"): "promotion.approve",
    ("post", f"{P}/promotion-requests/{{record_id}}/withdraw"): "inventory.write",
    ("post", f"{P}/policy-bundles"): "policy.manage",
    ("get", f"{P}/policy-bundles"): "inventory.read",
    ("post", f"{P}/systems/{{record_id}}/classification"): "compliance.write",
    ("get", f"{P}/systems/{{record_id}}/classification"): "inventory.read",
    ("post", f"{P}/systems/{{record_id}}/questionnaires/{{questionnaire_id}}"): "compliance.write",
    ("put", f"{P}/systems/{{record_id}}/controls/{{requirement}}"): "compliance.write",
    ("get", f"{P}/systems/{{record_id}}/controls"): "inventory.read",
    ("get", f"{P}/systems/{{record_id}}/compliance"): "inventory.read",
    ("get", f"{P}/compliance"): "inventory.read",
    ("get", f"{P}/systems/{{record_id}}/report"): "inventory.read",
    ("get", f"{P}/systems/{{record_id}}/evidence-pack"): "evidence.export",
    ("post", f"{P}/dataset-versions/{{record_id}}/scans/pii"): "assessment.run",
    ("post", f"{P}/dataset-versions/{{record_id}}/assessments/reidentification"): "assessment.run",
    ("post", f"{P}/dataset-versions/{{record_id}}/anonymize"): "inventory.write",
    ("post", f"{P}/model-versions/{{record_id}}/checks/data-minimization"): "assessment.run",
    ("post", f"{P}/model-versions/{{record_id}}/predictions"): "monitoring.log",
    ("get", f"{P}/model-versions/{{record_id}}/predictions"): "monitoring.read",
    ("post", f"{P}/model-versions/{{record_id}}/labels"): "monitoring.log",
    ("post", f"{P}/model-versions/{{record_id}}/monitors"): "monitoring.write",
    ("get", f"{P}/monitors"): "monitoring.read",
    ("get", f"{P}/monitors/{{record_id}}"): "monitoring.read",
    ("patch", f"{P}/monitors/{{record_id}}"): "monitoring.write",
    ("delete", f"{P}/monitors/{{record_id}}"): "monitoring.write",
    ("put", f"{P}/monitors/{{record_id}}/reference"): "monitoring.write",
    ("post", f"{P}/monitors/{{record_id}}/run"): "monitoring.write",
    ("get", f"{P}/monitors/{{record_id}}/windows"): "monitoring.read",
    ("get", f"{P}/monitors/{{record_id}}/windows/{{number}}"): "monitoring.read",
    ("get", f"{P}/monitors/{{record_id}}/windows/{{number}}/report.json"): "monitoring.read",
    ("get", f"{P}/monitors/{{record_id}}/windows/{{number}}/report.html"): "monitoring.read",
    ("get", f"{P}/alerts"): "monitoring.read",
    ("get", f"{P}/alerts/{{record_id}}"): "monitoring.read",
    ("post", f"{P}/incidents"): "incident.write",
    ("get", f"{P}/incidents"): "inventory.read",
    ("get", f"{P}/incidents/{{record_id}}"): "inventory.read",
    ("patch", f"{P}/incidents/{{record_id}}"): "incident.write",
    ("post", f"{P}/incidents/{{record_id}}/notes"): "incident.write",
    ("post", f"{P}/incidents/{{record_id}}/close"): "incident.write",
    ("post", f"{P}/documents"): "document.write",
    ("get", f"{P}/documents"): "inventory.read",
    ("get", f"{P}/documents/{{record_id}}"): "inventory.read",
    ("patch", f"{P}/documents/{{record_id}}"): "document.write",
    ("get", f"{P}/documents/{{record_id}}/content"): "document.download",
    ("get", f"{P}/lineage"): "inventory.read",
    ("post", f"{P}/evidence"): "inventory.write",
    ("get", f"{P}/evidence"): "inventory.read",
    ("get", f"{P}/evidence/{{record_id}}"): "inventory.read",
    ("get", f"{P}/members"): "members.read",
    ("post", f"{P}/members"): "members.manage",
    ("delete", f"{P}/members/{{principal_id}}/roles/{{role}}"): "members.manage",
    ("post", "/api/v1/auth/login"): "public",
    ("post", "/api/v1/auth/logout"): "any",
    ("get", "/api/v1/auth/me"): "any",
    ("post", "/api/v1/users"): "admin",
    ("get", "/api/v1/users"): "admin",
    ("get", "/api/v1/users/{user_id}"): "own",
    ("post", "/api/v1/users/{user_id}/disable"): "admin",
    ("put", "/api/v1/users/{user_id}/password"): "own",
    ("post", "/api/v1/keys"): "any",
    ("get", "/api/v1/keys"): "any",
    ("get", "/api/v1/keys/{key_id}"): "own",
    ("post", "/api/v1/keys/{key_id}/revoke"): "own",
    ("post", "/api/v1/keys/{key_id}/rotate"): "own",
}
for _kind in RECORDS:
    ROUTES |= {
        ("post", f"{P}/{_kind}"): "inventory.write",
        ("get", f"{P}/{_kind}"): "inventory.read",
        ("get", f"{P}/{_kind}/{{record_id}}"): "inventory.read",
        ("patch", f"{P}/{_kind}/{{record_id}}"): "inventory.write",
    }
# The ledger's routes: a project's entries and proofs for its owners and auditors, the
# organization-wide ledger for admins. Whatever is added under these prefixes is covered.
PREFIX_RULES = (
    (f"{P}/audit", "audit.read"),
    ("/api/v1/audit", "admin"),
)

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/users"): {"kind": "service_account", "display_name": "walked"},
    ("post", "/api/v1/keys"): {"name": "walked"},
    ("put", "/api/v1/users/{user_id}/password"): {"password": "a walk in the park 42"},
    ("post", "/api/v1/auth/login"): {"username": "walker", "password": "walker password 1"},
    # A rejection needs no particular role; the first one closes the request (then 409).
    ("post", f"{P}/promotion-requests/{{record_id}}/approvals"): {"decision": "reject"},
}

ALLOWED_STATUSES = {200, 201, 204, 409, 422}


def rule_for(method: str, path: str) -> str | None:
    if (method, path) in ROUTES:
        return ROUTES[(method, path)]
    for prefix, rule in PREFIX_RULES:
        if path == prefix or path.startswith(prefix + "/"):
            return rule
    return None


def expected(rule: str, who: str) -> str:
    """'ok', or the status the route must answer with."""
    if rule == "public":
        return "ok"
    if who == "anonymous":
        return "401"
    if rule == "any":
        return "ok"
    if who == "admin":
        return "ok"
    if rule == "admin":
        return "403"
    if rule == "own":
        return "404"
    if who == "nobody":
        return "404"
    return "ok" if who in MATRIX[rule] else "403"


@dataclass
class World:
    client: TestClient
    inv: Inventory
    values: dict[str, str]
    walkers: dict[str, Issued | None]
    record_ids: dict[str, str]


def _operations(client: TestClient) -> list[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").json()
    operations = [
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if path.startswith("/api/v1/")
    ]
    # Revocations last, so that each walker's own grants come before them.
    return sorted(operations, key=lambda op: op[0] == "delete")


@pytest.fixture
def world(client: TestClient, principals: PrincipalFactory) -> Iterator[World]:
    inv = Inventory.create(client, "Alpha")
    ids = {kind: inv.new(kind)["id"] for kind in RECORDS}
    model_version = inv.new("model-versions")
    assert inv.upload("model-versions", model_version["id"], b"weights").status_code == 200
    dataset_version = inv.new("dataset-versions")
    uploaded = inv.upload("dataset-versions", dataset_version["id"], b"a,b\n1,2\n", "data.csv")
    assert uploaded.status_code == 200
    document = inv.attach("model_version", model_version["id"]).json()
    evidence = client.post(
        inv.url("/evidence"),
        json={
            "kind": "assessment.fairness",
            "subject_type": "model_version",
            "subject_id": model_version["id"],
            "verdict": "pass",
            "summary": "walked",
            "result": {"schema_version": 1},
        },
    )
    assert evidence.status_code == 201, evidence.text
    risk = client.post(
        inv.url("/risks"),
        json={
            "system_id": ids["systems"],
            "title": "walked",
            "category": "safety",
            "likelihood": 2,
            "impact": 2,
        },
    )
    assert risk.status_code == 201, risk.text
    monitor = client.post(
        inv.url(f"/model-versions/{model_version['id']}/monitors"),
        json={
            "name": "walked",
            "dataset_version_id": dataset_version["id"],
            "prediction_column": "b",
            "window": {"rows": 1},
            "min_rows": 1,
            "alert_rules": [
                {"name": "walked", "metric": "rows", "condition": "above", "threshold": 0}
            ],
        },
    )
    assert monitor.status_code == 201, monitor.text
    logged = client.post(
        inv.url(f"/model-versions/{model_version['id']}/predictions"),
        json=[{"prediction_id": "p1", "a": 1, "b": 2}],
    )
    assert logged.status_code == 201, logged.text
    run = client.post(inv.url(f"/monitors/{monitor.json()['id']}/run"))
    assert run.status_code == 200, run.text
    [alert] = client.get(inv.url("/alerts")).json()["items"]
    incident = client.post(
        inv.url("/incidents"),
        json={"system_id": ids["systems"], "title": "walked", "severity": "low"},
    )
    assert incident.status_code == 201, incident.text
    requester = principals("owner", inv.slug)  # not a walker: any walker may answer
    request = client.post(
        inv.url(f"/model-versions/{model_version['id']}/promotion-requests"),
        json={"stage": "staging"},
        headers=requester.headers,
    )
    assert request.status_code == 201, request.text

    other = principals()  # the "{user_id}" and "{key_id}" of another principal
    key_id = client.get("/api/v1/keys", params={"principal_id": other.principal_id}).json()[0]
    created = client.post(
        "/api/v1/users",
        json={"username": "walker", "password": "walker password 1", "display_name": "W"},
    )
    assert created.status_code == 201, created.text

    runtime = app_runtime(client)
    if hasattr(runtime, "sign_checkpoint"):
        runtime.sign_checkpoint()
    with runtime.sessions() as session:
        seq = session.scalar(
            select(func.min(LedgerEntry.seq)).where(
                LedgerEntry.project_id == uuid.UUID(inv.project["id"])
            )
        )
    values = {
        "project": inv.slug,
        "user_id": other.principal_id,
        "principal_id": other.principal_id,
        "key_id": key_id["id"],
        "role": "viewer",
        "seq": str(seq),
        "framework_id": "gdpr",
        "questionnaire_id": "dpia",
        "requirement": "gdpr:art5",
        "gate": "register",
        "number": "0",
    }
    walkers: dict[str, Issued | None] = {role: principals(role, inv.slug) for role in ROLES}
    walkers["nobody"] = principals()
    walkers["anonymous"] = None
    record_ids = ids | {
        "model-versions": model_version["id"],
        "dataset-versions": dataset_version["id"],
        "documents": document["id"],
        "evidence": evidence.json()["id"],
        "risks": risk.json()["id"],
        "promotion-requests": request.json()["id"],
        "monitors": monitor.json()["id"],
        "alerts": alert["id"],
        "incidents": incident.json()["id"],
    }
    return World(client=client, inv=inv, values=values, walkers=walkers, record_ids=record_ids)


def _path(world: World, template: str) -> str:
    record_ids = world.record_ids
    kind = next((k for k in record_ids if f"/{k}/{{record_id}}" in template), None)

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name == "record_id":
            assert kind is not None, template
            return record_ids[kind]
        return world.values[name]

    return re.sub(r"\{(\w+)\}", value, template)


def _request(world: World, who: str, method: str, template: str) -> Any:
    issued = world.walkers.get(who)
    if who == "admin":
        headers = {"Authorization": world.client.headers["Authorization"]}
    else:
        headers = issued.headers if issued else {}
    client = TestClient(world.client.app, raise_server_exceptions=False)
    body = BODIES.get((method, template))
    if method == "post" and template == f"{P}/members":
        body = {"principal_id": world.values["principal_id"], "role": "viewer"}
    return client.request(method.upper(), _path(world, template), headers=headers, json=body)


WHO = (*ROLES, "admin", "nobody", "anonymous")


@pytest.mark.parametrize("who", WHO)
def test_every_route_answers_as_the_matrix_says(world: World, who: str) -> None:
    operations = _operations(world.client)
    assert len(operations) >= 50
    unknown = [op for op in operations if rule_for(*op) is None]
    assert unknown == [], f"routes missing from the authorization table: {unknown}"
    stale = [op for op in ROUTES if op not in operations]
    assert stale == [], f"routes in the table but not in the API: {stale}"

    wrong = []
    for method, template in operations:
        rule = rule_for(method, template)
        assert rule is not None
        want = expected(rule, who)
        response = _request(world, who, method, template)
        status = response.status_code
        ok = status in ALLOWED_STATUSES if want == "ok" else status == int(want)
        if not ok:
            wrong.append((method, template, rule, want, status, response.text[:200]))
    assert wrong == [], "\n".join(map(str, wrong))


def test_denials_are_recorded_in_the_ledger(world: World) -> None:
    auditor = world.walkers["auditor"]
    assert auditor is not None
    response = world.client.post(
        world.inv.url("/systems"), json={"name": "nope"}, headers=auditor.headers
    )
    assert_problem(response, 403)
    runtime = app_runtime(world.client)
    with runtime.sessions() as session:
        denied = session.scalars(
            select(LedgerEntry).where(LedgerEntry.action == "authz.denied")
        ).all()
    assert len(denied) == 1
    entry = denied[0]
    assert entry.actor_id == auditor.principal_id
    assert entry.outcome == "denied"
    assert entry.project_id == uuid.UUID(world.inv.project["id"])
    assert entry.details["permission"] == "inventory.write"
    assert auditor.secret not in str(entry.details)


def test_read_scoped_key_cannot_write(client: TestClient, principals: PrincipalFactory) -> None:
    inv = Inventory.create(client, "Scopes")
    reader = principals("owner", inv.slug, scope="read")
    assert client.get(inv.url("/systems"), headers=reader.headers).status_code == 200
    for method, path, body in [
        ("POST", inv.url("/systems"), {"name": "x"}),
        ("PATCH", inv.url(), {"description": "x"}),
        ("POST", "/api/v1/keys", {"name": "escalate"}),
    ]:
        response = client.request(method, path, json=body, headers=reader.headers)
        assert assert_problem(response, 403)["detail"] == "this credential is read-only"
    admin_reader = principals(is_admin=True, scope="read")
    assert_problem(
        client.post("/api/v1/projects", json={"name": "x"}, headers=admin_reader.headers), 403
    )
    assert client.get("/api/v1/users", headers=admin_reader.headers).status_code == 403


def test_a_project_member_sees_nothing_of_another_project(
    client: TestClient, principals: PrincipalFactory
) -> None:
    alpha, beta = Inventory.create(client, "A"), Inventory.create(client, "B")
    member = principals("owner", alpha.slug)
    beta_records = {kind: beta.new(kind)["id"] for kind in RECORDS}
    for kind, record_id in beta_records.items():
        # Through project B: no role there, 404 as if it did not exist.
        missing = client.get(beta.url(f"/{kind}/{record_id}"), headers=member.headers)
        assert_problem(missing, 404)
        # Through project A, where the member is owner: B's record is not found in A.
        missing = client.get(alpha.url(f"/{kind}/{record_id}"), headers=member.headers)
        assert_problem(missing, 404)
    listed = client.get("/api/v1/projects", headers=member.headers).json()["items"]
    assert [p["slug"] for p in listed] == [alpha.slug]


def test_the_creator_of_a_project_becomes_its_owner(
    client: TestClient, principals: PrincipalFactory
) -> None:
    admin = principals(is_admin=True)
    created = client.post("/api/v1/projects", json={"name": "Mine"}, headers=admin.headers)
    assert created.status_code == 201
    members = client.get(f"/api/v1/projects/{created.json()['slug']}/members").json()
    assert [(m["principal_id"], m["roles"]) for m in members] == [(admin.principal_id, ["owner"])]


def test_owner_grants_and_revokes_roles(client: TestClient, principals: PrincipalFactory) -> None:
    inv = Inventory.create(client, "Team")
    owner, newcomer = principals("owner", inv.slug), principals()
    assert_problem(client.get(inv.url(), headers=newcomer.headers), 404)

    granted = client.post(
        inv.url("/members"),
        json={"principal_id": newcomer.principal_id, "role": "viewer"},
        headers=owner.headers,
    )
    assert granted.status_code == 201, granted.text
    assert client.get(inv.url(), headers=newcomer.headers).status_code == 200
    assert_problem(
        client.post(inv.url("/systems"), json={"name": "x"}, headers=newcomer.headers), 403
    )

    path = inv.url(f"/members/{newcomer.principal_id}/roles/viewer")
    assert client.delete(path, headers=owner.headers).status_code == 204
    assert_problem(client.get(inv.url(), headers=newcomer.headers), 404)
    assert_problem(client.delete(path, headers=owner.headers), 404)
    unknown = {"principal_id": str(uuid.uuid4()), "role": "viewer"}
    assert_problem(client.post(inv.url("/members"), json=unknown), 422, "principal_id")
    bad_role = {"principal_id": newcomer.principal_id, "role": "emperor"}
    assert_problem(client.post(inv.url("/members"), json=bad_role), 422, "role")
