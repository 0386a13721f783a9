"""Loading a model file, only after its scan passed, from the very bytes that were scanned.

The order is the security standard's: the upload is size-limited, then scanned, and only
a file with nothing unsafe is loaded — skops with exactly the scanned-and-allowed types as
``trusted``, pickle and joblib through the restricted unpickler (which applies the same
allow-list again, in case the scan were ever fooled), ONNX through onnxruntime from bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from bastion.assessment.errors import UnsafeModelError, UnusableModelError
from bastion.assessment.model import LoadedModel
from bastion.model_files.detect import DEFAULT_MAX_BYTES, read_model_file
from bastion.model_files.onnx_model import onnx_session
from bastion.model_files.pickles import UnsafePickle, load_pickle
from bastion.model_files.policy import AllowList
from bastion.model_files.scan import Scanned, scan_bytes

__all__ = ["load_model"]


def _refuse_unsafe(scanned: Scanned) -> UnsafeModelError:
    result = scanned.result
    listed = "; ".join(f"{f.name} ({f.reason})" for f in result.unsafe)
    return UnsafeModelError(
        f"{result.source}: refused, not loaded: {len(result.unsafe)} unsafe finding"
        f"{'' if len(result.unsafe) == 1 else 's'}: {listed}",
        field="model",
        unsafe=[f.to_dict() for f in result.unsafe],
        sha256=result.sha256,
    )


def _load_pickle(scanned: Scanned) -> Any:
    assert scanned.pickle_report is not None  # noqa: S101 - set by scan_bytes for pickles
    source = scanned.model.source
    try:
        return load_pickle(scanned.model.payload, scanned.pickle_report, scanned.allow)
    except UnsafePickle as exc:
        raise UnsafeModelError(f"{source}: refused while loading: {exc}", field="model") from None
    except Exception as exc:
        # A damaged stream, a class rejecting its state, a version mismatch: unpickling
        # raises anything at all. The caller gets one error naming the file, with the
        # cause chained for whoever debugs it.
        raise UnusableModelError(
            f"{source}: cannot be loaded: {type(exc).__name__}: {exc}", field="model"
        ) from exc


def _load_skops(scanned: Scanned) -> Any:
    import skops.io  # type: ignore[import-untyped]

    try:
        # trusted= is exactly what the scan listed and allowed: nothing more is admitted.
        return skops.io.loads(scanned.model.data, trusted=list(scanned.trusted_types))
    except Exception as exc:  # skops raises many types for damaged content
        raise UnusableModelError(
            f"{scanned.model.source}: skops cannot load it: {type(exc).__name__}: {exc}",
            field="model",
        ) from exc


def load_model(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow: Iterable[str] = (),
) -> LoadedModel:
    """Scan a model file and, if nothing in it is unsafe, load it.

    Parameters
    ----------
    path : str or path-like
        A skops, ONNX, pickle or joblib file; the format is read from the content.
    max_bytes : int
        Refuse files larger than this, and compressed files that inflate past it.
    allow : iterable of str
        Extra module prefixes (``"xgboost."``) or globals (``"fractions.Fraction"``) to
        admit on top of the default allow-list. Process, file, network and
        code-evaluation modules stay refused whatever is given.

    Returns
    -------
    LoadedModel
        The estimator (or, for ONNX, an :class:`~bastion.model_files.OnnxModel` adapter
        with ``predict`` and, for classifiers, ``predict_proba`` and ``classes_``), with
        the file's SHA-256, format and name.

    Raises
    ------
    UnsafeModelError
        If the scan found anything unsafe; the message names the file and each finding.
        Nothing from the file was loaded.
    UnusableModelError
        If the file is missing, empty, too large, damaged, truncated or of an unknown
        format, or cannot be loaded; the message names the file.
    """
    allow_list = AllowList.of(allow)
    model = read_model_file(path, max_bytes=max_bytes)
    scanned = scan_bytes(model, allow_list, max_bytes=max_bytes)
    if not scanned.result.passed:
        raise _refuse_unsafe(scanned)
    if model.format == "pickle":
        native = _load_pickle(scanned)
    elif model.format == "skops":
        native = _load_skops(scanned)
    else:
        assert scanned.onnx_model is not None  # noqa: S101 - set by scan_bytes for ONNX
        native = onnx_session(model.source, model.data, scanned.onnx_model)
    if native is None:
        raise UnusableModelError(f"{model.source}: holds no model (None)", field="model")
    return LoadedModel(native=native, sha256=model.sha256, format=model.format, source=model.source)
