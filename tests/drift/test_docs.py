"""docs/drift.md runs as written: every Python block, in order, in one namespace, and
the values its comments show are the values computed."""

import ast
import os
import re
from pathlib import Path

import pytest

from tests.datasets import DATA

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "drift.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def shown(block: str) -> list[tuple[str, object]]:
    """``expression   # value`` lines of a block: the value is the longest start of the
    comment that is a Python literal (words after it explain it)."""
    out = []
    for line in block.splitlines():
        code, sep, comment = line.partition("   # ")
        if not sep or not code.strip() or re.match(r"^\s*\w+\s*=", code):
            continue
        cuts = [len(comment), *[m.start() for m in re.finditer(":", comment)][::-1]]
        for cut in cuts:
            try:
                out.append((code.strip(), ast.literal_eval(comment[:cut].strip())))
                break
            except (ValueError, SyntaxError):
                continue
    return out


def test_page_runs_and_shows_what_it_computes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page reads ../shared/data and writes drift.html in the working directory.
    (tmp_path / "shared").mkdir()
    os.symlink(DATA, tmp_path / "shared" / "data")
    (tmp_path / "checkout").mkdir()
    monkeypatch.chdir(tmp_path / "checkout")
    namespace: dict = {}
    checked = 0
    for block in blocks():
        exec(compile(block, str(PAGE), "exec"), namespace)  # noqa: S102 - our own page
        for code, value in shown(block):
            assert eval(code, namespace) == value, code  # noqa: S307
            checked += 1
    assert checked >= 8
    assert (tmp_path / "checkout" / "drift.html").read_text().startswith("<!doctype html>")
