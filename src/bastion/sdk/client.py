"""``bastion.Client``: the Python SDK over the REST API, for notebooks, scripts and the CLI.

The request and response types are the API's own pydantic schemas, so the SDK cannot drift
from the server. Every record kind has the same five verbs (create, get, update, list,
iter); one private helper implements each verb and the public methods only name the path
and the schemas. Files move in chunks in both directions, so memory use does not grow with
their size.
"""

import hashlib
import io
import json
import mimetypes
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    BinaryIO,
    Generic,
    Literal,
    Protocol,
    Self,
    TypeVar,
    cast,
    overload,
)
from urllib.parse import quote

import httpx
import pydantic

from bastion import __version__
from bastion.alerts.schemas import AlertQuery, AlertRead
from bastion.compliance.schemas import (
    Answers,
    ClassificationRead,
    ComplianceRead,
    FrameworkSummary,
    ImplementationRead,
    ImplementationSet,
    OrganizationRollupRead,
    RollupRead,
)
from bastion.dataprotection.schemas import (
    AnonymizationCreate,
    AnonymizationRead,
    MinimizationCreate,
    PiiScanCreate,
    ReidentificationCreate,
)
from bastion.evidence.schemas import EvidenceCreate, EvidenceQuery, EvidenceRead
from bastion.gates.schemas import (
    ApprovalCreate,
    ApprovalRead,
    GateDecisionRead,
    PolicyBundleRead,
    PromotionRequestCreate,
    PromotionRequestRead,
    StageChange,
    StageChangeRead,
)
from bastion.iam.schemas import (
    ApiKeyCreate,
    ApiKeyRead,
    IssuedKeyRead,
    Me,
    MemberRead,
    PasswordChange,
    RoleBindingRead,
    RoleGrant,
    UserCreate,
    UserRead,
)
from bastion.incidents.schemas import (
    IncidentClose,
    IncidentCreate,
    IncidentDetail,
    IncidentEventRead,
    IncidentNote,
    IncidentQuery,
    IncidentRead,
    IncidentUpdate,
)
from bastion.inventory.enums import SubjectType
from bastion.inventory.schemas import (
    DatasetCreate,
    DatasetQuery,
    DatasetRead,
    DatasetUpdate,
    DatasetVersionCreate,
    DatasetVersionQuery,
    DatasetVersionRead,
    DatasetVersionUpdate,
    DeploymentCreate,
    DeploymentQuery,
    DeploymentRead,
    DeploymentUpdate,
    DocumentQuery,
    DocumentRead,
    DocumentUpdate,
    LineageGraph,
    ModelCreate,
    ModelQuery,
    ModelRead,
    ModelUpdate,
    ModelVersionCreate,
    ModelVersionQuery,
    ModelVersionRead,
    ModelVersionUpdate,
    ProjectCreate,
    ProjectQuery,
    ProjectRead,
    ProjectUpdate,
    SystemCreate,
    SystemQuery,
    SystemRead,
    SystemUpdate,
)
from bastion.monitoring.schemas import (
    BatchQuery,
    LabelBatchRead,
    MonitorCreate,
    MonitorQuery,
    MonitorRead,
    MonitorUpdate,
    PredictionBatchRead,
    RunRead,
    WindowQuery,
    WindowRead,
)
from bastion.privacy_budget.schemas import (
    DpQueryCreate,
    DpQueryQuery,
    DpQueryRead,
    PrivacyBudgetRead,
    PrivacyBudgetSet,
)
from bastion.risks.schemas import (
    Attention,
    RiskCreate,
    RiskEventRead,
    RiskImportResult,
    RiskQuery,
    RiskRead,
    RiskUpdate,
)
from bastion.runs.schemas import AssessmentRunCreate
from bastion.schemas import ListQuery, Page
from bastion.sdk.errors import (
    DigestMismatchError,
    InvalidRequestError,
    error_from_response,
    invalid_request,
    map_transport_errors,
)

if TYPE_CHECKING:
    from bastion.sdk.audit import AuditClient


class Assessment(Protocol):
    """What ``Client.log_assessment`` needs of a result."""

    @property
    def evidence_kind(self) -> str: ...
    @property
    def verdict(self) -> Any: ...
    @property
    def summary(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, str]: ...
    def to_dict(self) -> dict[str, Any]: ...


# Small enough for a smooth progress bar, large enough to keep the per-chunk cost negligible.
CHUNK_SIZE = 256 * 1024
API = "/api/v1"

Ref = str | uuid.UUID
"""A project slug or id, or a record id."""
Source = str | os.PathLike[str] | BinaryIO
"""A path to a file, or a file opened in binary mode."""
Progress = Callable[[int], None]
"""Called after each chunk with the number of bytes sent so far."""

M = TypeVar("M", bound=pydantic.BaseModel)
R = TypeVar("R", bound=pydantic.BaseModel)
U = TypeVar("U", bound=pydantic.BaseModel)
Q = TypeVar("Q", bound=ListQuery)


@dataclass(frozen=True)
class _Kind(Generic[U, Q, R]):
    """Where one kind of record lives and which schemas describe it."""

    path: str
    label: str
    update: type[U]
    query: type[Q]
    read: type[R]


_PROJECTS = _Kind("projects", "project", ProjectUpdate, ProjectQuery, ProjectRead)
_SYSTEMS = _Kind("systems", "AI system", SystemUpdate, SystemQuery, SystemRead)
_MODELS = _Kind("models", "model", ModelUpdate, ModelQuery, ModelRead)
_MODEL_VERSIONS = _Kind(
    "model-versions", "model version", ModelVersionUpdate, ModelVersionQuery, ModelVersionRead
)
_DATASETS = _Kind("datasets", "dataset", DatasetUpdate, DatasetQuery, DatasetRead)
_DATASET_VERSIONS = _Kind(
    "dataset-versions",
    "dataset version",
    DatasetVersionUpdate,
    DatasetVersionQuery,
    DatasetVersionRead,
)
_DEPLOYMENTS = _Kind("deployments", "deployment", DeploymentUpdate, DeploymentQuery, DeploymentRead)
_DOCUMENTS = _Kind("documents", "document", DocumentUpdate, DocumentQuery, DocumentRead)


def _segment(ref: Ref) -> str:
    # Slugs are URL-safe by schema, but a caller's typo must not change the path's shape.
    return quote(str(ref), safe="")


def _validate(schema: type[M], data: M | None, fields: dict[str, Any]) -> M:
    """The request body: a schema object, or keyword fields validated into one."""
    if data is not None:
        if fields:
            raise InvalidRequestError("pass either a schema object or keyword fields, not both")
        return data
    try:
        return schema.model_validate(fields)
    except pydantic.ValidationError as exc:
        raise invalid_request(exc) from None


def _answers(answers: Mapping[str, Any]) -> Any:
    """Answers as the API takes them: YAML files read dates as dates, sent as ISO text."""
    plain = json.loads(json.dumps(dict(answers), default=str))
    return _json(Answers(answers=plain))


def _json(model: pydantic.BaseModel) -> Any:
    # Only what the caller set: updates must not reset omitted fields, creates get the
    # server's defaults.
    return model.model_dump(mode="json", exclude_unset=True)


# The public verbs of project records ------------------------------------------------------
#
# Each verb is a descriptor that, read from a client, returns a function typed by the
# kind's schemas (``client.get_system`` is a ``(project, id) -> SystemRead``): the logic of
# a verb is written once, and the table in ``Client`` declares the thirty-odd methods
# without repeating a body per kind.

C_contra = TypeVar("C_contra", bound=pydantic.BaseModel, contravariant=True)
U_contra = TypeVar("U_contra", bound=pydantic.BaseModel, contravariant=True)
R_co = TypeVar("R_co", bound=pydantic.BaseModel, covariant=True)
F = TypeVar("F")


class _CreateFn(Protocol[C_contra, R_co]):
    def __call__(self, project: Ref, data: C_contra | None = None, /, **fields: Any) -> R_co: ...


class _GetFn(Protocol[R_co]):
    def __call__(self, project: Ref, record_id: Ref, /) -> R_co: ...


class _UpdateFn(Protocol[U_contra, R_co]):
    def __call__(
        self, project: Ref, record_id: Ref, data: U_contra | None = None, /, **fields: Any
    ) -> R_co: ...


class _ListFn(Protocol[R]):
    def __call__(self, project: Ref, /, **filters: Any) -> Page[R]: ...


class _IterFn(Protocol[R_co]):
    def __call__(self, project: Ref, /, **filters: Any) -> Iterator[R_co]: ...


class _Verb(Generic[F]):
    """A method of ``Client`` built from a record kind; ``bind`` makes the function."""

    __doc__: str | None

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: "Client", owner: type[Any]) -> F: ...
    def __get__(self, client: "Client | None", owner: type[Any]) -> "Self | F":
        if client is None:
            return self
        function = self.bind(client)
        # What help() and tracebacks show for the bound function.
        setattr(function, "__doc__", self.__doc__)  # noqa: B010 - F is opaque to mypy
        setattr(function, "__name__", self.name)  # noqa: B010
        setattr(function, "__qualname__", f"Client.{self.name}")  # noqa: B010
        return function

    def bind(self, client: "Client") -> F:
        raise NotImplementedError


class _Create(_Verb[_CreateFn[M, R]]):
    def __init__(self, kind: _Kind[Any, Any, R], schema: type[M]) -> None:
        self.kind, self.schema = kind, schema
        article = "an" if kind.label[0] in "aeiouAEIOU" else "a"
        self.__doc__ = (
            f"Create {article} {kind.label} in a project; pass a ``{schema.__name__}`` or its "
            "fields as keywords."
        )

    def bind(self, client: "Client") -> _CreateFn[M, R]:
        kind, schema = self.kind, self.schema

        def create(project: Ref, data: M | None = None, /, **fields: Any) -> R:
            body = _validate(schema, data, fields)
            return client._create(client._in(project, kind), kind.read, body)

        return create


class _Get(_Verb[_GetFn[R]]):
    def __init__(self, kind: _Kind[Any, Any, R]) -> None:
        self.kind = kind
        self.__doc__ = f"One {kind.label} of a project, by id."

    def bind(self, client: "Client") -> _GetFn[R]:
        kind = self.kind

        def get(project: Ref, record_id: Ref, /) -> R:
            return client._get(f"{client._in(project, kind)}/{_segment(record_id)}", kind.read)

        return get


class _Update(_Verb[_UpdateFn[U, R]]):
    def __init__(self, kind: _Kind[U, Any, R]) -> None:
        self.kind = kind
        self.__doc__ = (
            f"Change a {kind.label}; pass a ``{kind.update.__name__}`` or its fields as "
            "keywords. Omitted fields keep their value."
        )

    def bind(self, client: "Client") -> _UpdateFn[U, R]:
        kind = self.kind

        def update(project: Ref, record_id: Ref, data: U | None = None, /, **fields: Any) -> R:
            path = f"{client._in(project, kind)}/{_segment(record_id)}"
            return client._update(path, kind, data, fields)

        return update


class _List(_Verb[_ListFn[R]]):
    def __init__(self, kind: _Kind[Any, Any, R]) -> None:
        self.kind = kind
        self.__doc__ = (
            f"One page of {kind.label}s; filters are the fields of ``{kind.query.__name__}`` "
            "(``limit``, ``cursor``, ``sort``, ``q``, ``tag`` …)."
        )

    def bind(self, client: "Client") -> _ListFn[R]:
        kind = self.kind

        def list_(project: Ref, /, **filters: Any) -> Page[R]:
            return client._list(client._in(project, kind), kind, filters)

        return list_


class _Iter(_Verb[_IterFn[R]]):
    def __init__(self, kind: _Kind[Any, Any, R]) -> None:
        self.kind = kind
        self.__doc__ = f"Every {kind.label} matching the filters, following ``next_cursor``."

    def bind(self, client: "Client") -> _IterFn[R]:
        kind = self.kind

        def iter_(project: Ref, /, **filters: Any) -> Iterator[R]:
            return client._iter(client._in(project, kind), kind, filters)

        return iter_


class Client:
    """A connection to a Bastion server, authenticated with an API key.

    Parameters
    ----------
    url : str
        Base URL of the server, e.g. ``http://127.0.0.1:8000``.
    api_key : str
        An API key (``bst_…``), sent as ``Authorization: Bearer <key>``.
    timeout : float, optional
        Seconds to wait for a connection or for data before raising ``TransportError``.

    Notes
    -----
    Records inside a project take the project (slug or id) first. ``create_*`` and
    ``update_*`` accept either the schema object (``SystemCreate(...)``) or its fields as
    keywords; ``list_*`` returns one ``Page`` and takes the list filters as keywords
    (``limit``, ``cursor``, ``sort``, ``q``, ``tag`` and the kind's own), ``iter_*`` yields
    every record, following ``next_cursor``. Errors are ``BastionClientError`` subclasses
    from ``bastion.sdk.errors``.

    Examples
    --------
    >>> from bastion import Client
    >>> with Client("http://127.0.0.1:8000", api_key) as bastion:  # doctest: +SKIP
    ...     project = bastion.create_project(name="Credit scoring")
    ...     system = bastion.create_system(project.slug, name="Loan approval")
    """

    def __init__(self, url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {api_key}",
                "User-Agent": f"bastion-sdk/{__version__}",
                "Accept": "application/json",
            },
        )

    def __repr__(self) -> str:
        return f"Client(url={self.url!r})"  # never the key

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def audit(self) -> "AuditClient":
        """The audit ledger: entries, proofs, checkpoints, exports."""
        from bastion.sdk.audit import AuditClient

        return AuditClient(self)

    # Transport ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with map_transport_errors(self.url, self.timeout):
            response = self._http.request(method, path, **kwargs)
        if response.is_error:
            raise error_from_response(response)
        return response

    @staticmethod
    def _in(project: Ref, kind: _Kind[Any, Any, Any]) -> str:
        return f"{API}/projects/{_segment(project)}/{kind.path}"

    # One helper per verb -----------------------------------------------------------------

    def _create(self, base: str, read: type[R], body: pydantic.BaseModel) -> R:
        return read.model_validate(self._request("POST", base, json=_json(body)).json())

    def _get(self, path: str, read: type[R]) -> R:
        return read.model_validate(self._request("GET", path).json())

    def _update(
        self, path: str, kind: _Kind[U, Any, R], data: U | None, fields: dict[str, Any]
    ) -> R:
        body = _validate(kind.update, data, fields)
        return kind.read.model_validate(self._request("PATCH", path, json=_json(body)).json())

    def _list(self, base: str, kind: _Kind[Any, Q, R], filters: dict[str, Any]) -> Page[R]:
        query = _validate(kind.query, None, filters)
        data = self._request("GET", base, params=_json(query)).json()
        items = [kind.read.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    def _iter(self, base: str, kind: _Kind[Any, Q, R], filters: dict[str, Any]) -> Iterator[R]:
        filters = dict(filters)
        while True:
            page = self._list(base, kind, filters)
            yield from page.items
            if not page.next_cursor:
                return
            filters["cursor"] = page.next_cursor

    # Projects ----------------------------------------------------------------------------

    def create_project(self, data: ProjectCreate | None = None, /, **fields: Any) -> ProjectRead:
        """Create a project (organization admins only); fields of ``ProjectCreate``."""
        body = _validate(ProjectCreate, data, fields)
        return self._create(f"{API}/projects", ProjectRead, body)

    def get_project(self, project: Ref) -> ProjectRead:
        """A project by slug or id."""
        return self._get(f"{API}/projects/{_segment(project)}", ProjectRead)

    def update_project(
        self, project: Ref, data: ProjectUpdate | None = None, /, **fields: Any
    ) -> ProjectRead:
        """Change a project's name, description, tags or metadata."""
        return self._update(f"{API}/projects/{_segment(project)}", _PROJECTS, data, fields)

    def list_projects(self, **filters: Any) -> Page[ProjectRead]:
        """One page of projects; filters of ``ProjectQuery``."""
        return self._list(f"{API}/projects", _PROJECTS, filters)

    def iter_projects(self, **filters: Any) -> Iterator[ProjectRead]:
        """Every project matching the filters, page after page."""
        return self._iter(f"{API}/projects", _PROJECTS, filters)

    # Records inside a project: every kind has the same verbs, declared as a table. -------

    create_system = _Create(_SYSTEMS, SystemCreate)
    create_model = _Create(_MODELS, ModelCreate)
    create_model_version = _Create(_MODEL_VERSIONS, ModelVersionCreate)
    create_dataset = _Create(_DATASETS, DatasetCreate)
    create_dataset_version = _Create(_DATASET_VERSIONS, DatasetVersionCreate)
    create_deployment = _Create(_DEPLOYMENTS, DeploymentCreate)

    get_system = _Get(_SYSTEMS)
    get_model = _Get(_MODELS)
    get_model_version = _Get(_MODEL_VERSIONS)
    get_dataset = _Get(_DATASETS)
    get_dataset_version = _Get(_DATASET_VERSIONS)
    get_deployment = _Get(_DEPLOYMENTS)
    get_document = _Get(_DOCUMENTS)

    update_system = _Update(_SYSTEMS)
    update_model = _Update(_MODELS)
    update_model_version = _Update(_MODEL_VERSIONS)
    update_dataset = _Update(_DATASETS)
    update_dataset_version = _Update(_DATASET_VERSIONS)
    update_deployment = _Update(_DEPLOYMENTS)
    update_document = _Update(_DOCUMENTS)

    list_systems = _List(_SYSTEMS)
    list_models = _List(_MODELS)
    list_model_versions = _List(_MODEL_VERSIONS)
    list_datasets = _List(_DATASETS)
    list_dataset_versions = _List(_DATASET_VERSIONS)
    list_deployments = _List(_DEPLOYMENTS)
    list_documents = _List(_DOCUMENTS)

    iter_systems = _Iter(_SYSTEMS)
    iter_models = _Iter(_MODELS)
    iter_model_versions = _Iter(_MODEL_VERSIONS)
    iter_datasets = _Iter(_DATASETS)
    iter_dataset_versions = _Iter(_DATASET_VERSIONS)
    iter_deployments = _Iter(_DEPLOYMENTS)
    iter_documents = _Iter(_DOCUMENTS)

    # Files -------------------------------------------------------------------------------

    def upload_model_artifact(
        self,
        project: Ref,
        version_id: Ref,
        source: Source,
        *,
        filename: str | None = None,
        progress: Progress | None = None,
    ) -> ModelVersionRead:
        """Upload a model version's file, once; the server checks a declared digest.

        Parameters
        ----------
        project : str or UUID
            Project slug or id.
        version_id : str or UUID
            The model version.
        source : path or binary file
            Read in chunks of 256 KiB, so any size fits in constant memory.
        filename : str, optional
            Name to store; by default the file's own name.
        progress : callable, optional
            Called with the number of bytes sent so far after each chunk.

        Returns
        -------
        ModelVersionRead
            The version with ``artifact_digest``, ``artifact_size`` and ``artifact_filename``.
        """
        path = f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/artifact"
        response = self._upload("PUT", path, source, filename, progress)
        return ModelVersionRead.model_validate(response.json())

    def upload_dataset_artifact(
        self,
        project: Ref,
        version_id: Ref,
        source: Source,
        *,
        filename: str | None = None,
        progress: Progress | None = None,
    ) -> DatasetVersionRead:
        """Upload a dataset version's data, once; see ``upload_model_artifact``."""
        path = f"{self._in(project, _DATASET_VERSIONS)}/{_segment(version_id)}/artifact"
        response = self._upload("PUT", path, source, filename, progress)
        return DatasetVersionRead.model_validate(response.json())

    def upload_document(
        self,
        project: Ref,
        source: Source,
        *,
        subject_type: SubjectType | str,
        subject_id: Ref,
        title: str,
        kind: str = "document",
        media_type: str | None = None,
        filename: str | None = None,
        progress: Progress | None = None,
    ) -> DocumentRead:
        """Attach a file to a record (a model card, a DPIA, a test report …).

        Parameters
        ----------
        project : str or UUID
            Project slug or id.
        source : path or binary file
            The document's content.
        subject_type, subject_id
            The record it is about, e.g. ``"model_version"`` and the version's id.
        title : str
            Human title.
        kind : str, optional
            Free-form kind such as ``model_card``; ``document`` by default.
        media_type : str, optional
            Content type; guessed from the file name when omitted.
        filename, progress
            As for ``upload_model_artifact``.
        """
        params = {"subject_type": str(subject_type), "subject_id": str(subject_id)}
        params |= {"title": title, "kind": kind}
        response = self._upload(
            "POST", self._in(project, _DOCUMENTS), source, filename, progress, params, media_type
        )
        return DocumentRead.model_validate(response.json())

    def _upload(
        self,
        method: str,
        path: str,
        source: Source,
        filename: str | None,
        progress: Progress | None,
        params: dict[str, str] | None = None,
        media_type: str | None = None,
    ) -> httpx.Response:
        with ExitStack() as stack:
            if isinstance(source, str | os.PathLike):
                stream: BinaryIO = stack.enter_context(open(source, "rb"))
            else:
                stream = source
            name = filename or Path(str(getattr(stream, "name", "") or "")).name
            if not name:
                raise InvalidRequestError(
                    "filename is required for an unnamed stream", field="filename"
                )
            media_type = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            headers = {"Content-Type": media_type}
            size = _remaining_size(stream)
            # A declared length lets the server refuse an oversized upload before reading it.
            if size is not None:
                headers["Content-Length"] = str(size)
            return self._request(
                method,
                path,
                params={**(params or {}), "filename": name},
                content=_chunks(stream, progress),
                headers=headers,
            )
        raise AssertionError("unreachable")  # pragma: no cover - ExitStack never swallows

    def download_model_artifact(
        self, project: Ref, version_id: Ref, dest: str | os.PathLike[str]
    ) -> Path:
        """Download a model version's file to ``dest``, verified against its SHA-256.

        The file is written to a temporary name beside ``dest`` and renamed into place only
        once its digest matches the server's ``X-Content-SHA256``; otherwise
        ``DigestMismatchError`` is raised and ``dest`` is left untouched.

        Returns
        -------
        Path
            ``dest``.
        """
        path = f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/artifact"
        return self._download(path, Path(dest))

    def download_dataset_artifact(
        self, project: Ref, version_id: Ref, dest: str | os.PathLike[str]
    ) -> Path:
        """Download a dataset version's data to ``dest``; see ``download_model_artifact``."""
        path = f"{self._in(project, _DATASET_VERSIONS)}/{_segment(version_id)}/artifact"
        return self._download(path, Path(dest))

    def download_document(
        self, project: Ref, document_id: Ref, dest: str | os.PathLike[str]
    ) -> Path:
        """Download a document's content to ``dest``; see ``download_model_artifact``."""
        path = f"{self._in(project, _DOCUMENTS)}/{_segment(document_id)}/content"
        return self._download(path, Path(dest))

    def _download(self, path: str, dest: Path) -> Path:
        with (
            map_transport_errors(self.url, self.timeout),
            self._http.stream("GET", path) as response,
        ):
            if response.is_error:
                response.read()
                raise error_from_response(response)
            expected = response.headers.get("x-content-sha256")
            fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
            partial = Path(name)
            try:
                digest = hashlib.sha256()
                with os.fdopen(fd, "wb") as out:
                    for chunk in response.iter_bytes(CHUNK_SIZE):
                        digest.update(chunk)
                        out.write(chunk)
                actual = digest.hexdigest()
                if expected is None or actual != expected.lower():
                    raise DigestMismatchError(
                        f"downloaded content has SHA-256 {actual}, "
                        f"but the server announced {expected or 'no digest'}",
                        expected=expected,
                        actual=actual,
                    )
                os.replace(partial, dest)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        return dest

    # Evidence ----------------------------------------------------------------------------

    def record_evidence(
        self, project: Ref, data: EvidenceCreate | None = None, /, **fields: Any
    ) -> EvidenceRead:
        """Record a result about a record of the project (fields of ``EvidenceCreate``);
        it supersedes the previous evidence of the same kind about the same record."""
        body = _validate(EvidenceCreate, data, fields)
        return self._create(f"{API}/projects/{_segment(project)}/evidence", EvidenceRead, body)

    def log_assessment(
        self,
        result: "Assessment",
        *,
        project: Ref,
        subject_id: Ref,
        subject_type: SubjectType = SubjectType.MODEL_VERSION,
        inputs: dict[str, str] | None = None,
    ) -> EvidenceRead:
        """Record an assessment computed here (a notebook, a CI job) as evidence.

        Parameters
        ----------
        result
            Any result with ``evidence_kind``, ``verdict``, ``summary`` and ``to_dict()``,
            such as ``bastion.fairness.assess(...)``'s.
        project, subject_id, subject_type
            What the assessment is about: by default a model version.
        inputs
            SHA-256 digests of what it ran on, by role: ``{"data": "ab12…"}``; they are
            added to (and override) the digests the result recorded itself.
        """
        digests = {**result.inputs, **(inputs or {})}
        return self.record_evidence(
            project,
            kind=result.evidence_kind,
            subject_type=subject_type,
            subject_id=str(subject_id),
            verdict=str(result.verdict),
            summary=result.summary,
            result=result.to_dict(),
            inputs=[{"role": r, "sha256": d} for r, d in digests.items()],
            software={"name": "bastion-sdk", "version": __version__},
        )

    def get_evidence(self, project: Ref, evidence_id: Ref) -> EvidenceRead:
        path = f"{API}/projects/{_segment(project)}/evidence/{_segment(evidence_id)}"
        return self._get(path, EvidenceRead)

    def list_evidence(self, project: Ref, **filters: Any) -> Page[EvidenceRead]:
        """One page of a project's evidence; filters of ``EvidenceQuery`` (``kind``,
        ``subject_id``, ``verdict``, ``current=True`` …)."""
        query = _validate(EvidenceQuery, None, filters)
        path = f"{API}/projects/{_segment(project)}/evidence"
        data = self._request("GET", path, params=_json(query)).json()
        items = [EvidenceRead.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    # Lineage and health ------------------------------------------------------------------

    def lineage(
        self,
        project: Ref,
        subject_type: SubjectType | str,
        subject_id: Ref,
        direction: str = "both",
        depth: int = 10,
    ) -> LineageGraph:
        """The lineage graph around a record.

        Parameters
        ----------
        project : str or UUID
            Project slug or id.
        subject_type : SubjectType or str
            ``model_version``, ``dataset_version``, ``deployment``, or a container
            (``model``, ``dataset``, ``ai_system``) standing for all its versions.
        subject_id : str or UUID
            The record's id.
        direction : {"both", "upstream", "downstream"}
            Upstream walks towards the data, downstream towards deployments.
        depth : int
            Hops from the start, 1 to 10.
        """
        params = {
            "subject_type": str(subject_type),
            "subject_id": str(subject_id),
            "direction": direction,
            "depth": depth,
        }
        response = self._request(
            "GET", f"{API}/projects/{_segment(project)}/lineage", params=params
        )
        return LineageGraph.model_validate(response.json())

    def run_assessment(
        self,
        project: Ref,
        version_id: Ref,
        data: AssessmentRunCreate | None = None,
        /,
        **fields: Any,
    ) -> EvidenceRead:
        """Run an assessment of a model version on the server, on a registered dataset
        version, and return the evidence it recorded.

        Fields are those of ``AssessmentRunCreate``: ``kind``, ``dataset_version_id``,
        ``label``, ``sensitive``, ``prediction`` / ``score`` (predictions-only), …
        """
        body = _validate(AssessmentRunCreate, data, fields)
        path = f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/assessments"
        return self._create(path, EvidenceRead, body)

    # Data protection ---------------------------------------------------------------------

    def scan_dataset_version(
        self, project: Ref, version_id: Ref, data: PiiScanCreate | None = None, /, **fields: Any
    ) -> EvidenceRead:
        """Scan a dataset version's data for personal data on the server (``sample``,
        ``exact``, ``entities``, ``encoding``); the ``scan.pii`` evidence it recorded."""
        body = _validate(PiiScanCreate, data, fields)
        path = f"{self._in(project, _DATASET_VERSIONS)}/{_segment(version_id)}/scans/pii"
        return self._create(path, EvidenceRead, body)

    def assess_reidentification(
        self,
        project: Ref,
        version_id: Ref,
        data: ReidentificationCreate | None = None,
        /,
        **fields: Any,
    ) -> EvidenceRead:
        """k-anonymity, l-diversity and t-closeness of a dataset version, on the server
        (``quasi_identifiers``, ``sensitive``, ``k``, ``l``, ``t``)."""
        body = _validate(ReidentificationCreate, data, fields)
        path = (
            f"{self._in(project, _DATASET_VERSIONS)}/{_segment(version_id)}"
            "/assessments/reidentification"
        )
        return self._create(path, EvidenceRead, body)

    def anonymize_dataset_version(
        self,
        project: Ref,
        version_id: Ref,
        data: AnonymizationCreate | None = None,
        /,
        **fields: Any,
    ) -> AnonymizationRead:
        """Anonymize a dataset version on the server with a spec (``spec``, ``version``)
        into a new version of the same dataset; the new version and its evidence."""
        body = _validate(AnonymizationCreate, data, fields)
        path = f"{self._in(project, _DATASET_VERSIONS)}/{_segment(version_id)}/anonymize"
        return self._create(path, AnonymizationRead, body)

    def check_data_minimization(
        self,
        project: Ref,
        version_id: Ref,
        data: MinimizationCreate | None = None,
        /,
        **fields: Any,
    ) -> EvidenceRead:
        """Check a model version's features against the PII scans of its training data
        (``features``, ``label``, ``justifications``)."""
        body = _validate(MinimizationCreate, data, fields)
        path = (
            f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/checks/data-minimization"
        )
        return self._create(path, EvidenceRead, body)

    def model_card(self, project: Ref, version_id: Ref, *, format: str = "md") -> str:
        """A model version's model card, generated now from its record and evidence.

        Parameters
        ----------
        format : {"md", "html", "json"}
            Markdown, a self-contained HTML page, or the card as JSON text.
        """
        path = f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/card"
        return self._request("GET", path, params={"format": format}).text

    # Compliance ----------------------------------------------------------------------------

    def frameworks(self) -> list[FrameworkSummary]:
        """The framework catalogs the server loaded (built-in and the organization's)."""
        response = self._request("GET", f"{API}/frameworks")
        return [FrameworkSummary.model_validate(f) for f in response.json()]

    def framework(self, framework_id: str) -> dict[str, Any]:
        """A framework's requirements: when each applies and which evidence satisfies it."""
        return cast(
            dict[str, Any],
            self._request("GET", f"{API}/frameworks/{_segment(framework_id)}").json(),
        )

    def questionnaires(self) -> list[dict[str, Any]]:
        """The questionnaires the server offers: id, title, legal basis, version."""
        return cast(list[dict[str, Any]], self._request("GET", f"{API}/questionnaires").json())

    def questionnaire(self, questionnaire_id: str) -> dict[str, Any]:
        """A questionnaire's definition (``dpia``, ``ropa``, ``fria``, ``art22``)."""
        path = f"{API}/questionnaires/{_segment(questionnaire_id)}"
        return cast(dict[str, Any], self._request("GET", path).json())

    def classification_tree(self) -> dict[str, Any]:
        """The EU AI Act decision tree the server classifies with."""
        return cast(dict[str, Any], self._request("GET", f"{API}/classification/eu-ai-act").json())

    def classify_system(
        self, project: Ref, system_id: Ref, answers: Mapping[str, Any]
    ) -> ClassificationRead:
        """Classify an AI system under the EU AI Act from answers to the decision tree;
        records the classification as evidence and sets the system's tier and role."""
        path = f"{self._in(project, _SYSTEMS)}/{_segment(system_id)}/classification"
        response = self._request("POST", path, json=_answers(answers))
        return ClassificationRead.model_validate(response.json())

    def get_classification(self, project: Ref, system_id: Ref) -> ClassificationRead:
        path = f"{self._in(project, _SYSTEMS)}/{_segment(system_id)}/classification"
        return self._get(path, ClassificationRead)

    def record_questionnaire(
        self, project: Ref, system_id: Ref, questionnaire_id: str, answers: Mapping[str, Any]
    ) -> EvidenceRead:
        """Record a completed questionnaire about an AI system as evidence."""
        path = (
            f"{self._in(project, _SYSTEMS)}/{_segment(system_id)}"
            f"/questionnaires/{_segment(questionnaire_id)}"
        )
        response = self._request("POST", path, json=_answers(answers))
        return EvidenceRead.model_validate(response.json())

    def set_control(
        self, project: Ref, system_id: Ref, requirement: str, **fields: Any
    ) -> ImplementationRead:
        """Set who owns a requirement for a system and by when (``owner``, ``due_date``,
        ``notes``), or why it does not apply (``not_applicable``)."""
        body = _validate(ImplementationSet, None, fields)
        path = (
            f"{self._in(project, _SYSTEMS)}/{_segment(system_id)}/controls/{_segment(requirement)}"
        )
        response = self._request("PUT", path, json=_json(body))
        return ImplementationRead.model_validate(response.json())

    def list_controls(self, project: Ref, system_id: Ref) -> list[ImplementationRead]:
        path = f"{self._in(project, _SYSTEMS)}/{_segment(system_id)}/controls"
        return [ImplementationRead.model_validate(c) for c in self._request("GET", path).json()]

    def compliance_status(
        self, project: Ref, system_id: Ref, *, framework: str | None = None
    ) -> ComplianceRead:
        """Requirement-by-requirement status of an AI system, in every framework or one."""
        path = f"{self._in(project, _SYSTEMS)}/{_segment(system_id)}/compliance"
        params = {"framework": framework} if framework else {}
        return ComplianceRead.model_validate(self._request("GET", path, params=params).json())

    def project_compliance(self, project: Ref) -> RollupRead:
        """Every AI system of a project with its counts per framework and status."""
        return self._get(f"{API}/projects/{_segment(project)}/compliance", RollupRead)

    def organization_compliance(self) -> OrganizationRollupRead:
        """Every project you may read (admins: all), with its systems' counts per
        framework and status, and the totals over all of them."""
        return self._get(f"{API}/compliance", OrganizationRollupRead)

    def compliance_report(self, project: Ref, system_id: Ref, *, format: str = "html") -> bytes:
        """A system's compliance report as self-contained HTML or PDF bytes."""
        path = f"{self._in(project, _SYSTEMS)}/{_segment(system_id)}/report"
        return self._request("GET", path, params={"format": format}).content

    def download_evidence_pack(
        self, project: Ref, system_id: Ref, dest: str | os.PathLike[str]
    ) -> Path:
        """Download a system's evidence pack (a zip) to ``dest``; verify it offline with
        ``bastion.reports.verify.verify_pack``."""
        path = f"{self._in(project, _SYSTEMS)}/{_segment(system_id)}/evidence-pack"
        return self._download(path, Path(dest))

    # Release gates -------------------------------------------------------------------------

    def check_gate(self, project: Ref, version_id: Ref, gate: str) -> GateDecisionRead:
        """Evaluate a release gate (``register``, ``staging``, ``production``, ``retired``)
        for a model version now; the decision is recorded as evidence and returned."""
        path = f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/gates/{_segment(gate)}"
        return GateDecisionRead.model_validate(self._request("POST", path).json())

    def change_stage(
        self, project: Ref, version_id: Ref, stage: str, *, break_glass: str | None = None
    ) -> StageChangeRead:
        """Move a model version to ``stage`` through its release gate. Raises
        ``GateDeniedError`` (its ``decision`` says why) when the gate denies, unless an
        organization admin gives a ``break_glass`` justification."""
        body = _validate(StageChange, None, {"stage": stage, "break_glass": break_glass})
        path = f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/stage"
        return StageChangeRead.model_validate(self._request("POST", path, json=_json(body)).json())

    def request_promotion(
        self, project: Ref, version_id: Ref, stage: str, *, comment: str = ""
    ) -> PromotionRequestRead:
        """Ask for the approvals a promotion needs; approvers are notified."""
        body = _validate(PromotionRequestCreate, None, {"stage": stage, "comment": comment})
        path = f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/promotion-requests"
        return self._create(path, PromotionRequestRead, body)

    def list_promotion_requests(
        self, project: Ref, *, model_version_id: Ref | None = None
    ) -> list[PromotionRequestRead]:
        params = {"model_version_id": str(model_version_id)} if model_version_id else {}
        path = f"{API}/projects/{_segment(project)}/promotion-requests"
        return [
            PromotionRequestRead.model_validate(r)
            for r in self._request("GET", path, params=params).json()
        ]

    def get_promotion_request(self, project: Ref, request_id: Ref) -> PromotionRequestRead:
        path = f"{API}/projects/{_segment(project)}/promotion-requests/{_segment(request_id)}"
        return self._get(path, PromotionRequestRead)

    def answer_promotion_request(
        self, project: Ref, request_id: Ref, *, decision: str = "approve", comment: str = ""
    ) -> ApprovalRead:
        """Approve (or ``decision="reject"``) a promotion request."""
        body = _validate(ApprovalCreate, None, {"decision": decision, "comment": comment})
        requests = f"{API}/projects/{_segment(project)}/promotion-requests"
        path = f"{requests}/{_segment(request_id)}/approvals"
        return self._create(path, ApprovalRead, body)

    def withdraw_promotion_request(self, project: Ref, request_id: Ref) -> PromotionRequestRead:
        path = (
            f"{API}/projects/{_segment(project)}/promotion-requests/{_segment(request_id)}/withdraw"
        )
        return PromotionRequestRead.model_validate(self._request("POST", path).json())

    def upload_policy_bundle(
        self, project: Ref, source: str | os.PathLike[str], *, name: str | None = None
    ) -> PolicyBundleRead:
        """Upload a policy bundle — a directory of ``.rego`` modules (zipped here) or a
        zip — to be the project's bundle in force."""
        source = Path(source)
        if source.is_dir():
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for file in sorted(source.rglob("*")):
                    if file.is_file() and (file.suffix == ".rego" or file.name == "data.json"):
                        archive.write(file, file.relative_to(source).as_posix())
            content = buffer.getvalue()
        else:
            content = source.read_bytes()
        path = f"{API}/projects/{_segment(project)}/policy-bundles"
        response = self._request(
            "POST",
            path,
            params={"name": name or source.stem},
            content=content,
            headers={"Content-Type": "application/zip"},
        )
        return PolicyBundleRead.model_validate(response.json())

    def policy_bundles(self, project: Ref) -> dict[str, Any]:
        """The bundle in force and every uploaded version."""
        path = f"{API}/projects/{_segment(project)}/policy-bundles"
        return cast(dict[str, Any], self._request("GET", path).json())

    # Differential privacy ----------------------------------------------------------------

    def set_privacy_budget(
        self, project: Ref, dataset_id: Ref, *, epsilon: float, delta: float = 0.0
    ) -> PrivacyBudgetRead:
        """Set or change a dataset's total privacy loss (ε, δ) for all its versions'
        differentially private queries; never below what they have spent (``dp.budget``)."""
        body = _validate(PrivacyBudgetSet, None, {"epsilon": epsilon, "delta": delta})
        path = f"{self._in(project, _DATASETS)}/{_segment(dataset_id)}/privacy-budget"
        response = self._request("PUT", path, json=_json(body))
        return PrivacyBudgetRead.model_validate(response.json())

    def get_privacy_budget(self, project: Ref, dataset_id: Ref) -> PrivacyBudgetRead:
        """A dataset's privacy budget, what its queries have spent and what is left
        (``is_set`` is False until a budget is set)."""
        path = f"{self._in(project, _DATASETS)}/{_segment(dataset_id)}/privacy-budget"
        return self._get(path, PrivacyBudgetRead)

    def dp_query(
        self, project: Ref, version_id: Ref, data: DpQueryCreate | None = None, /, **fields: Any
    ) -> DpQueryRead:
        """Run a differentially private query on a dataset version's uploaded table,
        charged to its dataset's budget and recorded in its query ledger.

        Fields are those of ``DpQueryCreate``: ``statistic`` (count, sum, mean, histogram,
        quantile), ``column``, ``epsilon``, the bounds it needs (``lower``/``upper``,
        ``categories``, ``candidates``), ``alpha``, ``size``, ``delta`` with
        ``noise="gaussian"``. A query that does not fit the budget raises ``ConflictError``
        and spends nothing.
        """
        body = _validate(DpQueryCreate, data, fields)
        path = f"{self._in(project, _DATASET_VERSIONS)}/{_segment(version_id)}/dp-queries"
        return self._create(path, DpQueryRead, body)

    def list_dp_queries(self, project: Ref, version_id: Ref, **filters: Any) -> Page[DpQueryRead]:
        """One page of the query ledger of the version's dataset; filters of
        ``DpQueryQuery`` (``statistic``, ``this_version``, ``limit``, ``cursor``)."""
        query = _validate(DpQueryQuery, None, filters)
        path = f"{self._in(project, _DATASET_VERSIONS)}/{_segment(version_id)}/dp-queries"
        data = self._request("GET", path, params=_json(query)).json()
        items = [DpQueryRead.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    # Risk register -----------------------------------------------------------------------

    def _risks(self, project: Ref) -> str:
        return f"{API}/projects/{_segment(project)}/risks"

    def create_risk(
        self, project: Ref, data: RiskCreate | None = None, /, **fields: Any
    ) -> RiskRead:
        """Add a risk of an AI system (fields of ``RiskCreate``: ``system_id``, ``title``,
        ``category``, ``likelihood`` and ``impact`` 1-5, and optionally ``treatment``,
        residual ratings, ``controls``, ``review_date``, …); the server scores it."""
        body = _validate(RiskCreate, data, fields)
        return self._create(self._risks(project), RiskRead, body)

    def list_risks(self, project: Ref, **filters: Any) -> Page[RiskRead]:
        """One page of the register; filters of ``RiskQuery`` (``system_id``, ``category``,
        ``status``, ``level``, ``overdue``, ``untreated_high``, ``sort``, ``limit``,
        ``cursor``)."""
        query = _validate(RiskQuery, None, filters)
        data = self._request("GET", self._risks(project), params=_json(query)).json()
        items = [RiskRead.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    def get_risk(self, project: Ref, risk: Ref) -> RiskRead:
        """A risk by id or by number (``"R-12"``)."""
        return self._get(f"{self._risks(project)}/{_segment(risk)}", RiskRead)

    def update_risk(
        self, project: Ref, risk: Ref, data: RiskUpdate | None = None, /, **fields: Any
    ) -> RiskRead:
        """Change some fields of a risk. ``version`` (the one you read) is required: if
        someone changed the risk since, ``ConflictError`` is raised and nothing changes.
        ``note`` says why, in the risk's history."""
        body = _validate(RiskUpdate, data, fields)
        path = f"{self._risks(project)}/{_segment(risk)}"
        return RiskRead.model_validate(self._request("PATCH", path, json=_json(body)).json())

    def risk_history(self, project: Ref, risk: Ref) -> list[RiskEventRead]:
        """Every change of a risk, oldest first: ``{field: [old, new]}``, who, when, why."""
        data = self._request("GET", f"{self._risks(project)}/{_segment(risk)}/history").json()
        return [RiskEventRead.model_validate(item) for item in data]

    def risks_needing_attention(self, project: Ref) -> Attention:
        """Risks with a review date passed, and untreated high or critical risks, with why."""
        return self._get(f"{self._risks(project)}/attention", Attention)

    @overload
    def export_risks(
        self,
        project: Ref,
        *,
        format: str = "csv",
        system_id: Ref | None = None,
        dest: None = None,
    ) -> str: ...
    @overload
    def export_risks(
        self,
        project: Ref,
        *,
        format: str = "csv",
        system_id: Ref | None = None,
        dest: str | os.PathLike[str],
    ) -> Path: ...
    def export_risks(
        self,
        project: Ref,
        *,
        format: str = "csv",
        system_id: Ref | None = None,
        dest: str | os.PathLike[str] | None = None,
    ) -> str | Path:
        """The register (or one system's risks) as CSV or JSON text, in the format
        ``import_risks`` reads; with ``dest``, streamed into that file (its path returned).
        """
        params = {"format": format}
        if system_id is not None:
            params["system_id"] = str(system_id)
        path = f"{self._risks(project)}/export"
        if dest is None:
            return self._request("GET", path, params=params).text
        target = Path(dest)
        with (
            map_transport_errors(self.url, self.timeout),
            self._http.stream("GET", path, params=params) as response,
        ):
            if response.is_error:
                response.read()
                raise error_from_response(response)
            with target.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK_SIZE):
                    out.write(chunk)
        return target

    def import_risks(
        self,
        project: Ref,
        source: str | os.PathLike[str] | bytes,
        *,
        format: str | None = None,
        dry_run: bool = False,
    ) -> RiskImportResult:
        """Import risks from a CSV or JSON file (a path), or from its content (bytes).

        ``format`` ("csv" or "json") defaults to the file's suffix. Every row is checked
        first: if any is invalid, nothing is imported and ``InvalidInputError`` is raised;
        its ``body["errors"]`` lists every invalid value (row, line, field, message). With
        ``dry_run`` nothing is written, and the result says what would be created.
        """
        if isinstance(source, bytes):
            content = source
        else:
            content = Path(source).read_bytes()
            format = format or Path(source).suffix.lstrip(".").lower()
        format = format or "csv"
        media_types = {"csv": "text/csv", "json": "application/json"}
        if format not in media_types:
            raise InvalidRequestError(
                f"format: {format!r} is not imported; use csv or json", field="format"
            )
        response = self._request(
            "POST",
            f"{self._risks(project)}/import",
            params={"dry_run": str(dry_run).lower()},
            content=content,
            headers={"Content-Type": media_types[format]},
        )
        return RiskImportResult.model_validate(response.json())

    # Monitoring --------------------------------------------------------------------------
    #
    # Monitors of model versions, the prediction and label log, runs and windows. Tables
    # (pandas, polars, Arrow) travel as compressed Arrow IPC streams: no per-row work on
    # either side.

    def _monitors(self, project: Ref) -> str:
        return f"{API}/projects/{_segment(project)}/monitors"

    def _version_path(self, project: Ref, version_id: Ref, leaf: str) -> str:
        return f"{self._in(project, _MODEL_VERSIONS)}/{_segment(version_id)}/{leaf}"

    @staticmethod
    def _arrow_stream(data: Any, role: str) -> bytes:
        """A table (pandas, polars, Arrow, or a path to Parquet/CSV) as an Arrow IPC stream."""
        import pyarrow as pa
        import pyarrow.csv as pa_csv
        import pyarrow.ipc as pa_ipc
        import pyarrow.parquet as pq

        if isinstance(data, str | os.PathLike):
            path = Path(data)
            if path.suffix.lower() == ".parquet":
                table = pq.read_table(path)
            elif path.suffix.lower() == ".csv":
                table = pa_csv.read_csv(path)
            else:
                raise InvalidRequestError(
                    f"{role}: read Parquet or CSV files, not {path.name!r}", field=role
                )
        elif isinstance(data, pa.Table):
            table = data
        elif isinstance(data, pa.RecordBatch):
            table = pa.Table.from_batches([data])
        elif type(data).__module__.startswith("polars"):
            table = data.to_arrow()
        elif type(data).__module__.startswith("pandas"):
            table = pa.Table.from_pandas(data, preserve_index=False)
        else:
            raise InvalidRequestError(
                f"{role}: expected a pandas, polars or Arrow table, got {type(data).__name__}",
                field=role,
            )
        sink = io.BytesIO()
        # zstd: a few times smaller on the wire (text columns), at little CPU either side.
        options = pa_ipc.IpcWriteOptions(compression="zstd")
        with pa_ipc.new_stream(sink, table.schema, options=options) as writer:
            writer.write_table(table)
        return sink.getvalue()

    def _send_table(
        self, path: str, data: Any, role: str, params: dict[str, str], method: str = "POST"
    ) -> httpx.Response:
        return self._request(
            method,
            path,
            params=params,
            content=self._arrow_stream(data, role),
            headers={"Content-Type": "application/vnd.apache.arrow.stream"},
        )

    def create_monitor(
        self, project: Ref, version_id: Ref, data: MonitorCreate | None = None, /, **fields: Any
    ) -> MonitorRead:
        """Create a monitor of a model version (fields of ``MonitorCreate``: ``name``,
        ``dataset_version_id`` as reference, ``columns``, ``prediction_column``,
        ``protected_attributes``, ``window`` such as ``{"rows": 1000}`` or
        ``{"period": "1d"}``, ``schedule``, ``alert_rules``, …). Without a dataset version,
        give the reference with ``set_monitor_reference``."""
        body = _validate(MonitorCreate, data, fields)
        return self._create(self._version_path(project, version_id, "monitors"), MonitorRead, body)

    def set_monitor_reference(self, project: Ref, monitor_id: Ref, data: Any) -> MonitorRead:
        """Upload a monitor's reference data (a table or a Parquet/CSV path) and fit its
        profile; a later upload replaces it."""
        path = f"{self._monitors(project)}/{_segment(monitor_id)}/reference"
        return MonitorRead.model_validate(self._send_table(path, data, "data", {}, "PUT").json())

    def list_monitors(self, project: Ref, **filters: Any) -> Page[MonitorRead]:
        """One page of monitors; filters of ``MonitorQuery`` (``model_version_id``,
        ``enabled``, ``sort``, ``limit``, ``cursor``)."""
        query = _validate(MonitorQuery, None, filters)
        data = self._request("GET", self._monitors(project), params=_json(query)).json()
        items = [MonitorRead.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    def get_monitor(self, project: Ref, monitor_id: Ref) -> MonitorRead:
        return self._get(f"{self._monitors(project)}/{_segment(monitor_id)}", MonitorRead)

    def update_monitor(
        self, project: Ref, monitor_id: Ref, data: MonitorUpdate | None = None, /, **fields: Any
    ) -> MonitorRead:
        """Change some fields of a monitor. Without ``version``, the version read just
        before is sent (someone else's change in between still raises ``ConflictError``)."""
        if data is None and "version" not in fields:
            fields["version"] = self.get_monitor(project, monitor_id).version
        body = _validate(MonitorUpdate, data, fields)
        path = f"{self._monitors(project)}/{_segment(monitor_id)}"
        return MonitorRead.model_validate(self._request("PATCH", path, json=_json(body)).json())

    def disable_monitor(self, project: Ref, monitor_id: Ref) -> MonitorRead:
        """Stop the monitor's scheduled runs; its windows and evidence stay."""
        return self.update_monitor(project, monitor_id, enabled=False)

    def delete_monitor(self, project: Ref, monitor_id: Ref) -> None:
        """Delete the monitor and its window records; their evidence stays."""
        self._request("DELETE", f"{self._monitors(project)}/{_segment(monitor_id)}")

    def log_predictions(
        self,
        project: Ref,
        version_id: Ref,
        data: Any,
        *,
        prediction_id: str = "prediction_id",
        timestamp: str = "timestamp",
    ) -> PredictionBatchRead:
        """Log a batch of a model version's predictions: a pandas, polars or Arrow table
        (or a Parquet/CSV path) with an id column (``prediction_id`` names it), the
        prediction, the features and optionally a timestamp column (``timestamp`` names
        it; without one, the time of receipt). Ids repeated within the batch are refused
        (``InvalidInputError`` naming the rows); ids of earlier batches are counted in
        ``duplicates``. Sending the same batch again (a retry) adds nothing: ``repeated``."""
        params = {"id_column": prediction_id, "timestamp_column": timestamp}
        response = self._send_table(
            self._version_path(project, version_id, "predictions"), data, "data", params
        )
        return PredictionBatchRead.model_validate(response.json())

    def list_prediction_batches(
        self, project: Ref, version_id: Ref, **filters: Any
    ) -> Page[PredictionBatchRead]:
        """One page of a model version's logged batches, newest first (``limit``,
        ``cursor``); their rows stay in the server's artifact store."""
        query = _validate(BatchQuery, None, filters)
        path = self._version_path(project, version_id, "predictions")
        data = self._request("GET", path, params=_json(query)).json()
        items = [PredictionBatchRead.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    def log_labels(
        self,
        project: Ref,
        version_id: Ref,
        data: Any,
        *,
        prediction_id: str = "prediction_id",
        label: str = "label",
    ) -> LabelBatchRead:
        """Log labels of logged predictions, late or not: a table (or path, or a mapping
        ``{prediction id: label}``) with the id column and the label column. The last
        label given for an id wins (``duplicates``); labels of ids not logged yet are kept
        (``unknown``, ``unknown_ids``)."""
        if isinstance(data, Mapping):
            import pyarrow as pa

            data = pa.table({prediction_id: list(data.keys()), label: list(data.values())})
        params = {"id_column": prediction_id, "label_column": label}
        response = self._send_table(
            self._version_path(project, version_id, "labels"), data, "data", params
        )
        return LabelBatchRead.model_validate(response.json())

    def run_monitor(self, project: Ref, monitor_id: Ref) -> RunRead:
        """Evaluate the monitor's complete windows now (and re-evaluate windows that late
        labels changed), as the server's schedule does."""
        path = f"{self._monitors(project)}/{_segment(monitor_id)}/run"
        return RunRead.model_validate(self._request("POST", path).json())

    def monitor_windows(self, project: Ref, monitor_id: Ref, **filters: Any) -> Page[WindowRead]:
        """One page of the monitor's evaluated windows, newest first (``sort="index"``
        for oldest first; ``limit``, ``cursor``)."""
        query = _validate(WindowQuery, None, filters)
        path = f"{self._monitors(project)}/{_segment(monitor_id)}/windows"
        data = self._request("GET", path, params=_json(query)).json()
        items = [WindowRead.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    @overload
    def window_report(
        self, project: Ref, monitor_id: Ref, index: int, *, format: Literal["json"] = "json"
    ) -> dict[str, Any]: ...
    @overload
    def window_report(
        self, project: Ref, monitor_id: Ref, index: int, *, format: Literal["html"]
    ) -> str: ...
    def window_report(
        self, project: Ref, monitor_id: Ref, index: int, *, format: str = "json"
    ) -> dict[str, Any] | str:
        """A window's drift report: JSON (per column the test, statistic, threshold and
        drift flag, then the dataset verdict) or a self-contained HTML page."""
        if format not in ("json", "html"):
            raise InvalidRequestError(f"format: {format!r}; use json or html", field="format")
        window = f"{self._monitors(project)}/{_segment(monitor_id)}/windows/{int(index)}"
        response = self._request("GET", f"{window}/report.{format}")
        if format == "html":
            return response.text
        report: dict[str, Any] = response.json()
        return report

    # Incidents ---------------------------------------------------------------------------

    def _incidents(self, project: Ref) -> str:
        return f"{API}/projects/{_segment(project)}/incidents"

    def list_alerts(self, project: Ref, **filters: Any) -> Page[AlertRead]:
        """One page of alert states (one per monitor and rule); filters of ``AlertQuery``
        (``monitor_id``, ``model_version_id``, ``state``, ``severity``, ``sort``,
        ``limit``, ``cursor``)."""
        query = _validate(AlertQuery, None, filters)
        path = f"{API}/projects/{_segment(project)}/alerts"
        data = self._request("GET", path, params=_json(query)).json()
        items = [AlertRead.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    def create_incident(
        self, project: Ref, data: IncidentCreate | None = None, /, **fields: Any
    ) -> IncidentDetail:
        """Report an incident of an AI system (fields of ``IncidentCreate``: ``system_id``,
        ``title``, and optionally ``description``, ``severity``, ``owner``,
        ``risk_category``); a risk of that category is raised in the register."""
        body = _validate(IncidentCreate, data, fields)
        return self._create(self._incidents(project), IncidentDetail, body)

    def list_incidents(self, project: Ref, **filters: Any) -> Page[IncidentRead]:
        """One page of incidents; filters of ``IncidentQuery`` (``system_id``, ``status``,
        ``severity``, ``open_only``, ``sort``, ``limit``, ``cursor``)."""
        query = _validate(IncidentQuery, None, filters)
        data = self._request("GET", self._incidents(project), params=_json(query)).json()
        items = [IncidentRead.model_validate(item) for item in data["items"]]
        return Page(items=items, next_cursor=data.get("next_cursor"))

    def get_incident(self, project: Ref, incident: Ref) -> IncidentDetail:
        """An incident by id or number (``"I-3"``), with its links and timeline."""
        return self._get(f"{self._incidents(project)}/{_segment(incident)}", IncidentDetail)

    def update_incident(
        self, project: Ref, incident: Ref, data: IncidentUpdate | None = None, /, **fields: Any
    ) -> IncidentDetail:
        """Change ``title``, ``description``, ``severity``, ``owner`` or ``status``
        (``investigating``, ``mitigated``); ``note`` says why, in the timeline."""
        body = _validate(IncidentUpdate, data, fields)
        path = f"{self._incidents(project)}/{_segment(incident)}"
        return IncidentDetail.model_validate(self._request("PATCH", path, json=_json(body)).json())

    def add_incident_note(self, project: Ref, incident: Ref, note: str) -> IncidentEventRead:
        """Add a note to the incident's timeline."""
        body = _validate(IncidentNote, None, {"note": note})
        path = f"{self._incidents(project)}/{_segment(incident)}/notes"
        return self._create(path, IncidentEventRead, body)

    def close_incident(self, project: Ref, incident: Ref, resolution: str) -> IncidentDetail:
        """Close the incident with its resolution; ``ConflictError`` while an alert it
        links still fires."""
        body = _validate(IncidentClose, None, {"resolution": resolution})
        path = f"{self._incidents(project)}/{_segment(incident)}/close"
        return self._create(path, IncidentDetail, body)

    # Identity and access -----------------------------------------------------------------

    def me(self) -> Me:
        """The caller: principal id, kind, credential, admin flag and roles per project."""
        return self._get(f"{API}/auth/me", Me)

    def create_user(self, data: UserCreate | None = None, /, **fields: Any) -> UserRead:
        """Create a user or (``kind="service_account"``) a service account; admins only."""
        body = _validate(UserCreate, data, fields)
        # Passwords are SecretStr: sent in clear over the connection, never printed.
        payload = _json(body)
        if body.password is not None:
            payload["password"] = body.password.get_secret_value()
        return UserRead.model_validate(self._request("POST", f"{API}/users", json=payload).json())

    def list_users(self, *, kind: str | None = None) -> list[UserRead]:
        """Every user and service account (admins only); ``kind`` narrows to one kind."""
        params = {"kind": kind} if kind else {}
        data = self._request("GET", f"{API}/users", params=params).json()
        return [UserRead.model_validate(item) for item in data]

    def get_user(self, user_id: Ref) -> UserRead:
        return self._get(f"{API}/users/{_segment(user_id)}", UserRead)

    def disable_user(self, user_id: Ref) -> UserRead:
        """Disable a principal: its keys, tokens and sessions stop working at once."""
        response = self._request("POST", f"{API}/users/{_segment(user_id)}/disable")
        return UserRead.model_validate(response.json())

    def set_password(
        self, user_id: Ref, password: str, *, current_password: str | None = None
    ) -> UserRead:
        """Set a password (admins: anyone's; users: their own, with the current one)."""
        body = _validate(
            PasswordChange, None, {"password": password, "current_password": current_password}
        )
        payload = {"password": body.password.get_secret_value()}
        if body.current_password is not None:
            payload["current_password"] = body.current_password.get_secret_value()
        response = self._request("PUT", f"{API}/users/{_segment(user_id)}/password", json=payload)
        return UserRead.model_validate(response.json())

    def create_api_key(self, data: ApiKeyCreate | None = None, /, **fields: Any) -> IssuedKeyRead:
        """A new API key (yours, or with ``principal_id`` another's, for admins). The secret
        is in ``.secret`` of the result, and nowhere else, ever."""
        body = _validate(ApiKeyCreate, data, fields)
        return self._create(f"{API}/keys", IssuedKeyRead, body)

    def list_api_keys(
        self, *, principal_id: Ref | None = None, all_principals: bool = False
    ) -> list[ApiKeyRead]:
        """Your keys; another principal's (``principal_id``) or everyone's, for admins."""
        params: dict[str, Any] = {"all": all_principals} if all_principals else {}
        if principal_id is not None:
            params["principal_id"] = str(principal_id)
        data = self._request("GET", f"{API}/keys", params=params).json()
        return [ApiKeyRead.model_validate(item) for item in data]

    def get_api_key(self, key_id: Ref) -> ApiKeyRead:
        return self._get(f"{API}/keys/{_segment(key_id)}", ApiKeyRead)

    def revoke_api_key(self, key_id: Ref) -> ApiKeyRead:
        """Revoke a key; the next request made with it is refused."""
        response = self._request("POST", f"{API}/keys/{_segment(key_id)}/revoke")
        return ApiKeyRead.model_validate(response.json())

    def rotate_api_key(self, key_id: Ref) -> IssuedKeyRead:
        """A new secret for a key's owner; the old key is revoked in the same transaction."""
        response = self._request("POST", f"{API}/keys/{_segment(key_id)}/rotate")
        return IssuedKeyRead.model_validate(response.json())

    def list_members(self, project: Ref) -> list[MemberRead]:
        """Who holds which roles in a project."""
        data = self._request("GET", f"{API}/projects/{_segment(project)}/members").json()
        return [MemberRead.model_validate(item) for item in data]

    def grant_role(self, project: Ref, principal_id: Ref, role: str) -> RoleBindingRead:
        """Give a principal a role in a project (owners and admins)."""
        body = _validate(RoleGrant, None, {"principal_id": principal_id, "role": role})
        return self._create(f"{API}/projects/{_segment(project)}/members", RoleBindingRead, body)

    def revoke_role(self, project: Ref, principal_id: Ref, role: str) -> None:
        """Take a role away from a principal in a project (owners and admins)."""
        path = (
            f"{API}/projects/{_segment(project)}/members/{_segment(principal_id)}"
            f"/roles/{_segment(role)}"
        )
        self._request("DELETE", path)

    def health(self) -> dict[str, Any]:
        """Liveness: ``{"status": "ok", "version": …}`` when the server process answers."""
        result: dict[str, Any] = self._request("GET", "/healthz").json()
        return result

    def ready(self) -> dict[str, Any]:
        """Readiness: ``{"status": "ready"}``, or ``ServiceUnavailableError`` without a database."""
        result: dict[str, Any] = self._request("GET", "/readyz").json()
        return result


def _remaining_size(stream: BinaryIO) -> int | None:
    """Bytes left to read in a seekable file; None for pipes and sockets."""
    try:
        position = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(position)
    except (OSError, AttributeError, ValueError):
        return None
    return end - position


def _chunks(stream: BinaryIO, progress: Progress | None) -> Iterator[bytes]:
    sent = 0
    while chunk := stream.read(CHUNK_SIZE):
        sent += len(chunk)
        yield chunk
        if progress is not None:
            progress(sent)
