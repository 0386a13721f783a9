"""ONNX files: skl2onnx conversions load through the adapter and predict what the original
predicts; custom operators and external data are flagged."""

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from sklearn.linear_model import LinearRegression

from bastion.assessment.model import require
from bastion.model_files import (
    OnnxClassifier,
    OnnxModel,
    UnsafeModelError,
    UnusableModelError,
    load_model,
    scan_model_file,
)
from tests.datasets import Split
from tests.model_files.conftest import Trained


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_numeric_model_as_onnx(tmp_path: Path, numeric: Trained, onnx_numeric: bytes) -> None:
    path = _write(tmp_path, "numeric.onnx", onnx_numeric)

    loaded = load_model(path)

    assert loaded.format == "onnx"
    assert isinstance(loaded.native, OnnxClassifier)
    np.testing.assert_array_equal(loaded.classes_, numeric.model.classes_)
    np.testing.assert_array_equal(loaded.predict(numeric.X), numeric.model.predict(numeric.X))
    np.testing.assert_allclose(
        loaded.predict_proba(numeric.X), numeric.model.predict_proba(numeric.X), atol=1e-5
    )
    # A numpy matrix works as well as a data frame.
    np.testing.assert_array_equal(
        loaded.predict(numeric.X.to_numpy()), numeric.model.predict(numeric.X)
    )


def test_zipmap_probabilities(tmp_path: Path, numeric: Trained) -> None:
    from skl2onnx import to_onnx

    sample = numeric.X.to_numpy(dtype=np.float32)[:1]
    model = to_onnx(numeric.model, sample)  # ZipMap: a sequence of {class: probability}
    path = _write(tmp_path, "zipmap.onnx", model.SerializeToString())

    loaded = load_model(path)

    np.testing.assert_allclose(
        loaded.predict_proba(numeric.X), numeric.model.predict_proba(numeric.X), atol=1e-5
    )
    np.testing.assert_array_equal(loaded.predict(numeric.X), numeric.model.predict(numeric.X))


def test_tabular_model_with_one_input_per_column(
    tmp_path: Path, tabular: Trained, german: Split
) -> None:
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    inputs = [(c, FloatTensorType([None, 1])) for c in german.numeric] + [
        (c, StringTensorType([None, 1])) for c in german.categorical
    ]
    model = convert_sklearn(
        tabular.model, initial_types=inputs, options={id(tabular.model[-1]): {"zipmap": False}}
    )
    path = _write(tmp_path, "tabular.onnx", model.SerializeToString())

    loaded = load_model(path)

    np.testing.assert_array_equal(loaded.predict(tabular.X), tabular.model.predict(tabular.X))
    np.testing.assert_allclose(
        loaded.predict_proba(tabular.X), tabular.model.predict_proba(tabular.X), atol=1e-5
    )
    with pytest.raises(UnusableModelError, match="'housing'"):
        loaded.predict(tabular.X.drop(columns=["housing"]))


def test_regressor_has_predict_only(tmp_path: Path, numeric: Trained, german: Split) -> None:
    from skl2onnx import to_onnx

    X = german.X_train[german.numeric].to_numpy(dtype=np.float32)
    regressor = LinearRegression().fit(X, german.X_train["credit_amount"])
    path = _write(tmp_path, "regressor.onnx", to_onnx(regressor, X[:1]).SerializeToString())

    loaded = load_model(path)

    assert type(loaded.native) is OnnxModel
    np.testing.assert_allclose(
        loaded.predict(numeric.X),
        regressor.predict(numeric.X.to_numpy(dtype=np.float32)),
        rtol=1e-4,
    )
    with pytest.raises(UnusableModelError, match="predict_proba"):
        require(loaded, "predict_proba")


def _graph_model(
    node: onnx.NodeProto, *, opsets: list[tuple[str, int]], **kw: object
) -> onnx.ModelProto:
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 2])],
        **kw,  # type: ignore[arg-type]
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])


def test_custom_operator_domain_is_flagged(tmp_path: Path) -> None:
    node = helper.make_node("RunShell", ["X"], ["Y"], domain="com.example.evil")
    model = _graph_model(node, opsets=[("", 17), ("com.example.evil", 1)])
    path = _write(tmp_path, "custom.onnx", model.SerializeToString())

    result = scan_model_file(path)

    assert result.format == "onnx"
    assert result.verdict == "fail"
    (finding,) = result.unsafe
    assert (finding.kind, finding.name) == ("op", "com.example.evil.RunShell")
    with pytest.raises(UnsafeModelError, match="RunShell"):
        load_model(path)


def test_external_data_is_flagged(tmp_path: Path) -> None:
    weights = helper.make_tensor("W", TensorProto.FLOAT, [2], [1.0, 2.0])
    weights.ClearField("float_data")
    weights.data_location = TensorProto.EXTERNAL
    weights.external_data.add(key="location", value="../../etc/weights.bin")
    node = helper.make_node("Add", ["X", "W"], ["Y"])
    model = _graph_model(node, opsets=[("", 17)], initializer=[weights])
    path = _write(tmp_path, "external.onnx", model.SerializeToString())

    result = scan_model_file(path)

    assert [(f.kind, f.name) for f in result.unsafe] == [("external_data", "../../etc/weights.bin")]
    with pytest.raises(UnsafeModelError, match=r"weights\.bin"):
        load_model(path)


def test_standard_operators_pass_and_details_are_kept(tmp_path: Path, onnx_numeric: bytes) -> None:
    result = scan_model_file(_write(tmp_path, "m.onnx", onnx_numeric))

    assert result.verdict == "pass"
    assert {f.name for f in result.findings} == {"ai.onnx.ml.Scaler", "ai.onnx.ml.LinearClassifier"}
    assert result.details["opsets"]["ai.onnx.ml"] == 1
    assert result.details["inputs"] == ["X"]
