"""The example answer files of the classification tests (reused by the docs and the CLI
tests), and the facts the shipped tree must set."""

from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "classification"

FACTS = {  # docs/frameworks.md, "Facts"
    "personal_data",
    "special_category_data",
    "profiling",
    "automated_decisions",
    "interacts_with_people",
    "synthetic_content",
    "emotion_or_biometric_categorisation",
    "deep_fake",
    "fria_required",
    "public_sector",
    "california_consumers",
    "sells_or_shares_data",
    "safety_component",
    "annex_iii_derogation",
}


def example(name: str) -> dict[str, Any]:
    """The answers in ``docs/examples/classification/<name>.yaml``."""
    data = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
