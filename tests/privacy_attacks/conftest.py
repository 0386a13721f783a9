"""Real data for the membership-inference tests: UCI Adult and German Credit from
``shared/data`` with scikit-learn pipelines trained on their training rows, and the
assessments the tests read, computed once per session (the machine is shared)."""

from dataclasses import dataclass

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from bastion.privacy_attacks import MembershipResult, assess_membership_inference
from tests.datasets import Split, adult_split, german_split, tabular_model

# Members and non-members sampled per side: 1,000 of each to train the attack, 1,000 of
# each to evaluate it — enough to read TPR at 0.1 % FPR, and a second or so per run.
MAX_SAMPLES = 2000


@dataclass(frozen=True)
class Trained:
    """A split and a model trained on its training rows."""

    split: Split
    model: Pipeline


@dataclass(frozen=True)
class Predictions:
    """A model's probabilities on training rows (members) followed by held-out rows."""

    y_true: np.ndarray
    proba: np.ndarray
    member: np.ndarray


@pytest.fixture(scope="session")
def adult_forest() -> Trained:
    """A random forest on Adult: 97 % accurate on its training rows, 85 % on others."""
    split = adult_split()
    return Trained(split, tabular_model(split, kind="forest"))


@pytest.fixture(scope="session")
def adult_logistic() -> Trained:
    """A logistic regression on Adult: as accurate on training rows as on others."""
    split = adult_split()
    return Trained(split, tabular_model(split, kind="logistic"))


@pytest.fixture(scope="session")
def german_forest() -> Trained:
    """A random forest on German Credit's 700 training rows, which it learns by heart."""
    split = german_split()
    return Trained(split, tabular_model(split, kind="forest"))


def assess(trained: Trained, **options: object) -> MembershipResult:
    s = trained.split
    return assess_membership_inference(
        trained.model,
        s.X_train,
        s.y_train,
        s.X_test,
        s.y_test,
        max_samples=options.pop("max_samples", MAX_SAMPLES),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def forest_result(adult_forest: Trained) -> MembershipResult:
    return assess(adult_forest)


@pytest.fixture(scope="session")
def logistic_result(adult_logistic: Trained) -> MembershipResult:
    return assess(adult_logistic)


@pytest.fixture(scope="session")
def german_predictions(german_forest: Trained) -> Predictions:
    """The German Credit forest's probabilities on all 1,000 rows, members first."""
    s, model = german_forest.split, german_forest.model
    return Predictions(
        y_true=np.concatenate([s.y_train, s.y_test]),
        proba=np.vstack([model.predict_proba(s.X_train), model.predict_proba(s.X_test)]),
        member=np.r_[np.ones(len(s.y_train), bool), np.zeros(len(s.y_test), bool)],
    )
