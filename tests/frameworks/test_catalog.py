"""What compliance asks of a loaded catalog: lookups, crosswalks, accepted evidence kinds,
the vocabulary and the digest that pins a catalog version."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bastion.frameworks import (
    EVIDENCE_KINDS,
    Catalog,
    UnknownFramework,
    UnknownRequirement,
    load_catalog,
)
from tests.frameworks.conftest import FIXTURES, framework_data, write


def test_frameworks_and_requirements_are_found_by_id_and_key(catalog: Catalog) -> None:
    assert sorted(catalog.frameworks) == ["alpha", "beta"]
    assert catalog.framework("alpha").name == "Alpha Act"
    requirement = catalog.requirement("alpha:a2")
    assert (requirement.ref, requirement.title, requirement.validity_days) == (
        "Art. 2",
        "Test high-risk systems",
        30,
    )
    assert requirement.evidence == (
        "assessment.fairness",
        "assessment.robustness|document.evaluation_report",
    )


def test_an_unknown_framework_names_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(
        UnknownFramework, match="unknown framework 'gamma'; known frameworks: alpha, beta"
    ):
        catalog.framework("gamma")
    with pytest.raises(UnknownFramework):
        catalog.requirement("gamma:g1")


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("alpha:a9", "framework alpha has no requirement 'a9'"),
        ("alpha", "'alpha' is not a requirement key; write framework:requirement"),
        ("alpha:", "'alpha:' is not a requirement key"),
    ],
)
def test_an_unknown_requirement_says_what_is_wrong(
    catalog: Catalog, key: str, message: str
) -> None:
    with pytest.raises(UnknownRequirement, match=message):
        catalog.requirement(key)
    with pytest.raises(UnknownRequirement):
        catalog.equivalents(key)


def test_equivalents_are_followed_transitively(catalog: Catalog) -> None:
    # alpha:a3 ≡ beta:b1 and beta:b1 ≡ beta:b2, in two separate groups.
    assert catalog.equivalents("alpha:a3") == {"beta:b1", "beta:b2"}
    assert catalog.equivalents("beta:b2") == {"alpha:a3", "beta:b1"}
    assert catalog.equivalents("alpha:a1") == frozenset()


def test_related_requirements_are_those_listed_beside_them(catalog: Catalog) -> None:
    assert catalog.related("alpha:a1") == {"alpha:a4", "beta:b2"}  # from two files
    assert catalog.related("beta:b2") == {"alpha:a1"}  # not transitive: a1 ~ a4 stays a1's
    assert catalog.related("alpha:a3") == frozenset()  # equivalence is not relatedness


def test_accepted_kinds_split_alternatives_per_item(catalog: Catalog) -> None:
    assert catalog.accepted_kinds("alpha:a2") == (
        frozenset({"assessment.fairness"}),
        frozenset({"assessment.robustness", "document.evaluation_report"}),
    )


def test_every_item_also_accepts_every_kind_of_its_equivalents(catalog: Catalog) -> None:
    shared = frozenset({"questionnaire.dpia", "questionnaire.fria", "document.ai_policy"})
    assert catalog.accepted_kinds("alpha:a3") == (shared,)
    assert catalog.accepted_kinds("beta:b1") == (shared,)
    assert catalog.requirement("beta:b1").accepted_kinds == (frozenset({"questionnaire.fria"}),)


def test_evidence_kinds_are_the_vocabulary_plus_the_catalogs_additions(catalog: Catalog) -> None:
    assert catalog.evidence_kinds.keys() == EVIDENCE_KINDS.keys() | {"document.alpha_checklist"}
    added = catalog.evidence_kinds["document.alpha_checklist"]
    assert (added.description, added.validity_days) == ("The Alpha release checklist.", 10)
    assert catalog.evidence_kinds["scan.model"].validity_days is None


def test_the_digest_follows_content_not_layout_or_order(tmp_path: Path, catalog: Catalog) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURES, copy)
    assert load_catalog([copy], builtin=False).digest == catalog.digest
    # The same content written as JSON, without comments and in another key order.
    alpha = yaml.safe_load((copy / "alpha.yaml").read_text(encoding="utf-8"))
    (copy / "alpha.yaml").unlink()
    (copy / "alpha.json").write_text(json.dumps(dict(reversed(alpha.items()))), encoding="utf-8")
    reordered = load_catalog(
        [copy / "crosswalks.yaml", copy / "beta.yaml", copy / "alpha.json"], builtin=False
    )
    assert reordered.digest == catalog.digest
    # Any change of meaning changes it.
    alpha["requirements"][0]["title"] = "Keep a risk log"
    (copy / "alpha.json").write_text(json.dumps(alpha), encoding="utf-8")
    changed = load_catalog([copy], builtin=False)
    assert changed.digest != catalog.digest
    assert len(changed.digest) == 64


def test_a_directory_loads_its_yaml_yml_and_json_files_only(tmp_path: Path) -> None:
    write(tmp_path, "one.yaml", framework_data(id="one"))
    write(tmp_path, "two.yml", framework_data(id="two"))
    write(tmp_path, "three.json", framework_data(id="three"))
    write(tmp_path, "notes.txt", "not a catalog")
    (tmp_path / "nested").mkdir()
    write(tmp_path / "nested", "four.yaml", framework_data(id="four"))
    catalog = load_catalog([tmp_path], builtin=False)
    assert sorted(catalog.frameworks) == ["one", "three", "two"]


def test_the_built_in_catalog_is_loaded_once() -> None:
    assert load_catalog() is load_catalog()
