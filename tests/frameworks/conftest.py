"""Shared data for the framework tests: the fixture catalogs of ``catalogs/`` (two small
frameworks and their crosswalks), a fixed clock, and factories for catalog files and
evidence."""

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bastion.frameworks import Catalog, EvidenceItem, load_catalog

FIXTURES = Path(__file__).parent / "catalogs"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

_evidence_ids = itertools.count(1)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """alpha (a1 to a4), beta (b1 to b3) and the crosswalks a3 ≡ b1 ≡ b2, a1 ~ b2, a1 ~ a4."""
    return load_catalog([FIXTURES], builtin=False)


def framework_data(**fields: Any) -> dict[str, Any]:
    """A valid framework ``acme`` with one requirement ``r1``; ``fields`` replace its own."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": "acme",
        "name": "Acme Policy",
        "title": "Acme's internal AI policy",
        "version": "1",
        "publisher": "Acme",
        "kind": "internal",
        "summary": "What Acme asks of its AI systems.",
        "requirements": [requirement_data()],
    }
    data.update(fields)
    return data


def requirement_data(**fields: Any) -> dict[str, Any]:
    """A valid requirement ``r1`` that asks for a risk register."""
    data: dict[str, Any] = {
        "id": "r1",
        "ref": "1",
        "title": "Risk register",
        "summary": "Keep a risk register.",
        "evidence": ["risk.register"],
    }
    data.update(fields)
    return data


def write(directory: Path, name: str, content: dict[str, Any] | list[Any] | str) -> Path:
    """A catalog file: ``content`` as YAML (or JSON, for a ``.json`` name), or as text."""
    path = directory / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif name.endswith(".json"):
        path.write_text(json.dumps(content), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def evidence(
    kind: str,
    *,
    verdict: str = "pass",
    age: timedelta = timedelta(days=1),
    valid_until: datetime | None = None,
    subject: str = "model-1",
    id: str | None = None,
) -> EvidenceItem:
    """Evidence of ``kind`` about a model version, created ``age`` before :data:`NOW`."""
    return EvidenceItem(
        id=id or f"ev-{next(_evidence_ids):04d}",
        kind=kind,
        verdict=verdict,
        created_at=NOW - age,
        valid_until=valid_until,
        subject_type="model_version",
        subject_id=subject,
        summary=f"{kind}: {verdict}",
    )
