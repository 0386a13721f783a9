"""Inventory services called directly on a session, as the CLI and other domains call them."""

import uuid
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bastion.errors import Conflict, InvalidInput, NotFound
from bastion.inventory import schemas
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import ModelStage, SubjectType
from bastion.inventory.models import Project
from bastion.storage.artifacts import BlobInfo

S = inventory_service

# singular name -> (create schema, update schema, query schema, id keyword, text field)
KINDS: dict[str, tuple[Any, Any, Any, str, str]] = {
    "system": (
        schemas.SystemCreate,
        schemas.SystemUpdate,
        schemas.SystemQuery,
        "system_id",
        "purpose",
    ),
    "model": (schemas.ModelCreate, schemas.ModelUpdate, schemas.ModelQuery, "model_id", "owner"),
    "model_version": (
        schemas.ModelVersionCreate,
        schemas.ModelVersionUpdate,
        schemas.ModelVersionQuery,
        "version_id",
        "framework",
    ),
    "dataset": (
        schemas.DatasetCreate,
        schemas.DatasetUpdate,
        schemas.DatasetQuery,
        "dataset_id",
        "source",
    ),
    "dataset_version": (
        schemas.DatasetVersionCreate,
        schemas.DatasetVersionUpdate,
        schemas.DatasetVersionQuery,
        "version_id",
        "source",
    ),
    "deployment": (
        schemas.DeploymentCreate,
        schemas.DeploymentUpdate,
        schemas.DeploymentQuery,
        "deployment_id",
        "environment",
    ),
}


def project(session: Session, name: str = "Credit scoring") -> Project:
    return S.create_project(session=session, data=schemas.ProjectCreate(name=name))


def make(session: Session, project_id: uuid.UUID, kind: str, **fields: Any) -> Any:
    """A record of a kind, with the parents it needs."""
    if kind == "model_version":
        fields = {"model_id": make(session, project_id, "model").id, "version": "1"} | fields
    elif kind == "dataset_version":
        fields = {"dataset_id": make(session, project_id, "dataset").id, "version": "1"} | fields
    elif kind == "deployment":
        fields = {"model_version_id": make(session, project_id, "model_version").id} | fields
    if kind not in ("model_version", "dataset_version"):
        fields = {"name": f"{kind} {uuid.uuid4().hex[:8]}"} | fields
    create = getattr(S, f"create_{kind}")
    return create(session=session, project_id=project_id, data=KINDS[kind][0](**fields))


@pytest.mark.parametrize("kind", KINDS)
def test_create_get_update_list(session: Session, kind: str) -> None:
    _, update_schema, query_schema, id_name, text = KINDS[kind]
    pid = project(session).id
    record = make(session, pid, kind, tags=["eu"])
    get = getattr(S, f"get_{kind}")
    assert get(session=session, project_id=pid, **{id_name: record.id}) is record

    updated = getattr(S, f"update_{kind}")(
        session=session,
        project_id=pid,
        data=update_schema(**{text: "changed"}),
        **{id_name: record.id},
    )
    assert getattr(updated, text) == "changed"
    assert updated.tags == ["eu"]

    page = getattr(S, f"list_{kind}s")(
        session=session, project_id=pid, query=query_schema(tag=["eu"])
    )
    assert [r.id for r in page.items] == [record.id]
    assert page.next_cursor is None

    # Timestamps come back from the database timezone-aware, on SQLite too.
    session.expire(record)
    assert record.created_at.tzinfo is not None
    assert record.created_at.utcoffset() == UTC.utcoffset(None)


@pytest.mark.parametrize("kind", KINDS)
def test_get_outside_the_project_is_not_found(session: Session, kind: str) -> None:
    id_name = KINDS[kind][3]
    record = make(session, project(session, "A").id, kind)
    elsewhere = project(session, "B").id
    get = getattr(S, f"get_{kind}")
    for record_id in (record.id, uuid.uuid4()):
        with pytest.raises(NotFound, match=str(record_id)):
            get(session=session, project_id=elsewhere, **{id_name: record_id})


@pytest.mark.parametrize("kind", ["system", "model", "dataset", "deployment"])
def test_names_are_unique_within_a_project(session: Session, kind: str) -> None:
    first, second = project(session, "A").id, project(session, "B").id
    make(session, first, kind, name="Scorer")
    with pytest.raises(Conflict, match="Scorer") as caught:
        make(session, first, kind, name="Scorer")
    assert caught.value.field == "name"
    assert make(session, second, kind, name="Scorer").name == "Scorer"


@pytest.mark.parametrize(
    ("kind", "parent"), [("model_version", "model"), ("dataset_version", "dataset")]
)
def test_versions_are_unique_per_parent(session: Session, kind: str, parent: str) -> None:
    pid = project(session).id
    first = make(session, pid, kind, version="2.0")
    parent_field = f"{parent}_id"
    with pytest.raises(Conflict) as caught:
        make(session, pid, kind, version="2.0", **{parent_field: getattr(first, parent_field)})
    assert caught.value.field == "version"
    assert make(session, pid, kind, version="2.0").version == "2.0"


def test_rename_checks_uniqueness(session: Session) -> None:
    pid = project(session).id
    make(session, pid, "dataset", name="adult")
    german = make(session, pid, "dataset", name="german")
    with pytest.raises(Conflict):
        S.update_dataset(
            session=session,
            project_id=pid,
            dataset_id=german.id,
            data=schemas.DatasetUpdate(name="adult"),
        )
    assert german.name == "german"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Credit Scoring", "credit-scoring"),
        ("  Crédit Scoring \u2013 EU 2026  ", "credit-scoring-eu-2026"),
        ("Ünïcödé__Näme!!", "unicode-name"),
        ("A--B__C", "a-b-c"),
        ("日本語", "project"),
        ("***", "project"),
        ("x" * 62 + " y", "x" * 62),
        ("a" * 100, "a" * 63),
    ],
)
def test_slug_is_derived_from_unusual_names(session: Session, name: str, slug: str) -> None:
    assert S.slugify(name) == slug
    created = project(session, name)
    assert created.slug == slug
    assert S.resolve_project(session=session, ref=slug) is created


def test_explicit_slug_is_kept_and_unique(session: Session) -> None:
    created = S.create_project(
        session=session, data=schemas.ProjectCreate(name="Credit", slug="cs")
    )
    assert created.slug == "cs"
    with pytest.raises(Conflict) as caught:
        S.create_project(session=session, data=schemas.ProjectCreate(name="cs"))
    assert caught.value.field == "slug"


def test_resolve_project_by_slug_or_id(session: Session) -> None:
    created = project(session)
    for ref in (created.slug, str(created.id), str(created.id).upper(), created.id.hex):
        assert S.resolve_project(session=session, ref=ref) is created
    for ref in ("missing", str(uuid.uuid4()), ""):
        with pytest.raises(NotFound):
            S.resolve_project(session=session, ref=ref)


def test_list_projects_sorted_by_slug(session: Session) -> None:
    for name in ("b", "c", "a"):
        project(session, name)
    page = S.list_projects(session=session, query=schemas.ProjectQuery(sort="slug", limit=2))
    assert [p.slug for p in page.items] == ["a", "b"]
    rest = S.list_projects(
        session=session, query=schemas.ProjectQuery(sort="slug", cursor=page.next_cursor)
    )
    assert [p.slug for p in rest.items] == ["c"]
    with pytest.raises(InvalidInput) as caught:
        S.list_projects(session=session, query=schemas.ProjectQuery(sort="description"))
    assert caught.value.field == "sort"


def test_stage_transitions(session: Session) -> None:
    pid = project(session).id
    version = make(session, pid, "model_version")

    def move(stage: ModelStage) -> None:
        S.set_stage(session=session, version=version, stage=stage)

    move(ModelStage.STAGING)
    move(ModelStage.PRODUCTION)
    with pytest.raises(Conflict, match="allowed: retired"):
        move(ModelStage.STAGING)
    move(ModelStage.RETIRED)
    with pytest.raises(Conflict, match="final"):
        move(ModelStage.DEVELOPMENT)
    assert version.stage is ModelStage.RETIRED


def test_an_update_does_not_change_the_stage(session: Session) -> None:
    pid = project(session).id
    version = make(session, pid, "model_version")
    with pytest.raises(InvalidInput, match="release gate"):
        S.update_model_version(
            session=session,
            project_id=pid,
            version_id=version.id,
            data=schemas.ModelVersionUpdate(stage=ModelStage.PRODUCTION),
        )
    assert version.stage is ModelStage.DEVELOPMENT


@pytest.mark.parametrize(
    ("kind", "attach", "digest_field"),
    [
        ("model_version", S.attach_model_artifact, "artifact_digest"),
        ("dataset_version", S.attach_dataset_artifact, "content_digest"),
    ],
)
def test_an_artifact_is_attached_once(
    session: Session, kind: str, attach: Any, digest_field: str
) -> None:
    version = make(session, project(session).id, kind)
    blob = BlobInfo(digest="a" * 64, size=10)
    attach(session=session, version=version, blob=blob, filename="m.bin")
    assert (getattr(version, digest_field), version.artifact_size) == ("a" * 64, 10)
    with pytest.raises(Conflict):
        attach(session=session, version=version, blob=BlobInfo("b" * 64, 3), filename="x")
    assert getattr(version, digest_field) == "a" * 64


@pytest.mark.parametrize("subject_type", list(SubjectType))
def test_check_subject(session: Session, subject_type: SubjectType) -> None:
    here, there = project(session, "A"), project(session, "B")
    singular = {SubjectType.AI_SYSTEM: "system"}.get(subject_type, subject_type.value)

    def subject(owner: Project) -> uuid.UUID:
        if subject_type is SubjectType.PROJECT:
            return owner.id
        return make(session, owner.id, singular).id  # type: ignore[no-any-return]

    S.check_subject(
        session=session, project_id=here.id, subject_type=subject_type, subject_id=subject(here)
    )
    for wrong in (subject(there), uuid.uuid4()):
        with pytest.raises(InvalidInput) as caught:
            S.check_subject(
                session=session, project_id=here.id, subject_type=subject_type, subject_id=wrong
            )
        assert caught.value.field == "subject_id"
