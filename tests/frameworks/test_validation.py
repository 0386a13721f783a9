"""A broken catalog is refused with a message that names the file, the requirement and
the field, so its author can find the line to fix."""

from pathlib import Path
from typing import Any

import pytest

from bastion.errors import InvalidInput
from bastion.frameworks import CatalogError, load_catalog, load_framework_file
from tests.frameworks.conftest import framework_data, requirement_data, write


def refusal(directory: Path, files: dict[str, Any], *, whole_catalog: bool = False) -> str:
    """The error of loading ``files`` (name → content): the first file alone, or the whole
    directory as a catalog; ``directory/`` is taken out of the message."""
    paths = [write(directory, name, content) for name, content in files.items()]

    def load() -> object:
        if whole_catalog:
            return load_catalog([directory], builtin=False)
        return load_framework_file(paths[0])

    with pytest.raises(CatalogError) as caught:
        load()
    return caught.value.detail.replace(f"{directory}/", "")


def with_requirement(**fields: Any) -> dict[str, Any]:
    return framework_data(requirements=[requirement_data(**fields)])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            framework_data(schema_version=2),
            "acme.yaml: schema_version: this Bastion reads schema_version 1, not 2",
            id="schema-version",
        ),
        pytest.param(
            framework_data(id="Acme"),
            "acme.yaml: id: String should match pattern '^[a-z][a-z0-9_]*$'",
            id="framework-id",
        ),
        pytest.param(
            with_requirement(id="Art-9"),
            "acme.yaml: requirement Art-9: id: String should match pattern '^[a-z0-9][a-z0-9_]*$'",
            id="requirement-id",
        ),
        pytest.param(
            framework_data(requirements=[requirement_data(), requirement_data(title="Again")]),
            "acme.yaml: requirement r1: id: the id is used by another requirement of this "
            "framework",
            id="duplicate-requirement",
        ),
        pytest.param(
            with_requirement(evidence=["questionaire.dpia"]),
            "acme.yaml: requirement r1: evidence: unknown evidence kind 'questionaire.dpia'; "
            "did you mean 'questionnaire.dpia'?",
            id="unknown-kind",
        ),
        pytest.param(
            with_requirement(evidence=["risk.register|scan.pii|assessment.unfairness"]),
            "acme.yaml: requirement r1: evidence: unknown evidence kind "
            "'assessment.unfairness'; did you mean 'assessment.fairness'?",
            id="unknown-kind-among-alternatives",
        ),
        pytest.param(
            with_requirement(evidence=["risk.register|"]),
            "acme.yaml: requirement r1: evidence: 'risk.register|' has an empty alternative",
            id="empty-alternative",
        ),
        pytest.param(
            with_requirement(evidence=[]),
            "acme.yaml: requirement r1: evidence: a requirement needs at least one evidence item",
            id="empty-evidence",
        ),
        pytest.param(
            with_requirement(applies_when={"facts": {"personal_dat": True}}),
            "acme.yaml: requirement r1: applies_when.facts: unknown fact 'personal_dat'; "
            "did you mean 'personal_data'?",
            id="unknown-fact",
        ),
        pytest.param(
            with_requirement(applies_when={"facts": {"personal_data": "maybe"}}),
            "acme.yaml: requirement r1: applies_when.facts.personal_data: "
            "Input should be a valid boolean",
            id="fact-not-boolean",
        ),
        pytest.param(
            with_requirement(applies_when={"risk_tiers": ["high", "hihg"]}),
            "acme.yaml: requirement r1: applies_when.risk_tiers: unknown risk tier 'hihg'; "
            "did you mean 'high'?",
            id="unknown-tier",
        ),
        pytest.param(
            with_requirement(applies_when={"risk_tiers": ["unclassified"]}),
            "acme.yaml: requirement r1: applies_when.risk_tiers: 'unclassified' cannot be a "
            "condition: an unclassified system is already assumed to be in scope of every tier",
            id="unclassified-tier",
        ),
        pytest.param(
            with_requirement(applies_when={"roles": []}),
            "acme.yaml: requirement r1: applies_when.roles: an empty list matches no system; "
            "omit it to match every role",
            id="empty-roles",
        ),
        pytest.param(
            with_requirement(applies_when={"roles": ["vendor"]}),
            "acme.yaml: requirement r1: applies_when.roles: unknown role 'vendor'",
            id="unknown-role",
        ),
        pytest.param(
            with_requirement(validity_days=0),
            "acme.yaml: requirement r1: validity_days: Input should be greater than 0",
            id="validity-days",
        ),
        pytest.param(
            framework_data(
                evidence_kinds={"document.x": {"description": "X", "validity_days": -1}}
            ),
            "acme.yaml: evidence_kinds['document.x'].validity_days: Input should be greater than 0",
            id="declared-kind-validity",
        ),
        pytest.param(
            framework_data(evidence_kinds={"scan.pii": {"description": "Our own PII scan"}}),
            "acme.yaml: evidence_kinds: 'scan.pii' is a built-in evidence kind and cannot be "
            "redeclared; name your kind differently",
            id="redeclared-kind",
        ),
        pytest.param(
            framework_data(evidence_kinds={"Document X": {"description": "X"}}),
            "acme.yaml: evidence_kinds['Document X']: "
            "String should match pattern '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$'",
            id="declared-kind-name",
        ),
        pytest.param(
            with_requirement(evidnce=["risk.register"]),
            "acme.yaml: requirement r1: evidnce: Extra inputs are not permitted",
            id="unknown-field",
        ),
        pytest.param(
            framework_data(kind="regulation"),
            "acme.yaml: kind: Input should be 'law', 'standard', 'framework' or 'internal'",
            id="framework-kind",
        ),
        pytest.param(
            framework_data(requirements=[]),
            "acme.yaml: requirements: a framework needs at least one requirement",
            id="no-requirements",
        ),
        pytest.param(
            framework_data(requirements=["r1"]),
            "acme.yaml: requirement #1: Input should be a valid dictionary or instance of "
            "Requirement",
            id="requirement-not-a-mapping",
        ),
        pytest.param(
            framework_data(crosswalks=[{"relation": "related", "requirements": ["acme:r1"]}]),
            "acme.yaml: crosswalks[0].requirements: a crosswalk groups at least two different "
            "requirements; found 1",
            id="crosswalk-of-one",
        ),
        pytest.param(
            framework_data(
                crosswalks=[{"relation": "related", "requirements": ["acme:r1", "acme:r1"]}]
            ),
            "acme.yaml: crosswalks[0].requirements: a crosswalk groups at least two different "
            "requirements; found 1",
            id="crosswalk-of-one-twice",
        ),
        pytest.param(
            framework_data(
                crosswalks=[{"relation": "equivalent", "requirements": ["acme:r1", "acme:r2"]}]
            ),
            "acme.yaml: crosswalks[0].requirements: 'acme:r2': this framework has no "
            "requirement 'r2'",
            id="crosswalk-into-own-framework",
        ),
        pytest.param(
            framework_data(
                crosswalks=[{"relation": "equivalent", "requirements": ["acme:r1", "gdpr-art5"]}]
            ),
            "acme.yaml: crosswalks[0].requirements[1]: String should match pattern "
            "'^[a-z][a-z0-9_]*:[a-z0-9][a-z0-9_]*$'",
            id="crosswalk-key",
        ),
        pytest.param(
            ["schema_version: 1"],
            "acme.yaml: a catalog is a mapping of fields, not a list",
            id="not-a-mapping",
        ),
        pytest.param("", "acme.yaml: the file is empty", id="empty-file"),
        pytest.param(
            "schema_version: 1\nid: acme\n  name: Acme\n",
            "acme.yaml: invalid YAML at line 3, column 7: mapping values are not allowed here",
            id="yaml-syntax",
        ),
        pytest.param(
            "schema_version: 1\nid: acme\nid: acme2\n",
            "acme.yaml: invalid YAML at line 3, column 1: duplicate key 'id'",
            id="yaml-duplicate-key",
        ),
        pytest.param(
            {"schema_version": 1, "name": "Acme"},
            "acme.yaml: neither a framework (no 'id' or 'requirements') nor a crosswalk file "
            "(no 'crosswalks')",
            id="neither",
        ),
    ],
)
def test_a_broken_framework_file_is_refused_with_file_requirement_and_field(
    tmp_path: Path, content: Any, expected: str
) -> None:
    assert refusal(tmp_path, {"acme.yaml": content}) == expected


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    assert refusal(tmp_path, {"acme.json": '{"schema_version": 1,\n "id": }'}) == (
        "acme.json: invalid JSON at line 2, column 8: Expecting value"
    )


def test_every_schema_problem_is_listed_at_once(tmp_path: Path) -> None:
    content = framework_data(
        name=None, requirements=[requirement_data(), requirement_data(id="r2", ref=None)]
    )
    path = write(tmp_path, "acme.yaml", content)
    with pytest.raises(CatalogError) as caught:
        load_framework_file(path)
    assert caught.value.detail == f"{path}: name: Input should be a valid string (and 1 more)"
    assert caught.value.problems == (
        f"{path}: name: Input should be a valid string",
        f"{path}: requirement r2: ref: Input should be a valid string",
    )


def test_a_catalog_error_is_invalid_input_that_carries_its_location(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.yaml", with_requirement(evidence=["scan.pi"]))
    with pytest.raises(InvalidInput) as caught:
        load_framework_file(path)
    assert isinstance(caught.value, CatalogError)
    assert caught.value.field == "evidence"
    assert caught.value.extra["file"] == str(path)
    assert caught.value.extra["requirement"] == "r1"


def test_a_framework_id_defined_twice_is_refused(tmp_path: Path) -> None:
    message = refusal(
        tmp_path,
        {"a.yaml": framework_data(), "b.yaml": framework_data(name="Again")},
        whole_catalog=True,
    )
    assert message == "b.yaml: id: framework 'acme' is already defined in a.yaml"


def test_an_evidence_kind_declared_twice_with_different_meanings_is_refused(
    tmp_path: Path,
) -> None:
    declared = {"document.x": {"description": "The X document.", "validity_days": 30}}
    clashing = {"document.x": {"description": "Another X.", "validity_days": 30}}
    message = refusal(
        tmp_path,
        {
            "a.yaml": framework_data(evidence_kinds=declared),
            "b.yaml": framework_data(id="bcme", evidence_kinds=clashing),
        },
        whole_catalog=True,
    )
    assert message == (
        "b.yaml: evidence_kinds: 'document.x' is also declared by a.yaml with another "
        "description or validity"
    )


def test_the_same_evidence_kind_declared_alike_twice_is_accepted(tmp_path: Path) -> None:
    declared = {"document.x": {"description": "The X document.", "validity_days": 30}}
    write(tmp_path, "a.yaml", framework_data(evidence_kinds=declared))
    write(tmp_path, "b.yaml", framework_data(id="bcme", evidence_kinds=declared))
    catalog = load_catalog([tmp_path], builtin=False)
    assert catalog.evidence_kinds["document.x"].validity_days == 30


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        pytest.param(
            ["acme:r1", "acme:r9"],
            "crosswalks.yaml: crosswalks[1].requirements: 'acme:r9': framework acme has no "
            "requirement 'r9'",
            id="unknown-requirement",
        ),
        pytest.param(
            ["acme:r1", "acne:r1"],
            "crosswalks.yaml: crosswalks[1].requirements: 'acne:r1': unknown framework "
            "'acne'; did you mean 'acme'?",
            id="unknown-framework",
        ),
    ],
)
def test_a_dangling_crosswalk_is_refused(tmp_path: Path, members: list[str], expected: str) -> None:
    crosswalks = {
        "schema_version": 1,
        "crosswalks": [
            {"relation": "related", "requirements": ["acme:r1", "bcme:r1"]},
            {"relation": "equivalent", "requirements": members},
        ],
    }
    message = refusal(
        tmp_path,
        {
            "acme.yaml": framework_data(),
            "bcme.yaml": framework_data(id="bcme"),
            "crosswalks.yaml": crosswalks,
        },
        whole_catalog=True,
    )
    assert message == expected


def test_a_framework_crosswalk_into_another_framework_is_checked_by_the_catalog(
    tmp_path: Path,
) -> None:
    content = framework_data(
        crosswalks=[{"relation": "related", "requirements": ["acme:r1", "gdpr:art999"]}]
    )
    assert load_framework_file(write(tmp_path, "acme.yaml", content)).crosswalks[
        0
    ].requirements == (
        "acme:r1",
        "gdpr:art999",
    )
    assert refusal(tmp_path, {"acme.yaml": content}, whole_catalog=True) == (
        "acme.yaml: crosswalks[0].requirements: 'gdpr:art999': unknown framework 'gdpr'"
    )


def test_a_crosswalk_file_is_not_a_framework(tmp_path: Path) -> None:
    content = {"schema_version": 1, "crosswalks": [{"relation": "related", "requirements": []}]}
    message = refusal(tmp_path, {"crosswalks.yaml": content})
    assert message == (
        "crosswalks.yaml: crosswalks[0].requirements: a crosswalk groups at least two "
        "different requirements; found 0"
    )
    valid = {
        "schema_version": 1,
        "crosswalks": [{"relation": "related", "requirements": ["a:b", "c:d"]}],
    }
    assert refusal(tmp_path, {"crosswalks.yaml": valid}) == (
        "crosswalks.yaml: this is a crosswalk file, not a framework; check it with "
        "load_catalog([path])"
    )


def test_a_missing_file_and_a_file_of_another_type_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"missing\.yaml: cannot read the file: No such file"):
        load_framework_file(tmp_path / "missing.yaml")
    with pytest.raises(CatalogError, match=r"acme\.toml: a catalog file ends in \.yaml"):
        load_framework_file(write(tmp_path, "acme.toml", "id = 'acme'"))


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_bytes(b"name: \xff\xfe")
    with pytest.raises(CatalogError, match=r"acme\.yaml: the file is not UTF-8 text"):
        load_framework_file(path)
