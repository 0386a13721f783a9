"""ONNX files: what a graph would run, and an adapter that gives a session the
scikit-learn interface the assessments call.

An ONNX file is data, not code, but two things in it reach outside the graph: operators
from custom domains, which run native code some library registered with the runtime, and
tensors whose data lives in *external* files, which the runtime would read from disk.
The scan flags both; the loader hands onnxruntime the bytes, never a path, so there is no
directory to resolve an external file against anyway.

The adapter follows skl2onnx's conventions: one input tensor for the whole feature
matrix, or one per column (named after it); a ``label`` output, and ``probabilities``
either as a tensor or, with ZipMap, as a sequence of maps from class to probability.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import pandas as pd

from bastion.assessment.errors import UnusableModelError
from bastion.model_files.result import Finding

__all__ = ["STANDARD_DOMAINS", "OnnxClassifier", "OnnxModel", "onnx_findings", "onnx_session"]

STANDARD_DOMAINS = {"": "standard ONNX operator", "ai.onnx": "standard ONNX operator",
                    "ai.onnx.ml": "ONNX-ML operator"}  # fmt: skip

# ONNX element types onnxruntime reports, and the numpy dtype to feed them.
_FEED_TYPES: dict[str, Any] = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(int16)": np.int16,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
    "tensor(string)": object,
}
# Attributes that carry a classifier's labels (LinearClassifier, TreeEnsembleClassifier,
# SVMClassifier, ZipMap, …), in ai.onnx.ml.
_LABEL_ATTRIBUTES = ("classlabels_ints", "classlabels_int64s", "classlabels_strings")


def _graphs(graph: onnx.GraphProto) -> Iterator[onnx.GraphProto]:
    """The graph and every subgraph (If, Loop, Scan bodies), depth first."""
    yield graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _graphs(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    yield from _graphs(sub)


def _node_tensors(nodes: Any) -> Iterator[onnx.TensorProto]:
    for node in nodes:
        for attr in node.attribute:
            yield from ([attr.t] if attr.HasField("t") else [])
            yield from attr.tensors
            for sparse in [attr.sparse_tensor] if attr.HasField("sparse_tensor") else []:
                yield from (sparse.values, sparse.indices)
            for sparse in attr.sparse_tensors:
                yield from (sparse.values, sparse.indices)


def _tensors(model: onnx.ModelProto) -> Iterator[onnx.TensorProto]:
    """Every tensor stored in the model: initializers and constant attributes."""
    for graph in _graphs(model.graph):
        yield from graph.initializer
        for sparse in graph.sparse_initializer:
            yield from (sparse.values, sparse.indices)
        yield from _node_tensors(graph.node)
    for function in model.functions:
        yield from _node_tensors(function.node)


def _nodes(model: onnx.ModelProto) -> Iterator[onnx.NodeProto]:
    for graph in _graphs(model.graph):
        yield from graph.node
    for function in model.functions:
        yield from function.node


def onnx_findings(model: onnx.ModelProto) -> tuple[list[Finding], dict[str, Any]]:
    """Judge every operator and stored tensor of a model; also return its details."""
    local = {(f.domain, f.name) for f in model.functions}
    ops = Counter((node.domain, node.op_type) for node in _nodes(model))
    findings: list[Finding] = []
    for (domain, op_type), count in ops.items():
        name = f"{domain or 'ai.onnx'}.{op_type}"
        if domain in STANDARD_DOMAINS:
            findings.append(Finding("op", name, "allowed", STANDARD_DOMAINS[domain], count))
        elif (domain, op_type) in local:
            findings.append(
                Finding("op", name, "allowed", "a function defined in the model (scanned)", count)
            )
        else:
            findings.append(
                Finding(
                    "op",
                    name,
                    "unsafe",
                    f"custom operator domain {domain!r}: runs native code registered with "
                    "the runtime, outside the model",
                    count,
                )
            )
    external: Counter[str] = Counter()
    for tensor in _tensors(model):
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            entries = {e.key: e.value for e in tensor.external_data}
            external[entries.get("location", f"(tensor {tensor.name})")] += 1
    for location, count in external.items():
        findings.append(
            Finding(
                "external_data",
                location,
                "unsafe",
                "tensor data in a file outside the model: the runtime would read it from disk",
                count,
            )
        )
    details = {
        "ir_version": model.ir_version,
        "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "producer": f"{model.producer_name} {model.producer_version}".strip() or None,
        "nodes": sum(ops.values()),
        "inputs": [i.name for i in model.graph.input],
        "outputs": [o.name for o in model.graph.output],
    }
    return findings, details


def _class_labels(model: onnx.ModelProto) -> npt.NDArray[Any] | None:
    for node in model.graph.node:
        if node.domain != "ai.onnx.ml":
            continue
        for attr in node.attribute:
            if attr.name in _LABEL_ATTRIBUTES and (attr.ints or attr.strings):
                if attr.strings:
                    return np.array([s.decode("utf-8") for s in attr.strings], dtype=object)
                return np.array(list(attr.ints), dtype=np.int64)
    return None


def onnx_session(source: str, data: bytes, model: onnx.ModelProto) -> OnnxModel:
    """An onnxruntime session on the model's bytes, wrapped in the right adapter."""
    import onnxruntime  # type: ignore[import-untyped]  # imported late: it is large

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: the runtime's warnings go to stderr
    try:
        session = onnxruntime.InferenceSession(
            data, sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own exception types from C++
        raise UnusableModelError(
            f"{source}: onnxruntime cannot load the model: {exc}", field="model"
        ) from exc
    outputs = [o.name for o in session.get_outputs()]
    probabilities = _pick(outputs, ("probabilities", "output_probability"), "probabilit")
    if probabilities is None:
        return OnnxModel(session, source)
    labels = _pick([o for o in outputs if o != probabilities], ("label", "output_label"), "label")
    return OnnxClassifier(session, source, labels, probabilities, _class_labels(model))


def _pick(names: list[str], exact: tuple[str, ...], part: str) -> str | None:
    for name in exact:
        if name in names:
            return name
    return next((n for n in names if part in n.lower()), None)


class OnnxModel:
    """An ONNX model with ``predict``, for regressors and other single-output models.

    Parameters
    ----------
    session : onnxruntime.InferenceSession
    source : str
        The file's name, for messages.
    """

    def __init__(self, session: Any, source: str) -> None:
        self.session = session
        self.source = source
        self.inputs = [(i.name, i.type) for i in session.get_inputs()]
        self.outputs = [o.name for o in session.get_outputs()]

    def _feeds(self, X: Any) -> dict[str, Any]:
        """The input tensors for ``X``: one for all columns, or one per column by name."""
        if len(self.inputs) == 1:
            name, kind = self.inputs[0]
            values = X.to_numpy() if isinstance(X, pd.DataFrame) else np.asarray(X)
            return {name: self._cast(values, kind, name)}
        feeds = {}
        for position, (name, kind) in enumerate(self.inputs):
            if isinstance(X, pd.DataFrame):
                if name not in X.columns:
                    raise UnusableModelError(
                        f"{self.source}: the model takes a column {name!r} the data lacks; "
                        f"it takes {[n for n, _ in self.inputs]}",
                        field="data",
                    )
                column = X[name].to_numpy()
            else:
                column = np.asarray(X)[:, position]
            feeds[name] = self._cast(column.reshape(-1, 1), kind, name)
        return feeds

    def _cast(self, values: npt.NDArray[Any], kind: str, name: str) -> npt.NDArray[Any]:
        if kind not in _FEED_TYPES:
            raise UnusableModelError(
                f"{self.source}: input {name!r} has type {kind}, which this adapter cannot feed",
                field="model",
            )
        dtype = _FEED_TYPES[kind]
        if dtype is object:
            return np.array([str(v) for v in values.ravel()], dtype=object).reshape(values.shape)
        try:
            return np.asarray(values, dtype=dtype)
        except (TypeError, ValueError) as exc:
            raise UnusableModelError(
                f"{self.source}: input {name!r} takes {kind}, but the data cannot be "
                f"converted: {exc}",
                field="data",
            ) from exc

    def _run(self, names: list[str], X: Any) -> list[Any]:
        try:
            return list(self.session.run(names, self._feeds(X)))
        except UnusableModelError:
            raise
        except Exception as exc:  # onnxruntime's own exception types
            raise UnusableModelError(
                f"{self.source}: onnxruntime failed to run the model: {exc}", field="model"
            ) from exc

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The model's first output, one value per row."""
        (out,) = self._run(self.outputs[:1], X)
        return np.asarray(out).ravel()


class OnnxClassifier(OnnxModel):
    """An ONNX classifier with ``predict``, ``predict_proba`` and ``classes_``.

    ``classes_`` comes from the classifier's label attributes in the graph, or else from
    the keys of a ZipMap output; ``predict_proba``'s columns follow it.
    """

    def __init__(
        self,
        session: Any,
        source: str,
        labels: str | None,
        probabilities: str,
        classes: npt.NDArray[Any] | None,
    ) -> None:
        super().__init__(session, source)
        self.label_output = labels
        self.probability_output = probabilities
        self._classes = classes

    @property
    def classes_(self) -> npt.NDArray[Any]:
        """The class labels, in the order of ``predict_proba``'s columns."""
        if self._classes is None:
            raise AttributeError("classes_ is not known until the model has run once")
        return self._classes

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The predicted label of each row (the ``label`` output)."""
        if self.label_output is None:
            chosen: npt.NDArray[Any] = self.classes_[self.predict_proba(X).argmax(axis=1)]
            return chosen
        (out,) = self._run([self.label_output], X)
        return np.asarray(out).ravel()

    def predict_proba(self, X: Any) -> npt.NDArray[np.float64]:
        """Class probabilities, one column per class of ``classes_``."""
        (out,) = self._run([self.probability_output], X)
        if isinstance(out, list):  # ZipMap: one {class: probability} per row
            if self._classes is None:
                self._classes = np.array(list(out[0]) if out else [])
            return np.array(
                [[row[c] for c in self._classes.tolist()] for row in out], dtype=np.float64
            )
        return np.asarray(out, dtype=np.float64)
