"""Lineage: which data trained or evaluated which model version, and where it is deployed.

The graph used throughout (labels as the API shows them)::

    credit:v1 --trained--> scorer:1 --deployed_as--> prod
    credit:v2 --evaluated--> scorer:1
    credit:v2 --trained--> scorer:2

``scorer`` belongs to the AI system "Credit scoring"; ``credit`` is the dataset.
"""

import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bastion.errors import InvalidInput
from bastion.inventory import lineage as lineage_service
from bastion.inventory import schemas
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import DatasetRole, SubjectType
from bastion.inventory.lineage import Direction
from tests.inventory.conftest import Inventory, assert_problem

Edge = tuple[str, str, str]


@dataclass(frozen=True)
class Graph:
    project_id: uuid.UUID
    ids: dict[str, tuple[SubjectType, uuid.UUID]]
    """Subjects by label."""


def _build(session: Session, name: str) -> Graph:
    project = inventory_service.create_project(
        session=session, data=schemas.ProjectCreate(name=name)
    )
    pid = project.id
    system = inventory_service.create_system(
        session=session, project_id=pid, data=schemas.SystemCreate(name="Credit scoring")
    )
    dataset = inventory_service.create_dataset(
        session=session, project_id=pid, data=schemas.DatasetCreate(name="credit")
    )
    dv1, dv2 = (
        inventory_service.create_dataset_version(
            session=session,
            project_id=pid,
            data=schemas.DatasetVersionCreate(dataset_id=dataset.id, version=v),
        )
        for v in ("v1", "v2")
    )
    model = inventory_service.create_model(
        session=session,
        project_id=pid,
        data=schemas.ModelCreate(name="scorer", system_id=system.id),
    )

    def link(version: uuid.UUID, role: DatasetRole) -> schemas.DatasetLink:
        return schemas.DatasetLink(dataset_version_id=version, role=role)

    mv1 = inventory_service.create_model_version(
        session=session,
        project_id=pid,
        data=schemas.ModelVersionCreate(
            model_id=model.id,
            version="1",
            datasets=[link(dv1.id, DatasetRole.TRAINING), link(dv2.id, DatasetRole.EVALUATION)],
        ),
    )
    mv2 = inventory_service.create_model_version(
        session=session,
        project_id=pid,
        data=schemas.ModelVersionCreate(
            model_id=model.id, version="2", datasets=[link(dv2.id, DatasetRole.TRAINING)]
        ),
    )
    deployment = inventory_service.create_deployment(
        session=session,
        project_id=pid,
        data=schemas.DeploymentCreate(name="prod", model_version_id=mv1.id),
    )
    return Graph(
        project_id=pid,
        ids={
            "Credit scoring": (SubjectType.AI_SYSTEM, system.id),
            "credit": (SubjectType.DATASET, dataset.id),
            "credit:v1": (SubjectType.DATASET_VERSION, dv1.id),
            "credit:v2": (SubjectType.DATASET_VERSION, dv2.id),
            "scorer": (SubjectType.MODEL, model.id),
            "scorer:1": (SubjectType.MODEL_VERSION, mv1.id),
            "scorer:2": (SubjectType.MODEL_VERSION, mv2.id),
            "prod": (SubjectType.DEPLOYMENT, deployment.id),
        },
    )


@pytest.fixture
def graph(session: Session) -> Graph:
    return _build(session, "Credit")


def _walk(
    session: Session, graph: Graph, start: str, direction: Direction, depth: int
) -> tuple[set[str], set[Edge]]:
    subject_type, subject_id = graph.ids[start]
    result = lineage_service.lineage(
        session=session,
        project_id=graph.project_id,
        subject_type=subject_type,
        subject_id=subject_id,
        direction=direction,
        depth=depth,
    )
    assert (result.root.type, result.root.id, result.root.label) == (
        subject_type,
        subject_id,
        start,
    )
    labels = {node.id: node.label for node in result.nodes}
    for node in result.nodes:
        assert graph.ids[node.label] == (node.type, node.id)
    edges = {(labels[e.source], labels[e.target], e.relation) for e in result.edges}
    return set(labels.values()), edges


V1_TRAINED = ("credit:v1", "scorer:1", "trained")
V2_EVALUATED = ("credit:v2", "scorer:1", "evaluated")
V2_TRAINED = ("credit:v2", "scorer:2", "trained")
DEPLOYED = ("scorer:1", "prod", "deployed_as")
DATA_OF_1 = {V1_TRAINED, V2_EVALUATED}
VERSIONS_OF_DATASET = {("credit:v1", "credit", "version_of"), ("credit:v2", "credit", "version_of")}
VERSIONS_OF_MODEL = {("scorer:1", "scorer", "version_of"), ("scorer:2", "scorer", "version_of")}
USED_BY_SYSTEM = {
    ("scorer:1", "Credit scoring", "used_by"),
    ("scorer:2", "Credit scoring", "used_by"),
}
ALL_FLOW = {V1_TRAINED, V2_EVALUATED, V2_TRAINED, DEPLOYED}
MAX = lineage_service.MAX_DEPTH
UP, DOWN, BOTH = Direction.UPSTREAM, Direction.DOWNSTREAM, Direction.BOTH


@pytest.mark.parametrize(
    ("start", "direction", "depth", "edges"),
    [
        # dataset version
        ("credit:v1", DOWN, MAX, {V1_TRAINED, DEPLOYED}),
        ("credit:v1", DOWN, 1, {V1_TRAINED}),
        ("credit:v1", UP, MAX, set()),
        ("credit:v2", BOTH, MAX, {V2_EVALUATED, V2_TRAINED, DEPLOYED}),
        # dataset: all of its versions
        ("credit", DOWN, MAX, VERSIONS_OF_DATASET | ALL_FLOW),
        ("credit", DOWN, 1, VERSIONS_OF_DATASET | {V1_TRAINED, V2_EVALUATED, V2_TRAINED}),
        ("credit", UP, MAX, VERSIONS_OF_DATASET),
        # model version
        ("scorer:1", UP, MAX, DATA_OF_1),
        ("scorer:1", DOWN, MAX, {DEPLOYED}),
        ("scorer:1", BOTH, MAX, DATA_OF_1 | {DEPLOYED}),
        ("scorer:2", BOTH, MAX, {V2_TRAINED}),
        # model: all of its versions
        ("scorer", UP, MAX, VERSIONS_OF_MODEL | DATA_OF_1 | {V2_TRAINED}),
        ("scorer", DOWN, MAX, VERSIONS_OF_MODEL | {DEPLOYED}),
        ("scorer", BOTH, MAX, VERSIONS_OF_MODEL | ALL_FLOW),
        # AI system: the versions of its models
        ("Credit scoring", BOTH, MAX, USED_BY_SYSTEM | ALL_FLOW),
        ("Credit scoring", DOWN, 1, USED_BY_SYSTEM | {DEPLOYED}),
        # deployment
        ("prod", UP, 1, {DEPLOYED}),
        ("prod", UP, 2, {DEPLOYED} | DATA_OF_1),
        ("prod", BOTH, MAX, {DEPLOYED} | DATA_OF_1),
        ("prod", DOWN, MAX, set()),
    ],
)
def test_lineage(
    session: Session,
    graph: Graph,
    start: str,
    direction: Direction,
    depth: int,
    edges: set[Edge],
) -> None:
    nodes, found = _walk(session, graph, start, direction, depth)
    assert found == edges
    assert nodes == {start} | {label for edge in edges for label in edge[:2]}


def test_lineage_of_a_dataset_without_versions_is_just_the_dataset(session: Session) -> None:
    graph = _build(session, "Credit")
    empty = inventory_service.create_dataset(
        session=session, project_id=graph.project_id, data=schemas.DatasetCreate(name="empty")
    )
    graph.ids["empty"] = (SubjectType.DATASET, empty.id)
    assert _walk(session, graph, "empty", BOTH, MAX) == ({"empty"}, set())


@pytest.mark.parametrize(
    ("subject_type", "field"),
    [
        (SubjectType.MODEL_VERSION, "subject_id"),
        (SubjectType.DATASET, "subject_id"),
        (SubjectType.PROJECT, "subject_type"),
    ],
)
def test_unknown_subject_is_invalid(
    session: Session, graph: Graph, subject_type: SubjectType, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        lineage_service.lineage(
            session=session,
            project_id=graph.project_id,
            subject_type=subject_type,
            subject_id=uuid.uuid4(),
        )
    assert caught.value.field == field


@pytest.mark.parametrize("start", ["scorer:1", "credit", "prod"])
def test_subject_of_another_project_is_invalid(session: Session, graph: Graph, start: str) -> None:
    elsewhere = _build(session, "Elsewhere")
    subject_type, subject_id = elsewhere.ids[start]
    with pytest.raises(InvalidInput, match="in this project"):
        lineage_service.lineage(
            session=session,
            project_id=graph.project_id,
            subject_type=subject_type,
            subject_id=subject_id,
        )


def test_subject_given_with_the_wrong_type_is_invalid(session: Session, graph: Graph) -> None:
    _, dataset_id = graph.ids["credit"]
    with pytest.raises(InvalidInput):
        lineage_service.lineage(
            session=session,
            project_id=graph.project_id,
            subject_type=SubjectType.MODEL,
            subject_id=dataset_id,
        )


# Over HTTP -----------------------------------------------------------------------------


def test_lineage_over_the_api(inv: Inventory, other: Inventory) -> None:
    data = inv.new("dataset-versions")
    model_version = inv.new(
        "model-versions", datasets=[{"dataset_version_id": data["id"], "role": "training"}]
    )
    deployment = inv.new("deployments", model_version_id=model_version["id"])

    response = inv.client.get(
        inv.url("/lineage"),
        params={"subject_type": "deployment", "subject_id": deployment["id"]},
    )
    assert response.status_code == 200, response.text
    graph = response.json()
    assert graph["root"] == {
        "type": "deployment",
        "id": deployment["id"],
        "label": deployment["name"],
    }
    assert {(n["type"], n["id"]) for n in graph["nodes"]} == {
        ("deployment", deployment["id"]),
        ("model_version", model_version["id"]),
        ("dataset_version", data["id"]),
    }
    assert {(e["source"], e["target"], e["relation"]) for e in graph["edges"]} == {
        (data["id"], model_version["id"], "trained"),
        (model_version["id"], deployment["id"], "deployed_as"),
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"subject_type": "deployment", "subject_id": str(uuid.uuid4())}, "subject_id"),
        ({"subject_type": "pipeline", "subject_id": str(uuid.uuid4())}, "subject_type"),
        ({"subject_type": "project", "subject_id": "@project"}, "subject_type"),
        ({"subject_type": "deployment", "subject_id": "@foreign"}, "subject_id"),
        ({"subject_type": "deployment", "subject_id": "@deployment", "depth": 0}, "depth"),
        ({"subject_type": "deployment", "subject_id": "@deployment", "depth": MAX + 1}, "depth"),
        (
            {"subject_type": "deployment", "subject_id": "@deployment", "direction": "up"},
            "direction",
        ),
        ({"subject_type": "deployment"}, "subject_id"),
    ],
)
def test_bad_lineage_request_is_422(
    inv: Inventory, other: Inventory, params: dict[str, object], field: str
) -> None:
    subjects = {
        "@project": lambda: inv.project["id"],
        "@foreign": lambda: other.new("deployments")["id"],
        "@deployment": lambda: inv.new("deployments")["id"],
    }
    if params.get("subject_id") in subjects:
        params = params | {"subject_id": subjects[str(params["subject_id"])]()}
    assert_problem(inv.client.get(inv.url("/lineage"), params=params), 422, field)


def test_lineage_needs_a_credential(inv: Inventory, anonymous: TestClient) -> None:
    response = anonymous.get(
        inv.url("/lineage"), params={"subject_type": "model", "subject_id": str(uuid.uuid4())}
    )
    assert_problem(response, 401)
