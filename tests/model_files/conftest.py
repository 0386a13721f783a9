"""Models trained on German Credit (tests.datasets) and the files they are saved to.

Every file is written once per session into a temporary directory; tests that need a
variant (truncated, renamed, crafted) write their own under ``tmp_path``.
"""

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from tests.datasets import Split, german_split, numeric_model, tabular_model


@dataclass(frozen=True)
class Trained:
    """A fitted model and the test rows it predicts on."""

    model: Pipeline
    X: pd.DataFrame


@pytest.fixture(scope="session")
def german() -> Split:
    return german_split()


@pytest.fixture(scope="session")
def tabular(german: Split) -> Trained:
    """One-hot categoricals and scaled numbers, logistic regression."""
    return Trained(tabular_model(german), german.X_test)


@pytest.fixture(scope="session")
def numeric(german: Split) -> Trained:
    """The numeric features only, logistic regression."""
    return Trained(numeric_model(german), german.X_test[german.numeric])


@pytest.fixture(scope="session")
def forest(german: Split) -> Trained:
    """A random forest: tree structures are structured numpy arrays in the file."""
    return Trained(tabular_model(german, "forest"), german.X_test)


@pytest.fixture(scope="session")
def models(tabular: Trained, numeric: Trained, forest: Trained) -> dict[str, Trained]:
    return {"tabular": tabular, "numeric": numeric, "forest": forest}


# How each saved variant is written: (suffix, writer).
WRITERS: dict[str, tuple[str, Callable[[Any, Path], None]]] = {
    "skops": (".skops", lambda m, p: skops.io.dump(m, p)),
    "pickle-p2": (".pkl", lambda m, p: p.write_bytes(pickle.dumps(m, protocol=2))),
    "pickle-p5": (".pkl", lambda m, p: p.write_bytes(pickle.dumps(m, protocol=5))),
    "joblib": (".joblib", lambda m, p: joblib.dump(m, p)),
    "joblib-zlib": (".joblib", lambda m, p: joblib.dump(m, p, compress=3)),
    "joblib-gzip": (".joblib", lambda m, p: joblib.dump(m, p, compress=("gzip", 3))),
    "joblib-bz2": (".joblib", lambda m, p: joblib.dump(m, p, compress=("bz2", 3))),
    "joblib-lzma": (".joblib", lambda m, p: joblib.dump(m, p, compress=("lzma", 3))),
    "joblib-xz": (".joblib", lambda m, p: joblib.dump(m, p, compress=("xz", 3))),
}


@pytest.fixture(scope="session")
def saved(
    tmp_path_factory: pytest.TempPathFactory, models: dict[str, Trained]
) -> Callable[[str, str], Path]:
    """``saved("tabular", "joblib-zlib")``: the path of that model in that variant."""
    folder = tmp_path_factory.mktemp("models")
    cache: dict[tuple[str, str], Path] = {}

    def get(model: str, variant: str) -> Path:
        if (model, variant) not in cache:
            suffix, write = WRITERS[variant]
            path = folder / f"{model}-{variant}{suffix}"
            write(models[model].model, path)
            cache[model, variant] = path
        return cache[model, variant]

    return get


class CustomScaler(StandardScaler):
    """A scaler skops does not know: its type is untrusted in a skops file."""


def rows_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


@pytest.fixture(scope="session")
def onnx_numeric(numeric: Trained) -> bytes:
    """The numeric model as ONNX (skl2onnx), probabilities as a tensor."""
    from skl2onnx import to_onnx

    sample = numeric.X.to_numpy(dtype=np.float32)[:1]
    return bytes(to_onnx(numeric.model, sample, options={"zipmap": False}).SerializeToString())
