"""Each input the re-identification measures cannot use is refused with one error that
names the problem — a ValueError for notebooks, an InvalidInput (422) for the platform."""

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bastion.errors import InvalidInput
from bastion.reident import (
    HierarchyError,
    UnknownColumnError,
    assess_reidentification,
    build_hierarchy,
    generalize_until,
)
from bastion.tabular import TableError


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [31, 35, 52, 52],
            "sex": ["F", "M", "F", "F"],
            "marital": ["married", "single", "widowed", "married"],
            "income": [10, 20, 30, 40],
        }
    )


def refused(call: Any, match: str, *, field: str | None = None) -> Exception:
    with pytest.raises(ValueError, match=match) as caught:
        call()
    assert isinstance(caught.value, InvalidInput)
    if field is not None:
        assert caught.value.field == field
    return caught.value


def assess(people: pd.DataFrame, **changes: Any) -> Any:
    args: dict[str, Any] = {"quasi_identifiers": ["age", "sex"], "sensitive": "income"}
    args.update(changes)
    return lambda: assess_reidentification(people, **args)


def test_unknown_quasi_identifier_is_named(people: pd.DataFrame) -> None:
    err = refused(
        assess(people, quasi_identifiers=["age", "zip"]), "'zip'", field="quasi_identifiers"
    )
    assert isinstance(err, UnknownColumnError)


def test_unknown_sensitive_column_is_named(people: pd.DataFrame) -> None:
    err = refused(assess(people, sensitive=["diagnosis"]), "'diagnosis'", field="sensitive")
    assert isinstance(err, UnknownColumnError)


def test_unknown_column_in_a_file_is_named(people: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    refused(
        lambda: assess_reidentification(path, quasi_identifiers=["age", "zip"]),
        "'zip'",
        field="quasi_identifiers",
    )


@pytest.mark.parametrize("k", [1, 0, -3, 2.5, True, "5"])
def test_k_below_two_or_not_a_whole_number(people: pd.DataFrame, k: Any) -> None:
    refused(assess(people, k=k), "k must be an integer of at least 2", field="k")


@pytest.mark.parametrize("t", [0, -0.1, 1.5, float("nan"), float("inf")])
def test_t_outside_zero_one(people: pd.DataFrame, t: float) -> None:
    refused(assess(people, t=t), r"t must be in \(0, 1\]", field="t")


def test_t_of_one_is_allowed(people: pd.DataFrame) -> None:
    assess(people, t=1)()


@pytest.mark.parametrize("qis", [[], (), None])
def test_no_quasi_identifier(people: pd.DataFrame, qis: Any) -> None:
    refused(
        assess(people, quasi_identifiers=qis),
        "no quasi_identifiers given",
        field="quasi_identifiers",
    )


def test_empty_table(people: pd.DataFrame) -> None:
    refused(assess(people.iloc[:0]), "the table is empty", field="data")


def test_empty_file(tmp_path: Path) -> None:
    header_only = tmp_path / "header.csv"
    header_only.write_text("age,sex\n")
    refused(
        lambda: assess_reidentification(header_only, quasi_identifiers=["age", "sex"]),
        "the table is empty",
    )
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("")
    err = refused(lambda: assess_reidentification(nothing, quasi_identifiers=["age"]), "empty")
    assert isinstance(err, TableError)


def test_a_column_both_quasi_identifier_and_sensitive(people: pd.DataFrame) -> None:
    refused(assess(people, sensitive=["sex"]), "both as quasi-identifier and as sensitive")


def test_a_column_named_twice(people: pd.DataFrame) -> None:
    refused(assess(people, quasi_identifiers=["age", "age"]), "more than once")


def test_unknown_l_kind(people: pd.DataFrame) -> None:
    refused(assess(people, l_kind="probabilistic"), "l_kind must be one of", field="l_kind")


def test_l_below_one_or_fractional_for_distinct(people: pd.DataFrame) -> None:
    refused(assess(people, l=0.5), "l must be a number of at least 1", field="l")
    refused(assess(people, l=2.5), "whole number", field="l")
    assess(people, l=2.5, l_kind="entropy")()  # entropy l may be fractional


def test_c_and_smallest_out_of_range(people: pd.DataFrame) -> None:
    refused(assess(people, c=0), "c must be a positive number", field="c")
    refused(assess(people, smallest=-1), "smallest", field="smallest")


def test_ordinal_missing_a_value_is_named(people: pd.DataFrame) -> None:
    refused(
        assess(people, sensitive="marital", ordinal={"marital": ["single", "married"]}),
        "'widowed'",
        field="ordinal",
    )
    refused(assess(people, ordinal={"age": [1, 2]}), "not a sensitive attribute", field="ordinal")


def generalize(people: pd.DataFrame, **changes: Any) -> Any:
    args: dict[str, Any] = {"quasi_identifiers": ["age", "sex", "marital"], "k": 2}
    args.update(changes)
    return lambda: generalize_until(people, **args)


def test_hierarchy_missing_a_value_is_named(people: pd.DataFrame) -> None:
    hierarchy = [{"married": "partnered", "single": "alone"}]
    err = refused(
        generalize(people, hierarchies={"marital": hierarchy}), "'widowed'", field="hierarchies"
    )
    assert isinstance(err, HierarchyError)
    assert "level 1" in str(err)
    assert "'marital'" in str(err)


def test_hierarchy_missing_a_value_at_a_higher_level(people: pd.DataFrame) -> None:
    hierarchy = [
        {"married": "partnered", "single": "alone", "widowed": "alone"},
        {"partnered": "any"},
    ]
    refused(generalize(people, hierarchies={"marital": hierarchy}), "level-1 value.*'alone'")


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan"), "half"])
def test_max_suppression_outside_zero_one(people: pd.DataFrame, share: Any) -> None:
    refused(generalize(people, max_suppression=share), r"\[0, 1\]", field="max_suppression")


def test_generalize_refuses_like_assess(people: pd.DataFrame) -> None:
    refused(generalize(people, k=1), "k must be an integer of at least 2", field="k")
    refused(generalize(people, quasi_identifiers=[]), "no quasi_identifiers given")
    refused(generalize(people, quasi_identifiers=["zip"]), "'zip'", field="quasi_identifiers")
    refused(generalize(people.iloc[:0]), "the table is empty", field="data")
    refused(generalize(people, max_steps=-1), "max_steps", field="max_steps")
    refused(generalize(people, strategy="mondrian"), "strategy", field="strategy")


def test_bad_hierarchy_specifications(people: pd.DataFrame) -> None:
    refused(generalize(people, hierarchies={"income": "*"}), "not quasi-identifiers")
    refused(generalize(people, hierarchies={"age": "round"}), "unknown kind 'round'")
    refused(generalize(people, hierarchies={"age": [5, 7]}), "not a multiple of 5")
    refused(generalize(people, hierarchies={"age": [0]}), "positive")
    refused(generalize(people, hierarchies={"sex": [5, 10]}), "numeric column")


def test_infinite_numbers_cannot_be_binned() -> None:
    refused(
        lambda: build_hierarchy("x", pd.Series([1.0, float("inf")])),
        "infinite",
        field="quasi_identifiers",
    )
