"""The example answer files of the shipped questionnaires, which the docs and CLI tests
reuse."""

from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "questionnaires"


def example(name: str) -> dict[str, Any]:
    """The answers in ``docs/examples/questionnaires/<name>.yaml``."""
    data = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
