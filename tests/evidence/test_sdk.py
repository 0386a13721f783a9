"""Evidence through the SDK against a real server, and through `bastion evidence`."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from typer.testing import CliRunner

from bastion import Client
from bastion.cli.main import app
from bastion.sdk.errors import InvalidRequestError
from tests.conftest import LiveServer


@dataclass
class StabilityResult:
    """A result shaped as the compute library's are: kind, verdict, summary, inputs, to_dict."""

    flip_rate: float
    evidence_kind: str = "assessment.robustness"
    verdict: str = "pass"
    extra: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=lambda: {"model": "ab" * 32})

    @property
    def summary(self) -> str:
        return f"{self.verdict}: prediction flip rate {self.flip_rate:.1%} under noise"

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": 1, "flip_rate": self.flip_rate, **self.extra}


@pytest.fixture
def sdk(live_server: LiveServer) -> Iterator[Client]:
    with Client(live_server.url, live_server.admin_key) as client:
        yield client


def test_log_assessment_then_read_it_back(sdk: Client, live_server: LiveServer) -> None:
    project = sdk.create_project(name="Assessed")
    model = sdk.create_model(project.slug, name="scorer")
    version = sdk.create_model_version(project.slug, model_id=model.id, version="1")
    recorded = sdk.log_assessment(
        StabilityResult(0.012), project=project.slug, subject_id=version.id,
        inputs={"data": "cd" * 32},
    )  # fmt: skip
    assert recorded.kind == "assessment.robustness"
    assert recorded.summary == "pass: prediction flip rate 1.2% under noise"
    # The digests the result carries, plus those the caller adds.
    assert recorded.inputs == [
        {"role": "model", "sha256": "ab" * 32},
        {"role": "data", "sha256": "cd" * 32},
    ]
    assert recorded.produced_by["software"]["name"] == "bastion-sdk"
    assert sdk.get_evidence(project.slug, recorded.id) == recorded
    page = sdk.list_evidence(project.slug, current=True, kind="assessment.robustness")
    assert [e.id for e in page.items] == [recorded.id]

    env = {"BASTION_URL": live_server.url, "BASTION_API_KEY": live_server.admin_key}
    runner = CliRunner()
    listed = runner.invoke(app, ["evidence", "list", "-p", project.slug, "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["items"][0]["id"] == str(recorded.id)
    shown = runner.invoke(app, ["evidence", "show", str(recorded.id), "-p", project.slug], env=env)
    assert shown.exit_code == 0, shown.output
    assert "assessment.robustness" in shown.stdout


def test_a_result_without_schema_version_is_refused_before_sending(sdk: Client) -> None:
    project = sdk.create_project(name="Refused")
    system = sdk.create_system(project.slug, name="s")
    unversioned = StabilityResult(0.5)
    unversioned.to_dict = lambda: {"flip_rate": 0.5}  # type: ignore[method-assign]
    with pytest.raises(InvalidRequestError) as caught:
        sdk.log_assessment(unversioned, project=project.slug, subject_id=system.id,
                           subject_type="ai_system")  # type: ignore[arg-type]  # fmt: skip
    assert caught.value.field == "result"


def test_log_a_real_fairness_assessment(sdk: Client) -> None:
    import numpy as np

    from bastion.fairness import assess_fairness

    rng = np.random.default_rng(7)
    sex = rng.choice(["female", "male"], size=400)
    y_true = rng.integers(0, 2, size=400)
    y_pred = np.where(sex == "male", rng.random(400) < 0.6, rng.random(400) < 0.3).astype(int)
    result = assess_fairness(y_true, y_pred, sensitive_features={"sex": sex})
    project = sdk.create_project(name="Fair")
    model = sdk.create_model(project.slug, name="m")
    version = sdk.create_model_version(project.slug, model_id=model.id, version="1")
    recorded = sdk.log_assessment(result, project=project.slug, subject_id=version.id)
    assert recorded.kind == "assessment.fairness"
    assert recorded.verdict == result.verdict == "fail"
    assert recorded.result["schema_version"] == result.to_dict()["schema_version"]
    assert recorded.summary == result.summary
