"""What every model assessment shares: input validation, errors, verdicts and digests.

The assessments themselves live in their own packages (:mod:`bastion.fairness`,
:mod:`bastion.performance`, :mod:`bastion.explain`, :mod:`bastion.robustness`,
:mod:`bastion.privacy_attacks`). Each returns a result with ``evidence_kind``,
``verdict``, ``summary``, ``inputs`` (the digests of what it ran on) and ``to_dict()``,
which ``bastion.Client.log_assessment`` records as evidence. Like them, this package is
pure computation: it imports nothing from the platform but :mod:`bastion.errors`.
"""
