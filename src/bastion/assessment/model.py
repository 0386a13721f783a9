"""What the assessments ask of a model, and how they find the estimator inside a wrapper.

An assessment accepts any object with ``predict`` (and ``predict_proba`` where scores are
needed): a scikit-learn estimator or pipeline, or a :class:`LoadedModel` from
:func:`bastion.model_files.load_model`, which also carries its file's digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from bastion.assessment.errors import UnusableModelError

__all__ = ["LoadedModel", "ModelFormat", "native", "require"]

ModelFormat = Literal["skops", "onnx", "pickle"]


@dataclass(frozen=True)
class LoadedModel:
    """A model loaded from a file that passed its safety scan.

    Attributes
    ----------
    native : object
        The loaded estimator (scikit-learn, XGBoost, …) or an ONNX runtime adapter;
        it has ``predict`` and, for classifiers that give scores, ``predict_proba``.
    sha256 : str
        The SHA-256 of the file's bytes (the evidence records it as the ``model`` input).
    format : {"skops", "onnx", "pickle"}
    source : str
        The file's name, for messages.
    """

    native: Any
    sha256: str
    format: ModelFormat
    source: str

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The native model's predictions."""
        return np.asarray(self.native.predict(X))

    def predict_proba(self, X: Any) -> npt.NDArray[np.float64]:
        """The native model's class probabilities."""
        require(self.native, "predict_proba")
        return np.asarray(self.native.predict_proba(X), dtype=np.float64)

    @property
    def classes_(self) -> npt.NDArray[Any]:
        """The class labels, in the order of ``predict_proba``'s columns."""
        classes = getattr(self.native, "classes_", None)
        if classes is None:
            raise UnusableModelError(f"{self.source}: the model does not say its classes")
        return np.asarray(classes)


def native(model: Any) -> Any:
    """The estimator inside a :class:`LoadedModel`, or the model itself."""
    return model.native if isinstance(model, LoadedModel) else model


def require(model: Any, *methods: str) -> None:
    """Refuse a model that lacks one of ``methods``, naming the first one missing."""
    for name in methods:
        if not callable(getattr(native(model), name, None)):
            raise UnusableModelError(
                f"the model ({type(native(model)).__name__}) has no {name}(); "
                f"this assessment calls it",
                field="model",
            )
