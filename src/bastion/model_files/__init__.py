"""Model files: scan them for what loading would import or run, and load them without
ever unpickling bytes that were not scanned first.

Pure computation, like the assessments: it imports nothing from the platform but
:mod:`bastion.assessment` and :mod:`bastion.errors`. The scan is ``scan.model`` evidence;
the loaded model goes straight into an assessment. See ``docs/model_files.md``.

>>> from bastion.model_files import load_model, scan_model_file
>>> scan_model_file("model.joblib").verdict
'pass'
>>> model = load_model("model.skops")   # refuses (UnsafeModelError) what the scan fails
>>> model.predict_proba(X_test)
"""

from bastion.assessment.errors import UnsafeModelError, UnusableModelError
from bastion.assessment.model import LoadedModel, ModelFormat
from bastion.model_files.detect import DEFAULT_MAX_BYTES, detect_format
from bastion.model_files.load import load_model
from bastion.model_files.onnx_model import OnnxClassifier, OnnxModel
from bastion.model_files.policy import (
    ALLOWED_PACKAGES,
    ALWAYS_REFUSED_BUILTINS,
    ALWAYS_REFUSED_MODULES,
    REFUSED_NAMES,
    REFUSED_SUBMODULES,
    SAFE_GLOBALS,
    SKLEARN_FUNCTION_MODULES,
    AllowList,
    judge_global,
)
from bastion.model_files.result import Finding, ModelScanResult
from bastion.model_files.scan import scan_model_file

__all__ = [
    "ALLOWED_PACKAGES",
    "ALWAYS_REFUSED_BUILTINS",
    "ALWAYS_REFUSED_MODULES",
    "DEFAULT_MAX_BYTES",
    "REFUSED_NAMES",
    "REFUSED_SUBMODULES",
    "SAFE_GLOBALS",
    "SKLEARN_FUNCTION_MODULES",
    "AllowList",
    "Finding",
    "LoadedModel",
    "ModelFormat",
    "ModelScanResult",
    "OnnxClassifier",
    "OnnxModel",
    "UnsafeModelError",
    "UnusableModelError",
    "detect_format",
    "judge_global",
    "load_model",
    "scan_model_file",
]
