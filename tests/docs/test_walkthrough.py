"""The audit walk-through (docs/audit-walkthrough.md) runs as written: every Python block,
in order, in one namespace, against a live server — so the page cannot drift from the
code."""

import re
from pathlib import Path

import pytest

from tests.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "audit-walkthrough.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def test_the_page_has_its_steps() -> None:
    assert len(blocks()) >= 10


def test_walkthrough_runs(
    live_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page reads ../shared/data relative to the checkout and writes files beside it:
    # run it from a scratch copy of that layout.
    work = tmp_path / "checkout"
    work.mkdir()
    (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    (work / "docs").symlink_to(ROOT / "docs")
    monkeypatch.chdir(work)
    monkeypatch.setenv("BASTION_URL", live_server.url)
    monkeypatch.setenv("BASTION_API_KEY", live_server.admin_key)
    namespace: dict[str, object] = {"__name__": "walkthrough"}
    for number, source in enumerate(blocks(), start=1):
        try:
            exec(compile(source, f"{PAGE.name} block {number}", "exec"), namespace)  # noqa: S102
        except Exception as exc:  # name the block that broke
            raise AssertionError(f"block {number} of {PAGE.name} failed: {exc!r}") from exc
    card = (work / "credit-model-card.html").read_text(encoding="utf-8")
    assert "Credit scoring" in card
    assert "assessment.robustness" in card
    assert (work / "credit-compliance.pdf").read_bytes().startswith(b"%PDF-")
    assert namespace["result"].ok, namespace["result"].problems  # type: ignore[attr-defined]
