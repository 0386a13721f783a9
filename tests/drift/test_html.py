"""The HTML report: one self-contained page, a chart per column, everything escaped."""

import polars as pl
import pytest

from bastion.drift import DriftInputError, compare, fit_profile, render_html, summarize
from tests.drift.conftest import frame


def test_report_is_self_contained_with_a_chart_per_column() -> None:
    report = compare(frame(3000, 1), frame(3000, 2, shift=1.0))
    page = render_html(report)
    assert page.startswith("<!doctype html>")
    assert page.rstrip().endswith("</html>")
    assert "<script" not in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    assert "<link" not in page
    assert page.count("<svg") == 6
    assert report.summary in page
    assert "wasserstein" in page
    assert "jensenshannon" in page


def test_names_and_values_are_escaped() -> None:
    evil = "<img src=x onerror=alert(1)>"
    ref = pl.DataFrame({evil: ["<b>a</b>", "b"] * 100, "x": list(range(200))})
    cur = pl.DataFrame({evil: ["<b>a</b>", "<i>new</i>"] * 100, "x": list(range(200))})
    page = render_html(compare(ref, cur))
    assert evil not in page
    assert "<b>a</b>" not in page
    assert "<i>new</i>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;i&gt;new&lt;/i&gt;" in page


def test_profiles_can_be_passed_and_are_required() -> None:
    ref = fit_profile(frame(1000, 1))
    window = summarize(frame(1000, 2), ref)
    report = compare(ref, window)
    assert render_html(report, ref, window) == render_html(report)
    bare = type(report)(**{**report.__dict__, "reference": None, "current": None})
    with pytest.raises(DriftInputError, match="profiles"):
        render_html(bare)
