"""The one error of its own the robustness assessment raises; the rest are shared.

Bad data, bad options and a model without ``predict`` raise the errors of
:mod:`bastion.assessment.errors`. What only this package meets is a model that has
``predict`` but fails when called on the rows the attacks build.
"""

from bastion.assessment.errors import UnusableModelError

__all__ = ["ModelPredictError"]


class ModelPredictError(UnusableModelError):
    """The model's ``predict`` raised, or answered with the wrong number of labels."""
