"""From a model's inputs to the columns SHAP works on, and back to the caller's features.

Explanations are read in terms of the columns of ``X`` that a person recognizes
(``marital_status``), not the one-hot columns a pipeline makes of them
(``categories__marital_status_Married-civ-spouse``). Two tools do that here:

* :func:`output_sources` follows a scikit-learn preprocessing (a ``ColumnTransformer``,
  encoders, scalers, imputers) and says which original feature each transformed column
  comes from, so a tree model's SHAP values can be summed per feature — exact, since SHAP
  values are additive.
* :class:`Codec` turns a frame of mixed types into a float matrix and back, so shap's
  maskers (which only handle numbers) can hide whole original columns of any type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Codec", "output_sources"]

_UNKNOWN = (AttributeError, ValueError, TypeError, NotImplementedError, IndexError)


def _source(out: str, names: Sequence[str]) -> int | None:
    """The input a transformer's output column is named after, or ``None``.

    scikit-learn names a univariate transformer's outputs after their input: the same
    name (scalers, imputers, ``OrdinalEncoder``), ``{input}_{category}`` (``OneHotEncoder``,
    ``SplineTransformer``) or ``missingindicator_{input}`` (an imputer's indicators).
    Where two inputs fit (``a`` and ``a_b`` for ``a_b_x``) the longer name wins, as the
    encoder adds at least one character after the separator. An output named after no
    input (``pca0``, ``a b`` from ``PolynomialFeatures``) mixes inputs: no mapping exists.
    """
    best: int | None = None
    for i, name in enumerate(names):
        named = out == name or out.startswith(f"{name}_") or out == f"missingindicator_{name}"
        if named and (best is None or len(name) > len(names[best])):
            best = i
    return best


def _match(outs: Sequence[str], names: Sequence[str]) -> list[int] | None:
    found = [_source(o, names) for o in outs]
    if any(f is None for f in found):
        return None
    return [f for f in found if f is not None]


def _selected(columns: Any, names: list[str]) -> list[str] | None:
    """The names a ``ColumnTransformer`` entry selects (names, indices, a mask or a slice)."""
    if callable(columns):
        return None
    if isinstance(columns, str | int | np.integer):
        columns = [columns]
    if isinstance(columns, slice):
        return names[columns]
    values = list(np.asarray(columns).tolist())
    if values and all(isinstance(v, bool) for v in values):
        return [n for n, keep in zip(names, values, strict=True) if keep]
    out = []
    for v in values:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, int):
            out.append(names[v])
        else:
            return None
    return out


def _column_transformer(step: Any, names: list[str]) -> tuple[list[int], list[str]] | None:
    """Sources and output names of a fitted ``ColumnTransformer`` (in its output order)."""
    width = max((s.stop for s in step.output_indices_.values()), default=0)
    sources: list[int | None] = [None] * width
    for name, transformer, columns in step.transformers_:
        where = step.output_indices_.get(name)
        if transformer == "drop" or where is None or where.stop == where.start:
            continue
        selected = _selected(columns, names)
        if selected is None or any(s not in names for s in selected):
            return None
        if transformer == "passthrough":
            outs = selected
        else:
            try:
                outs = [str(o) for o in transformer.get_feature_names_out(selected)]
            except _UNKNOWN:
                return None
        local = _match(outs, selected)
        if local is None or len(local) != where.stop - where.start:
            return None
        for j, i in zip(range(where.start, where.stop), local, strict=True):
            sources[j] = names.index(selected[i])
    if any(s is None for s in sources):
        return None
    return [s for s in sources if s is not None], [str(o) for o in step.get_feature_names_out()]


def output_sources(steps: Sequence[Any], features: Sequence[str]) -> list[int] | None:
    """For each column the preprocessing ``steps`` output, the index of its original feature.

    Parameters
    ----------
    steps : sequence of fitted transformers
        The steps of a pipeline before its final estimator (``None`` and ``"passthrough"``
        are skipped).
    features : sequence of str
        The columns the first step is given.

    Returns
    -------
    list of int or None
        ``None`` when some output column is not traceable to exactly one feature (a PCA,
        polynomial features, a custom transformer without ``get_feature_names_out``): then
        SHAP values of the transformed columns cannot be summed per feature.
    """
    from sklearn.compose import ColumnTransformer  # type: ignore[import-untyped]

    names = [str(f) for f in features]
    origin = list(range(len(names)))
    for step in steps:
        if step is None or step == "passthrough":
            continue
        if isinstance(step, ColumnTransformer):
            mapped = _column_transformer(step, names)
            if mapped is None:
                return None
            parents, names = mapped
        else:
            try:
                outs = [str(o) for o in step.get_feature_names_out(names)]
            except _UNKNOWN:
                return None
            found = _match(outs, names)
            if found is None:
                return None
            parents, names = found, outs
        origin = [origin[p] for p in parents]
    return origin


class Codec:
    """Mixed-type columns as a float matrix and back, for shap's numeric maskers.

    Numbers (and booleans) are kept as floats; any other column — strings, categoricals,
    dates — becomes integer codes over the values seen in the frames given, with NaN for a
    missing value. Masked rows only ever mix values of an explained row and a background
    row, so every code decodes. Decoding restores each column's dtype, so the model sees
    the same kind of frame it was trained on.
    """

    def __init__(self, *frames: pd.DataFrame) -> None:
        first = frames[0]
        self.columns = list(first.columns)
        self.dtypes = first.dtypes
        self._values: dict[Any, npt.NDArray[Any]] = {}
        for c in self.columns:
            if not self._numeric(c):
                joined = pd.concat([f[c] for f in frames], ignore_index=True)
                uniques = pd.unique(joined[joined.notna()].to_numpy(dtype=object))
                # One slot past the end holds the missing value: code NaN decodes to it.
                self._values[c] = np.append(np.asarray(uniques, dtype=object), np.nan)

    def _numeric(self, column: Any) -> bool:
        return self.dtypes[column].kind in "biuf"

    def encode(self, frame: pd.DataFrame) -> npt.NDArray[np.float64]:
        """The frame as a float matrix, one column per feature."""
        out = np.empty((len(frame), len(self.columns)), dtype=np.float64)
        for j, c in enumerate(self.columns):
            col = frame[c]
            if self._numeric(c):
                out[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                table = self._values[c]
                lookup = {v: i for i, v in enumerate(table[:-1])}
                out[:, j] = [np.nan if pd.isna(v) else lookup[v] for v in col.to_numpy(object)]
        return out

    def decode(self, matrix: npt.NDArray[np.float64]) -> pd.DataFrame:
        """A float matrix made by :meth:`encode` (or masked from it) as a typed frame."""
        data: dict[Any, Any] = {}
        for j, c in enumerate(self.columns):
            values = matrix[:, j]
            dtype = self.dtypes[c]
            if self._numeric(c):
                data[c] = values if dtype == np.float64 else pd.Series(values).astype(dtype)
            else:
                table = self._values[c]
                codes = np.where(np.isnan(values), len(table) - 1, values).astype(np.int64)
                decoded = pd.Series(table[codes], dtype=object)
                data[c] = decoded if dtype == np.dtype(object) else decoded.astype(dtype)
        return pd.DataFrame(data, columns=self.columns)
