"""Generalization, checked value by value: ranges by width and by edges, top- and
bottom-coding, dates truncated, postcodes shortened; unreadable values name their row."""

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from bastion.anonymize import AnonymizationError, anonymize_frame
from tests.anonymize.conftest import people


def _one(values: Sequence[object] | pd.Series, **rule: object) -> pd.Series:
    frame = pd.DataFrame({"x": values})
    out, _ = anonymize_frame(
        frame, {"columns": {"x": {"operator": "generalize", **rule}}}, keys=None
    )
    return out["x"]


def test_ranges_by_width_on_adult_ages() -> None:
    frame = people()
    out, report = anonymize_frame(
        frame, {"columns": {"age": {"operator": "generalize", "width": 10}}}, keys=None
    )
    lower = frame["age"] // 10 * 10
    expected = "[" + lower.astype(str) + ", " + (lower + 10).astype(str) + ")"
    assert out["age"].tolist() == expected.tolist()
    assert report.column("age").values_changed == len(frame)
    assert report.column("age").method == "width"


def test_width_with_origin_and_tails() -> None:
    out = _one([17, 18, 24.5, 25, 64.9, 65, 90, None], width=5, origin=15, top=65, bottom=20)
    assert out.tolist()[:7] == [
        "< 20",
        "< 20",
        "[20, 25)",
        "[25, 30)",
        "[60, 65)",
        ">= 65",
        ">= 65",
    ]
    assert pd.isna(out.iloc[7])


def test_fractional_widths_put_boundaries_in_the_upper_range() -> None:
    out = _one([0.3, 0.29999, 0.7, -0.05], width=0.1)
    assert out.tolist() == ["[0.3, 0.4)", "[0.2, 0.3)", "[0.7, 0.8)", "[-0.1, 0)"]


def test_ranges_by_edges() -> None:
    out = _one(["17", "18", "29.9", "30", "64", "65", "99"], edges=[18, 30, 65])
    assert out.tolist() == [
        "< 18",
        "[18, 30)",
        "[18, 30)",
        "[30, 65)",
        "[30, 65)",
        ">= 65",
        ">= 65",
    ]


def test_top_and_bottom_coding_keep_numbers_numbers() -> None:
    frame = people()
    out, report = anonymize_frame(
        frame,
        {"columns": {"capital_gain": {"operator": "generalize", "top": 10000}}},
        keys=None,
    )
    assert out["capital_gain"].dtype == frame["capital_gain"].dtype
    assert out["capital_gain"].tolist() == frame["capital_gain"].clip(upper=10000).tolist()
    assert report.column("capital_gain").values_changed == (frame["capital_gain"] > 10000).sum()
    # Text (as read from a CSV) stays text, only coded values rewritten.
    coded = _one(["17", "90", "91.5", None, "007"], top=90, bottom=18)
    assert coded.tolist()[:3] == ["18", "90", "90"]
    assert pd.isna(coded.iloc[3])
    assert coded.iloc[4] == "18"


def test_dates_truncate_to_year_month_and_day() -> None:
    frame = people(500)
    for unit, width in (("year", 4), ("month", 7), ("day", 10)):
        out, _ = anonymize_frame(
            frame,
            {"columns": {"date_of_birth": {"operator": "generalize", "date": unit}}},
            keys=None,
        )
        assert out["date_of_birth"].tolist() == frame["date_of_birth"].str[:width].tolist()
    months = _one(["2001-02-03T04:05:06", None, "1999-12-31"], date="month")
    assert months.tolist()[::2] == ["2001-02", "1999-12"]
    years = _one(["03/02/2001", "31/12/1999"], date="year", date_format="%d/%m/%Y")
    assert years.tolist() == ["2001", "1999"]
    timestamps = pd.to_datetime(pd.Series(["2020-05-17 13:00", None]))
    days = _one(timestamps, date="day")
    assert days.iloc[0] == "2020-05-17"
    assert pd.isna(days.iloc[1])


def test_postcodes_truncate() -> None:
    frame = people()
    out, report = anonymize_frame(
        frame, {"columns": {"postcode": {"operator": "generalize", "truncate": 3}}}, keys=None
    )
    assert (out["postcode"] == frame["postcode"].str[:3]).all()
    assert report.column("postcode").values_changed == len(frame)
    assert _one(["SW1A 1AA", "EC1"], truncate=4).tolist() == ["SW1A", "EC1"]
    assert _one([94107, 2139], truncate=3).tolist() == ["941", "213"]


@pytest.mark.parametrize(
    ("values", "rule", "row", "message"),
    [
        (["39", "41", "forty", "7"], {"width": 10}, 3, "not a finite number"),
        (["1", "inf"], {"edges": [0, 5]}, 2, "not a finite number"),
        (["1990-01-01", "1991-13-45"], {"date": "year"}, 2, "not a date in ISO 8601"),
        (
            ["01/02/2003", "2003-02-01"],
            {"date": "year", "date_format": "%d/%m/%Y"},
            2,
            "'%d/%m/%Y'",
        ),
    ],
)
def test_unreadable_values_name_their_row(
    values: list[str], rule: dict[str, object], row: int, message: str
) -> None:
    with pytest.raises(AnonymizationError, match=message) as caught:
        _one(values, **rule)
    assert f"column 'x', row {row}:" in caught.value.detail
    assert values[row - 1] not in caught.value.detail


def test_missing_values_stay_missing_in_every_method() -> None:
    for rule in ({"width": 10}, {"edges": [1]}, {"top": 5}, {"date": "year"}, {"truncate": 1}):
        out = _one([None, None], **rule)
        assert out.isna().all()
    assert np.isnan(_one([np.nan, 3.0], top=2).iloc[0])
