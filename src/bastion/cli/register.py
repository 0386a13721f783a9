"""``models register`` and ``datasets register``: declare a file's digest, then upload it.

The order (digest, record, upload) makes the server verify the bytes it receives, and
makes a second run after an interrupted upload resume where the first one stopped.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from bastion.cli import output
from bastion.sdk.client import Client


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _named(records: Iterator[Any], attribute: str, value: str) -> Any | None:
    # The API filters on the exact name or version; checked again so that a server that
    # ignored the filter could not make us attach a file to the wrong record.
    return next((r for r in records if getattr(r, attribute) == value), None)


@dataclass(frozen=True)
class _Flow:
    """The SDK calls that differ between models and datasets."""

    noun: str
    find_parent: Callable[[str], Any | None]
    create_parent: Callable[[str], Any]
    find_version: Callable[[Any, str], Any | None]
    create_version: Callable[[Any, str, str], Any]
    declared_digest: Callable[[Any], str | None]
    upload: Callable[[Any, Path, Callable[[int], None]], Any]


def _register(flow: _Flow, file: Path, *, name: str, version: str) -> None:
    digest = file_sha256(file)
    parent = flow.find_parent(name)
    if parent is None:
        parent = flow.create_parent(name)
        output.done(f"created {flow.noun} {name!r} (id {parent.id})")
    record = flow.find_version(parent, version)
    if record is None:
        record = flow.create_version(parent, version, digest)
    elif record.artifact_size is not None:
        raise output.CliError(
            f"{flow.noun} {name!r} version {version!r} already has its file "
            f"(sha256 {flow.declared_digest(record)}); register a new version",
            field="version",
        )
    elif flow.declared_digest(record) not in (None, digest):
        raise output.CliError(
            f"{flow.noun} {name!r} version {version!r} was declared with sha256 "
            f"{flow.declared_digest(record)}, but {file.name} has sha256 {digest}",
            field="version",
        )
    else:
        output.done(f"{flow.noun} {name!r} version {version!r} exists without its file: resuming")
    size = file.stat().st_size
    with Progress(
        TextColumn("uploading {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=output.stderr(),
        transient=True,
    ) as progress:
        task = progress.add_task(file.name, total=size)
        record = flow.upload(record, file, lambda sent: progress.update(task, completed=sent))
    output.done(
        f"registered {file.name} ({size} bytes, sha256 {digest}) as {flow.noun} {name!r} "
        f"version {version!r} (id {record.id})"
    )


def register_model_file(
    bastion: Client,
    project: str,
    file: Path,
    *,
    name: str,
    version: str,
    model_fields: dict[str, Any],
    version_fields: dict[str, Any],
) -> None:
    flow = _Flow(
        noun="model",
        find_parent=lambda n: _named(bastion.iter_models(project, name=n), "name", n),
        create_parent=lambda n: bastion.create_model(project, name=n, **model_fields),
        find_version=lambda m, v: _named(
            bastion.iter_model_versions(project, model_id=m.id, version=v), "version", v
        ),
        create_version=lambda m, v, d: bastion.create_model_version(
            project, model_id=m.id, version=v, artifact_digest=d, **version_fields
        ),
        declared_digest=lambda r: r.artifact_digest,
        upload=lambda r, f, p: bastion.upload_model_artifact(project, r.id, f, progress=p),
    )
    _register(flow, file, name=name, version=version)


def register_dataset_file(
    bastion: Client,
    project: str,
    file: Path,
    *,
    name: str,
    version: str,
    version_fields: dict[str, Any],
) -> None:
    flow = _Flow(
        noun="dataset",
        find_parent=lambda n: _named(bastion.iter_datasets(project, name=n), "name", n),
        create_parent=lambda n: bastion.create_dataset(project, name=n),
        find_version=lambda ds, v: _named(
            bastion.iter_dataset_versions(project, dataset_id=ds.id, version=v), "version", v
        ),
        create_version=lambda ds, v, d: bastion.create_dataset_version(
            project, dataset_id=ds.id, version=v, content_digest=d, **version_fields
        ),
        declared_digest=lambda r: r.content_digest,
        upload=lambda r, f, p: bastion.upload_dataset_artifact(project, r.id, f, progress=p),
    )
    _register(flow, file, name=name, version=version)
