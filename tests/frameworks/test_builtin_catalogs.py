"""The catalogs that ship with Bastion (src/bastion/frameworks/catalogs/) load, and every
framework that docs/frameworks.md lists is among them."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bastion.frameworks import (
    Status,
    SystemProfile,
    evaluate,
    load_catalog,
    load_framework_file,
)
from tests.frameworks.conftest import framework_data, write

LISTED = {"eu_ai_act", "gdpr", "ccpa", "iso_42001", "nist_ai_rmf"}
CATALOGS = Path(__file__).parents[2] / "src" / "bastion" / "frameworks" / "catalogs"


def test_the_built_in_catalogs_load_with_every_listed_framework() -> None:
    catalog = load_catalog()
    assert catalog.frameworks.keys() >= LISTED
    assert catalog.crosswalks, "crosswalks.yaml links the frameworks"
    for framework in catalog.frameworks.values():
        for requirement in framework.requirements:
            key = f"{framework.id}:{requirement.id}"
            for kinds in catalog.accepted_kinds(key):
                assert kinds <= catalog.evidence_kinds.keys(), key


@pytest.mark.parametrize("name", sorted(f"{framework}.yaml" for framework in LISTED))
def test_each_built_in_framework_file_validates_on_its_own(name: str) -> None:
    assert load_framework_file(CATALOGS / name).id == name.removesuffix(".yaml")


def test_an_unclassified_system_without_evidence_misses_what_applies() -> None:
    catalog = load_catalog()
    profile = SystemProfile("unclassified", "provider")
    now = datetime(2025, 6, 1, tzinfo=UTC)
    for framework_id in LISTED:
        status = evaluate(catalog, framework_id, profile, [], {}, now=now)
        assert {r.status for r in status.requirements} <= {Status.MISSING, Status.NOT_APPLICABLE}
        assert status.score == 0.0


def test_custom_catalogs_load_beside_the_built_in_ones(tmp_path: Path) -> None:
    builtin = load_catalog()
    custom = load_catalog([write(tmp_path, "acme.yaml", framework_data())])
    assert custom.frameworks.keys() == builtin.frameworks.keys() | {"acme"}
    assert custom.digest != builtin.digest
