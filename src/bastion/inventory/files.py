"""Registered data and model files copied out of the artifact store into a working
directory, for computations the server runs on them (assessments, scans, transforms).

The store streams blobs (it may be remote later); libraries want paths. Errors name the
request field that pointed at the record, so a caller sees which of its ids was wrong.
"""

import uuid
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from bastion.errors import InvalidInput
from bastion.inventory import service as inventory_service
from bastion.inventory.models import ModelVersion
from bastion.storage.artifacts import ArtifactStore
from bastion.tabular import FORMATS


def copy_blob(store: ArtifactStore, digest: str, dest: Path) -> Path:
    """Write the blob ``digest`` to ``dest``, in chunks."""
    with dest.open("wb") as out:
        for chunk in store.open(digest):
            out.write(chunk)
    return dest


class StoredFile(NamedTuple):
    """A registered file copied out of the store: where it is now, and its digest."""

    path: Path
    sha256: str


def dataset_table(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    workdir: Path,
    field: str,
) -> StoredFile:
    """The dataset version's uploaded table as a file in ``workdir``.

    Raises
    ------
    InvalidInput
        If the version has no uploaded data, or its file is not CSV, Parquet or JSON
        Lines (by its name), naming ``field``.
    """
    version = inventory_service.get_dataset_version(
        session=session, project_id=project_id, version_id=version_id
    )
    if version.artifact_size is None or version.content_digest is None:
        raise InvalidInput(
            f"{field}: dataset version {version_id} has no uploaded data", field=field
        )
    suffix = Path(version.artifact_filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(
            f"{field}: the file {version.artifact_filename!r} of dataset version {version_id} "
            f"is not a table this server reads ({', '.join(FORMATS)})",
            field=field,
        )
    path = copy_blob(store, version.content_digest, workdir / f"{field}{suffix}")
    return StoredFile(path, version.content_digest)


def model_file(
    *, store: ArtifactStore, version: ModelVersion, workdir: Path, why: str
) -> StoredFile:
    """The model version's uploaded file in ``workdir``.

    Raises
    ------
    InvalidInput
        If the version has no uploaded artifact; ``why`` says what needed it.
    """
    if version.artifact_size is None or version.artifact_digest is None:
        raise InvalidInput(
            f"model_version: {why}, and the model version has no uploaded artifact",
            field="model_version",
        )
    path = copy_blob(store, version.artifact_digest, workdir / "model")
    return StoredFile(path, version.artifact_digest)
