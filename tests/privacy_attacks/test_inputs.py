"""What the assessment accepts: pandas, polars and Arrow tables and columns, boolean
labels, and a package a notebook can import without the platform."""

import ast
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
from sklearn.ensemble import RandomForestClassifier

from bastion.privacy_attacks import (
    assess_membership_from_predictions,
    assess_membership_inference,
)

from .conftest import Predictions, Trained

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "bastion" / "privacy_attacks"


def summary_of(result: object) -> dict[str, object]:
    out = result.to_dict()  # type: ignore[attr-defined]
    return {k: out[k] for k in ("attacks", "checks", "risk_level", "n_eval")}


def test_polars_and_arrow_give_the_same_result(german_predictions: Predictions) -> None:
    p = german_predictions
    numpy_result = assess_membership_from_predictions(p.y_true, p.proba, p.member)
    polars_result = assess_membership_from_predictions(
        pl.Series("y", p.y_true), pl.DataFrame(p.proba), pl.Series("m", p.member)
    )
    arrow_result = assess_membership_from_predictions(
        pa.array(p.y_true), pa.table({"no": p.proba[:, 0], "yes": p.proba[:, 1]}), p.member
    )
    assert summary_of(polars_result) == summary_of(numpy_result) == summary_of(arrow_result)
    # The data digest is of the content, whatever held it.
    assert polars_result.inputs == numpy_result.inputs


def test_model_given_polars_rows(german_forest: Trained) -> None:
    s, model = german_forest.split, german_forest.model
    from_pandas = assess_membership_inference(model, s.X_train, s.y_train, s.X_test, s.y_test)
    from_polars = assess_membership_inference(
        model, pl.from_pandas(s.X_train), s.y_train, pl.from_pandas(s.X_test), s.y_test
    )
    assert summary_of(from_polars) == summary_of(from_pandas)


def test_boolean_labels(german_forest: Trained) -> None:
    s = german_forest.split
    X_train, X_test = s.X_train[s.numeric], s.X_test[s.numeric]
    y_train, y_test = s.y_train.astype(bool), s.y_test.astype(bool)
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(X_train, y_train)
    assert model.classes_.dtype == bool
    by_model = assess_membership_inference(model, X_train, y_train, X_test, y_test)
    proba = np.vstack([model.predict_proba(X_train), model.predict_proba(X_test)])
    member = np.r_[np.ones(len(y_train), bool), np.zeros(len(y_test), bool)]
    by_predictions = assess_membership_from_predictions(
        np.concatenate([y_train, y_test]), proba, member
    )
    assert summary_of(by_predictions) == summary_of(by_model)
    # 0/1 labels against a model whose classes are booleans: the same labels.
    as_ints = assess_membership_inference(
        model, X_train, y_train.astype(int), X_test, y_test.astype(int)
    )
    assert summary_of(as_ints) == summary_of(by_model)


def test_package_imports_nothing_from_the_platform() -> None:
    allowed = ("bastion.assessment", "bastion.errors", "bastion.privacy_attacks")
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("bastion"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
