"""The scoring matrix: score and level of every cell of the default grid, custom grids
from YAML, and the grids that are refused (with the cell named)."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from bastion.risks.matrix import DEFAULT_MATRIX, LEVELS, MatrixError, RiskMatrix, load_matrix
from bastion.settings import Settings

# docs/risks.md prints this grid; rows are likelihood 1..5, columns impact 1..5.
DOCUMENTED = """
L\\I  1        2        3        4         5
1    low      low      low      medium    medium
2    low      low      medium   medium    high
3    low      medium   medium   high      high
4    medium   medium   high     high      critical
5    medium   high     high     critical  critical
"""


def _documented() -> list[list[str]]:
    return [line.split()[1:] for line in DOCUMENTED.strip().splitlines()[1:]]


def test_default_grid_is_the_documented_one() -> None:
    grid = _documented()
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            rating = DEFAULT_MATRIX.rate(likelihood, impact)
            assert rating.score == likelihood * impact
            assert rating.level == grid[likelihood - 1][impact - 1]
    docs = (Path(__file__).parents[2] / "docs" / "risks.md").read_text()
    for row in grid:
        assert " | ".join(row) in docs


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 3), (3, 0), (3, 6), (True, 3)])
def test_ratings_outside_one_to_five_are_refused(likelihood: int, impact: int) -> None:
    with pytest.raises(MatrixError, match="from 1 to 5"):
        DEFAULT_MATRIX.rate(likelihood, impact)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(text)
    return path


STRICT = """
# A stricter grid: anything above 2 x 2 is at least high.
levels: [low, medium, high, critical]
grid:
  - [low,    low,      medium,   high,     high]
  - [low,    medium,   high,     high,     critical]
  - [medium, high,     high,     critical, critical]
  - [high,   high,     critical, critical, critical]
  - [high,   critical, critical, critical, critical]
"""


def test_a_custom_grid_loads_from_yaml(tmp_path: Path) -> None:
    matrix = load_matrix(_write(tmp_path, STRICT))
    assert matrix.rate(3, 3).level == "high"
    assert matrix.rate(1, 1).level == "low"
    assert matrix.rate(5, 2).level == "critical"
    assert matrix.to_dict()["levels"] == list(LEVELS)
    assert load_matrix(None) is DEFAULT_MATRIX


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grid: [[low, low]]", "expected 5 rows"),
        (STRICT.replace("[low,    low,      medium", "[low,    low"), "expected 5 rows"),
        (STRICT.replace("[low,    medium,   high,", "[low,    severe,   high,"),
         "unknown level 'severe'"),
        (STRICT.replace("[medium, high,     high,", "[medium, low,      high,"), "may not go down"),
        (STRICT.replace("levels: [low, medium, high, critical]", "levels: [low, high]"), "levels"),
        ("- just a list", "a mapping with a 'grid'"),
        ("grid: [", "not valid YAML"),
        ("grid: []\nextra: 1", "unknown keys"),
    ],
)  # fmt: skip
def test_bad_grids_are_refused_naming_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MatrixError, match=message):
        load_matrix(_write(tmp_path, text))


def test_non_monotone_in_impact_names_the_cell() -> None:
    grid = [list(row) for row in DEFAULT_MATRIX.grid]
    grid[1][4] = "low"
    with pytest.raises(MatrixError, match=r"grid\[likelihood 2\]\[impact 5\]"):
        RiskMatrix(grid=tuple(tuple(r) for r in grid))


def test_the_setting_validates_the_file(tmp_path: Path) -> None:
    good = _write(tmp_path, STRICT)
    assert Settings(risk_matrix_file=good).risk_matrix_file == good
    with pytest.raises(ValidationError, match="risk_matrix_file"):
        Settings(risk_matrix_file=tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(STRICT.replace("critical]\n  - [high,", "low]\n  - [high,", 1))
    with pytest.raises(ValidationError, match="may not go down"):
        Settings(risk_matrix_file=bad)
