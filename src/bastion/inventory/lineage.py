"""Lineage: which data made which model version, and where that version runs.

The graph follows the flow of data: dataset version → (trained | evaluated) → model
version → (deployed_as) → deployment. Upstream walks against the flow, downstream with
it. Starting from a dataset, model or AI system starts from all of its versions.
"""

import uuid
from collections import deque
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.errors import InvalidInput
from bastion.inventory import schemas
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import DatasetRole, SubjectType
from bastion.inventory.models import (
    Dataset,
    DatasetVersion,
    Deployment,
    Model,
    ModelVersion,
    ModelVersionDataset,
)

MAX_DEPTH = 10


class Direction(StrEnum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    BOTH = "both"


Node = tuple[SubjectType, uuid.UUID]
# Edge names as documented on LineageEdge.relation: what the data did for the model.
_FLOW = {DatasetRole.TRAINING: "trained", DatasetRole.EVALUATION: "evaluated"}


def _start_nodes(session: Session, subject_type: SubjectType, subject_id: uuid.UUID) -> list[Node]:
    """Flow nodes standing for a subject: containers stand for all their versions."""
    if subject_type is SubjectType.DATASET:
        ids = session.scalars(
            select(DatasetVersion.id).where(DatasetVersion.dataset_id == subject_id)
        )
        return [(SubjectType.DATASET_VERSION, i) for i in ids]
    if subject_type is SubjectType.MODEL:
        ids = session.scalars(select(ModelVersion.id).where(ModelVersion.model_id == subject_id))
        return [(SubjectType.MODEL_VERSION, i) for i in ids]
    if subject_type is SubjectType.AI_SYSTEM:
        ids = session.scalars(
            select(ModelVersion.id).join(Model).where(Model.system_id == subject_id)
        )
        return [(SubjectType.MODEL_VERSION, i) for i in ids]
    return [(subject_type, subject_id)]


def _downstream(session: Session, node: Node) -> list[tuple[Node, str]]:
    kind, node_id = node
    if kind is SubjectType.DATASET_VERSION:
        links = session.scalars(
            select(ModelVersionDataset).where(ModelVersionDataset.dataset_version_id == node_id)
        )
        return [
            ((SubjectType.MODEL_VERSION, link.model_version_id), _FLOW[link.role]) for link in links
        ]
    if kind is SubjectType.MODEL_VERSION:
        ids = session.scalars(select(Deployment.id).where(Deployment.model_version_id == node_id))
        return [((SubjectType.DEPLOYMENT, i), "deployed_as") for i in ids]
    return []


def _upstream(session: Session, node: Node) -> list[tuple[Node, str]]:
    kind, node_id = node
    if kind is SubjectType.MODEL_VERSION:
        links = session.scalars(
            select(ModelVersionDataset).where(ModelVersionDataset.model_version_id == node_id)
        )
        return [
            ((SubjectType.DATASET_VERSION, link.dataset_version_id), _FLOW[link.role])
            for link in links
        ]
    if kind is SubjectType.DEPLOYMENT:
        deployment = session.get(Deployment, node_id)
        assert deployment is not None  # noqa: S101 - reached only through existing rows
        return [((SubjectType.MODEL_VERSION, deployment.model_version_id), "deployed_as")]
    return []


def _label(session: Session, node: Node) -> str:
    kind, node_id = node
    if kind is SubjectType.MODEL_VERSION:
        mv = session.get(ModelVersion, node_id)
        model = session.get(Model, mv.model_id) if mv else None
        return f"{model.name}:{mv.version}" if mv and model else str(node_id)
    if kind is SubjectType.DATASET_VERSION:
        dv = session.get(DatasetVersion, node_id)
        dataset = session.get(Dataset, dv.dataset_id) if dv else None
        return f"{dataset.name}:{dv.version}" if dv and dataset else str(node_id)
    record = session.get(inventory_service.SUBJECT_TABLES[kind], node_id)
    return str(getattr(record, "name", node_id))


def lineage(
    *,
    session: Session,
    project_id: uuid.UUID,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    direction: Direction = Direction.BOTH,
    depth: int = MAX_DEPTH,
) -> schemas.LineageGraph:
    """The lineage graph around a subject, breadth first, at most ``depth`` hops away."""
    if subject_type is SubjectType.PROJECT:
        raise InvalidInput(
            "subject_type: lineage starts from a record inside a project", field="subject_type"
        )
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidInput(f"depth must be between 1 and {MAX_DEPTH}", field="depth")
    inventory_service.check_subject(
        session=session, project_id=project_id, subject_type=subject_type, subject_id=subject_id
    )
    root: Node = (subject_type, subject_id)
    seen: set[Node] = {root}
    edges: set[tuple[uuid.UUID, uuid.UUID, str]] = set()
    queue = deque((node, 0) for node in _start_nodes(session, subject_type, subject_id))
    # A system's model versions are not versions of it: the system uses them.
    part_of = "used_by" if subject_type is SubjectType.AI_SYSTEM else "version_of"
    for node, _ in queue:
        seen.add(node)
        if node != root:
            edges.add((node[1], root[1], part_of))
    walks = []
    if direction in (Direction.DOWNSTREAM, Direction.BOTH):
        walks.append((_downstream, False))
    if direction in (Direction.UPSTREAM, Direction.BOTH):
        walks.append((_upstream, True))
    for step, reverse in walks:
        pending = deque(queue)
        visited = {node for node, _ in pending}
        while pending:
            node, hops = pending.popleft()
            if hops >= depth:
                continue
            for neighbour, relation in step(session, node):
                source, target = (neighbour, node) if reverse else (node, neighbour)
                edges.add((source[1], target[1], relation))
                seen.add(neighbour)
                if neighbour not in visited:
                    visited.add(neighbour)
                    pending.append((neighbour, hops + 1))

    def as_node(node: Node) -> schemas.LineageNode:
        return schemas.LineageNode(type=node[0], id=node[1], label=_label(session, node))

    return schemas.LineageGraph(
        root=as_node(root),
        nodes=sorted((as_node(n) for n in seen), key=lambda n: (n.type, n.label)),
        edges=[schemas.LineageEdge(source=s, target=t, relation=r) for s, t, r in sorted(edges)],
    )
