"""SHA-256 digests of what an assessment ran on, for the evidence record's ``inputs``.

A file's digest is the SHA-256 of its bytes — the same digest the platform's artifact
store gives a dataset or model version, so evidence computed from a downloaded file
links back to the registered version. Data held in memory has a *content* digest
instead: the column names, their types and pandas' stable per-row hash, so the same
table hashes the same whether it came as pandas, polars or Arrow.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bastion.assessment.errors import UnusableModelError
from bastion.assessment.tables import as_frame

__all__ = ["data_digest", "file_digest", "input_digests", "model_digest"]

_CHUNK = 1024 * 1024


def file_digest(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in chunks (constant memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def data_digest(*parts: Any) -> str:
    """The content digest of one or more tables or columns, taken together in order.

    Each part may be a pandas, polars or Arrow table, a Series, a numpy array or a list;
    ``None`` parts are skipped (an absent optional column). A numeric numpy array is
    hashed as its raw bytes (milliseconds for ten million rows); anything else through
    pandas' row hash.
    """
    h = hashlib.sha256(b"bastion-data-v1")
    for part in parts:
        if part is None:
            continue
        if isinstance(part, np.ndarray) and part.dtype.kind in "biuf":
            h.update(f"{part.dtype.str}{part.shape}".encode())
            h.update(np.ascontiguousarray(part).tobytes())
            continue
        frame = as_frame(part)
        h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
        h.update(np.ascontiguousarray(rows).tobytes())
    return h.hexdigest()


def model_digest(model: Any) -> str:
    """The digest of the file a model was loaded from, else of the pickled object.

    A model loaded by :func:`bastion.model_files.load_model` carries its file's digest
    as ``sha256``; for an object built in memory, the SHA-256 of its pickle stands in
    (pickling only writes bytes: nothing is loaded).
    """
    known = getattr(model, "sha256", None)
    if isinstance(known, str):
        return known
    try:
        blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise UnusableModelError(
            f"cannot take the digest of the model ({type(model).__name__}): it does not "
            f"pickle ({exc}); pass its file's digest as inputs={{'model': …}}",
            field="inputs",
        ) from exc
    return hashlib.sha256(blob).hexdigest()


def input_digests(given: Mapping[str, str] | None, **computed: Any) -> dict[str, str]:
    """The ``inputs`` of a result: what the caller gave, else what can be computed.

    ``computed`` maps roles to zero-argument callables, called only for the roles the
    caller did not give (hashing ten million rows is not free).
    """
    out = dict(given or {})
    for role, compute in computed.items():
        if role not in out and compute is not None:
            out[role] = compute()
    return out
