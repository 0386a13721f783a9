"""The SDK against a real server: round trips of every record kind, files, and errors."""

import hashlib
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bastion import Client, __version__
from bastion.inventory.schemas import SystemCreate
from bastion.sdk import (
    AuthenticationError,
    ConflictError,
    DigestMismatchError,
    GateDeniedError,
    InvalidInputError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    TransportError,
)


@pytest.fixture
def bastion(live_server) -> Iterator[Client]:
    with Client(live_server.url, live_server.admin_key, timeout=10) as client:
        yield client


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder of its own: tmp_path also holds the server's data."""
    (tmp_path / "files").mkdir()
    return tmp_path / "files"


@pytest.fixture
def project(bastion: Client) -> str:
    return bastion.create_project(name="Credit scoring").slug


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_health_and_readiness(bastion: Client) -> None:
    assert bastion.health() == {"status": "ok", "version": __version__}
    assert bastion.ready() == {"status": "ready"}


def test_projects_round_trip(bastion: Client) -> None:
    created = bastion.create_project(name="Fraud Detection", tags=["risk"])
    assert created.slug == "fraud-detection"
    assert bastion.get_project(created.slug) == bastion.get_project(created.id) == created

    updated = bastion.update_project(created.slug, description="Card payments")
    assert updated.description == "Card payments"
    assert updated.name == "Fraud Detection"  # omitted fields keep their value

    page = bastion.list_projects(tag=["risk"])
    assert [p.id for p in page.items] == [created.id]


def test_inventory_round_trip(bastion: Client, project: str) -> None:
    system = bastion.create_system(
        project, SystemCreate(name="Loan approval", affected_groups=["applicants"])
    )
    assert bastion.get_system(project, system.id) == system
    assert bastion.update_system(project, system.id, owner="risk team").owner == "risk team"
    assert [s.name for s in bastion.list_systems(project).items] == ["Loan approval"]

    dataset = bastion.create_dataset(project, name="adult", classification="confidential")
    data_version = bastion.create_dataset_version(
        project, dataset_id=dataset.id, version="2024-01", row_count=48842
    )
    assert bastion.get_dataset(project, dataset.id).classification == "confidential"
    assert bastion.update_dataset(project, dataset.id, source="UCI").source == "UCI"
    assert bastion.get_dataset_version(project, data_version.id).row_count == 48842
    updated_data = bastion.update_dataset_version(project, data_version.id, row_count=None)
    assert updated_data.row_count is None

    model = bastion.create_model(project, name="scorer", system_id=system.id)
    version = bastion.create_model_version(
        project,
        model_id=model.id,
        version="1.0.0",
        datasets=[{"dataset_version_id": data_version.id, "role": "training"}],
    )
    assert version.datasets[0].dataset_version_id == data_version.id
    assert bastion.get_model(project, model.id).system_id == system.id
    assert bastion.update_model(project, model.id, owner="ml").owner == "ml"
    # The system is not classified, so the staging gate denies; the admin breaks the glass.
    with pytest.raises(GateDeniedError) as denied:
        bastion.change_stage(project, version.id, "staging")
    assert denied.value.decision["allow"] is False
    promoted = bastion.change_stage(
        project, version.id, "staging", break_glass="SDK round trip, not a release."
    )
    assert promoted.changed
    assert promoted.decision.evidence.result["break_glass"]
    assert bastion.get_model_version(project, version.id).stage == promoted.stage == "staging"

    deployment = bastion.create_deployment(
        project, name="scorer-prod", model_version_id=version.id, environment="prod"
    )
    assert bastion.get_deployment(project, deployment.id).environment == "prod"
    assert bastion.update_deployment(project, deployment.id, status="inactive").status == (
        "inactive"
    )

    listed = {
        "models": bastion.list_models(project, system_id=system.id).items,
        "versions": bastion.list_model_versions(project, stage="staging").items,
        "datasets": bastion.list_datasets(project).items,
        "dataset versions": bastion.list_dataset_versions(project, dataset_id=dataset.id).items,
        "deployments": bastion.list_deployments(project, environment="prod").items,
    }
    assert {name: len(items) for name, items in listed.items()} == dict.fromkeys(listed, 1)

    graph = bastion.lineage(project, "model_version", version.id)
    assert {n.label for n in graph.nodes} == {"scorer:1.0.0", "adult:2024-01", "scorer-prod"}
    assert {e.relation for e in graph.edges} == {"trained", "deployed_as"}


def test_iter_follows_the_cursor(bastion: Client, project: str) -> None:
    names = [f"system {i}" for i in range(5)]
    for name in names:
        bastion.create_system(project, name=name)

    first = bastion.list_systems(project, limit=2, sort="name")
    assert [s.name for s in first.items] == names[:2]
    assert first.next_cursor is not None
    assert [s.name for s in bastion.iter_systems(project, limit=2, sort="name")] == names
    assert [p.slug for p in bastion.iter_projects(limit=1)] == [project]


def test_model_artifact_upload_and_download(bastion: Client, project: str, files: Path) -> None:
    content = bytes(range(256)) * 4000  # 1 MB: several chunks, under the 1 MiB limit
    source = files / "model.skops"
    source.write_bytes(content)
    model = bastion.create_model(project, name="scorer")
    version = bastion.create_model_version(
        project, model_id=model.id, version="1", artifact_digest=sha256(content)
    )

    sent: list[int] = []
    uploaded = bastion.upload_model_artifact(project, version.id, source, progress=sent.append)
    assert (uploaded.artifact_size, uploaded.artifact_filename) == (len(content), "model.skops")
    assert sent[-1] == len(content)
    assert sent == sorted(sent)

    dest = bastion.download_model_artifact(project, version.id, files / "copy.skops")
    assert dest.read_bytes() == content
    assert sorted(p.name for p in files.iterdir()) == ["copy.skops", "model.skops"]


def test_dataset_and_document_files_round_trip(bastion: Client, project: str, files: Path) -> None:
    dataset = bastion.create_dataset(project, name="adult")
    version = bastion.create_dataset_version(project, dataset_id=dataset.id, version="1")
    with (files / "adult.csv").open("w+b") as data:
        data.write(b"age,income\n39,<=50K\n")
        data.seek(0)
        uploaded = bastion.upload_dataset_artifact(project, version.id, data)
    assert uploaded.content_digest == sha256(b"age,income\n39,<=50K\n")
    copy = bastion.download_dataset_artifact(project, version.id, files / "copy.csv")
    assert copy.read_bytes() == b"age,income\n39,<=50K\n"

    card = files / "card.md"
    card.write_text("# Model card\n")
    document = bastion.upload_document(
        project,
        card,
        subject_type="dataset_version",
        subject_id=version.id,
        title="Datasheet",
        kind="datasheet",
    )
    assert (document.media_type, document.size) == ("text/markdown", 13)
    assert bastion.get_document(project, document.id).title == "Datasheet"
    assert bastion.update_document(project, document.id, title="Data sheet").title == "Data sheet"
    assert [d.id for d in bastion.iter_documents(project, kind="datasheet")] == [document.id]
    assert bastion.list_documents(project, kind="other").items == []
    copy = bastion.download_document(project, document.id, files / "card-copy.md")
    assert copy.read_text() == "# Model card\n"


def test_a_corrupted_download_is_refused_and_not_written(
    bastion: Client, project: str, live_server, files: Path
) -> None:
    model = bastion.create_model(project, name="scorer")
    version = bastion.create_model_version(project, model_id=model.id, version="1")
    source = files / "model.bin"
    source.write_bytes(b"original weights")
    digest = bastion.upload_model_artifact(project, version.id, source).artifact_digest
    assert digest is not None
    # Flip the stored bytes behind the server's back, as a disk fault or an attacker would.
    stored = live_server.settings.artifact_dir / "sha256" / digest[:2] / digest[2:4] / digest
    stored.write_bytes(b"tampered weights")

    with pytest.raises(DigestMismatchError) as caught:
        bastion.download_model_artifact(project, version.id, files / "copy.bin")
    assert caught.value.expected == digest
    assert caught.value.actual == sha256(b"tampered weights")
    assert sorted(p.name for p in files.iterdir()) == ["model.bin"]


def test_an_upload_that_does_not_match_the_declared_digest_is_a_conflict(
    bastion: Client, project: str, files: Path
) -> None:
    model = bastion.create_model(project, name="scorer")
    version = bastion.create_model_version(
        project, model_id=model.id, version="1", artifact_digest=sha256(b"expected")
    )
    source = files / "model.bin"
    source.write_bytes(b"something else")
    with pytest.raises(ConflictError) as caught:
        bastion.upload_model_artifact(project, version.id, source)
    assert (caught.value.status, caught.value.field) == (409, "digest")
    assert bastion.get_model_version(project, version.id).artifact_size is None


def test_a_wrong_key_is_an_authentication_error(live_server) -> None:
    with (
        Client(live_server.url, "bst_00000000_wrong") as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.list_projects()
    error = caught.value
    assert (error.status, error.detail) == (401, "invalid or expired API key")
    assert error.request_id
    assert error.body["status"] == 401


def test_unknown_record_is_not_found(bastion: Client, project: str) -> None:
    missing = uuid.uuid4()
    with pytest.raises(NotFoundError) as caught:
        bastion.get_system(project, missing)
    assert caught.value.status == 404
    assert str(missing) in caught.value.detail
    with pytest.raises(NotFoundError):
        bastion.get_project("no-such-project")


def test_duplicate_is_a_conflict_naming_the_field(bastion: Client, project: str) -> None:
    with pytest.raises(ConflictError) as caught:
        bastion.create_project(name="Credit scoring")
    assert caught.value.field == "slug"
    assert "credit-scoring" in str(caught.value)


def test_server_side_invalid_input_names_the_field(bastion: Client, project: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        bastion.create_model_version(project, model_id=uuid.uuid4(), version="1")
    assert (caught.value.status, caught.value.field) == (422, "model_id")

    with pytest.raises(InvalidInputError) as caught:
        bastion.list_systems(project, sort="colour")
    assert caught.value.field == "sort"


def test_arguments_are_checked_before_sending(bastion: Client, project: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        bastion.create_system(project, purpose="no name")
    assert caught.value.field == "name"
    with pytest.raises(InvalidRequestError) as caught:
        bastion.list_systems(project, colour="blue")
    assert caught.value.field == "colour"


def test_an_oversized_upload_is_refused(bastion: Client, project: str, files: Path) -> None:
    dataset = bastion.create_dataset(project, name="big")
    version = bastion.create_dataset_version(project, dataset_id=dataset.id, version="1")
    source = files / "big.bin"
    source.write_bytes(b"\0" * (1024 * 1024 + 1))  # settings.max_upload_bytes is 1 MiB
    with pytest.raises(PayloadTooLargeError) as caught:
        bastion.upload_dataset_artifact(project, version.id, source)
    assert caught.value.status == 413
    assert bastion.get_dataset_version(project, version.id).artifact_size is None


def test_nothing_listening_is_a_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        with (
            Client(f"http://127.0.0.1:{port}", "bst_x_y", timeout=2) as client,
            pytest.raises(TransportError) as caught,
        ):
            client.health()
    assert str(caught.value).startswith(f"cannot reach Bastion at http://127.0.0.1:{port}: ")
    assert "refused" in caught.value.reason
