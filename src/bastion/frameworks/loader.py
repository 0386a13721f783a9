"""Reading catalog files into a :class:`~bastion.frameworks.catalog.Catalog`.

The built-in catalogs ship as package data in ``bastion/frameworks/catalogs/``; custom
ones come from files or directories (``BASTION_FRAMEWORKS_DIR``). Every problem is
reported as a :class:`~bastion.frameworks.errors.CatalogError` naming the file, the
requirement and the field, so whoever wrote the catalog can find the line to fix.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import ErrorDetails

from bastion.frameworks.catalog import (
    Catalog,
    Crosswalk,
    FieldProblem,
    Framework,
    split_key,
    supported_schema_version,
    unknown,
)
from bastion.frameworks.errors import CatalogError, locate
from bastion.frameworks.vocabulary import EVIDENCE_KINDS, EvidenceKind

__all__ = ["load_catalog", "load_framework_file"]

CATALOG_SUFFIXES = frozenset({".yaml", ".yml", ".json"})

_Model = TypeVar("_Model", bound=BaseModel)


class _CrosswalkFile(BaseModel):
    """A file of crosswalks only, such as the built-in ``crosswalks.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int
    crosswalks: tuple[Crosswalk, ...]

    _supported_version = field_validator("schema_version")(supported_schema_version)

    @field_validator("crosswalks")
    @classmethod
    def _not_empty(cls, crosswalks: tuple[Crosswalk, ...]) -> tuple[Crosswalk, ...]:
        if not crosswalks:
            raise ValueError("a crosswalk file needs at least one crosswalk")
        return crosswalks


@dataclass(frozen=True)
class _Document:
    """One validated file: a framework (with its own crosswalks) or a crosswalk file."""

    source: str
    digest: str
    framework: Framework | None
    crosswalks: tuple[Crosswalk, ...]


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping: PyYAML would keep
    the last silently, and a catalog would lose a field without anyone noticing."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_catalog(extra: Iterable[Path] = (), *, builtin: bool = True) -> Catalog:
    """Load the built-in catalogs and any others.

    Parameters
    ----------
    extra : iterable of Path
        Catalog files, or directories whose ``*.yaml``, ``*.yml`` and ``*.json`` files
        are all loaded (not recursively), after the built-in ones.
    builtin : bool
        Load the catalogs that ship with Bastion (default). ``False`` loads only
        ``extra``, e.g. to look at one custom framework in a notebook.

    Returns
    -------
    Catalog
        The built-in catalog alone is loaded once per process and shared.

    Raises
    ------
    CatalogError
        A file that cannot be read or is invalid, a framework id defined twice, an
        evidence kind declared twice with different meanings, or a crosswalk naming a
        requirement that no loaded catalog defines.
    """
    paths = tuple(extra)
    if builtin and not paths:
        return _builtin_catalog()
    documents = [*(_builtin_documents() if builtin else ())]
    for path in paths:
        documents.extend(_path_documents(path))
    return _assemble(documents)


def load_framework_file(path: Path) -> Framework:
    """Validate one framework file on its own (``bastion frameworks validate FILE``).

    Checks everything the file can tell alone; crosswalks into other frameworks and a
    clash with a built-in framework id are checked by ``load_catalog([path])``.

    Raises
    ------
    CatalogError
        Naming the file, the requirement and the field at fault.
    """
    document = _read_file(path)
    if document.framework is None:
        raise CatalogError(
            "this is a crosswalk file, not a framework; check it with load_catalog([path])",
            file=document.source,
        )
    return document.framework


@functools.cache
def _builtin_catalog() -> Catalog:
    return _assemble(_builtin_documents())


@functools.cache
def _builtin_documents() -> tuple[_Document, ...]:
    directory = resources.files(__package__) / "catalogs"
    if not directory.is_dir():
        raise CatalogError(
            "the built-in catalogs are missing; is the package data installed?",
            file=str(directory),
        )
    entries = sorted(
        (entry for entry in directory.iterdir() if _is_catalog_name(entry.name)),
        key=lambda entry: entry.name,
    )
    return tuple(
        _parse_document(entry.name, entry.read_text(encoding="utf-8"), entry.name)
        for entry in entries
    )


def _is_catalog_name(name: str) -> bool:
    return Path(name).suffix.lower() in CATALOG_SUFFIXES


def _path_documents(path: Path) -> list[_Document]:
    if path.is_dir():
        return [
            _read_file(child)
            for child in sorted(path.iterdir())
            if child.is_file() and _is_catalog_name(child.name)
        ]
    return [_read_file(path)]


def _read_file(path: Path) -> _Document:
    source = str(path)
    if not _is_catalog_name(path.name):
        raise CatalogError("a catalog file ends in .yaml, .yml or .json", file=source)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CatalogError("the file is not UTF-8 text", file=source) from None
    except OSError as error:
        raise CatalogError(f"cannot read the file: {error.strerror}", file=source) from None
    return _parse_document(source, text, path.name)


def _parse_document(source: str, text: str, name: str) -> _Document:
    data = _parse(source, text, is_json=name.lower().endswith(".json"))
    if data is None:
        raise CatalogError("the file is empty", file=source)
    if not isinstance(data, dict):
        raise CatalogError(
            f"a catalog is a mapping of fields, not a {type(data).__name__}", file=source
        )
    if "id" in data or "requirements" in data:
        framework = _validate(Framework, data, source)
        return _Document(source, _content_digest(data), framework, framework.crosswalks)
    if "crosswalks" in data:
        crosswalk_file = _validate(_CrosswalkFile, data, source)
        return _Document(source, _content_digest(data), None, crosswalk_file.crosswalks)
    raise CatalogError(
        "neither a framework (no 'id' or 'requirements') nor a crosswalk file (no 'crosswalks')",
        file=source,
    )


def _parse(source: str, text: str, *, is_json: bool) -> Any:
    if is_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CatalogError(
                f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
                file=source,
            ) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CatalogError(
            f"invalid YAML{where}: {error.problem or error.context}", file=source
        ) from None
    except yaml.YAMLError as error:
        raise CatalogError(f"invalid YAML: {error}", file=source) from None


def _content_digest(data: Mapping[str, Any]) -> str:
    """SHA-256 of the parsed content in canonical JSON: comments, key order and layout
    do not change it; any change of meaning does. (Dates that YAML parsed are
    written in ISO form.)"""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _validate(model: type[_Model], data: Mapping[str, Any], source: str) -> _Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        located = [_locate_error(detail, data) for detail in error.errors()]
        (requirement, field, problem), *more = located
        raise CatalogError(
            problem,
            file=source,
            requirement=requirement,
            field=field,
            more=[locate(source, p, requirement=r, field=f) for r, f, p in more],
        ) from None


def _locate_error(detail: ErrorDetails, data: Mapping[str, Any]) -> tuple[str | None, str, str]:
    """(requirement id, field, problem) of one pydantic error, read from its location."""
    cause = detail.get("ctx", {}).get("error")
    problem = str(cause) if isinstance(cause, ValueError) else detail["msg"]
    loc: Sequence[int | str] = detail["loc"]
    requirement = None
    if len(loc) >= 2 and loc[0] == "requirements" and isinstance(loc[1], int):
        requirement = _requirement_label(data, loc[1])
        loc = loc[2:]
    field = _render_location(loc)
    if isinstance(cause, FieldProblem):
        requirement = cause.requirement or requirement
        field = cause.field
    return requirement, field, problem


def _requirement_label(data: Mapping[str, Any], index: int) -> str:
    """The id of the requirement at ``index`` as written, or its position if it has none."""
    entry = data["requirements"][index]
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return str(entry["id"])
    return f"#{index + 1}"


def _render_location(loc: Sequence[int | str]) -> str:
    """``("applies_when", "risk_tiers", 0)`` → ``applies_when.risk_tiers[0]``; dotted
    names such as evidence kinds are quoted: ``evidence_kinds['document.x']``."""
    rendered = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the key itself", already named
            continue
        if isinstance(part, int):
            rendered += f"[{part}]"
        elif part.isidentifier():
            rendered += f".{part}" if rendered else part
        else:
            rendered += f"[{part!r}]"
    return rendered


def _assemble(documents: Sequence[_Document]) -> Catalog:
    frameworks: dict[str, Framework] = {}
    defined_in: dict[str, str] = {}
    evidence_kinds: dict[str, EvidenceKind] = dict(EVIDENCE_KINDS)
    kind_declared_in: dict[str, str] = {}
    for document in documents:
        framework = document.framework
        if framework is None:
            continue
        if framework.id in frameworks:
            raise CatalogError(
                f"framework {framework.id!r} is already defined in {defined_in[framework.id]}",
                file=document.source,
                field="id",
            )
        frameworks[framework.id] = framework
        defined_in[framework.id] = document.source
        for name, kind in framework.evidence_kinds.items():
            if name in kind_declared_in and evidence_kinds[name] != kind:
                raise CatalogError(
                    f"{name!r} is also declared by {kind_declared_in[name]} with another "
                    "description or validity",
                    file=document.source,
                    field="evidence_kinds",
                )
            evidence_kinds[name] = kind
            kind_declared_in.setdefault(name, document.source)
    for document in documents:
        for index, crosswalk in enumerate(document.crosswalks):
            _check_members(crosswalk, frameworks, source=document.source, index=index)
    return Catalog(
        frameworks=frameworks,
        crosswalks=tuple(crosswalk for document in documents for crosswalk in document.crosswalks),
        evidence_kinds=evidence_kinds,
        digest=_catalog_digest(documents),
    )


def _check_members(
    crosswalk: Crosswalk, frameworks: Mapping[str, Framework], *, source: str, index: int
) -> None:
    for key in crosswalk.requirements:
        framework_id, requirement_id = split_key(key)
        if framework_id not in frameworks:
            problem = f"{key!r}: " + unknown("framework", framework_id, frameworks)
        elif requirement_id not in {r.id for r in frameworks[framework_id].requirements}:
            problem = f"{key!r}: framework {framework_id} has no requirement {requirement_id!r}"
        else:
            continue
        raise CatalogError(problem, file=source, field=f"crosswalks[{index}].requirements")


def _catalog_digest(documents: Iterable[_Document]) -> str:
    """One digest for the set of files, whatever order they were found in."""
    joined = "\n".join(sorted(document.digest for document in documents))
    return hashlib.sha256(joined.encode("ascii")).hexdigest()
