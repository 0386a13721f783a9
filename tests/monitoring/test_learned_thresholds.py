"""Drift bands learned from windows of the monitor's own reference (mean ± 3 sigma): written
into drift_config where they can be read and edited, kept apart from the user's rules,
and relearned when the reference is fitted again."""

from tests.inventory.conftest import assert_problem
from tests.monitoring.conftest import SHIFTED, World, adult


def _rules(monitor: dict) -> dict:
    columns: dict = monitor["drift_config"].get("columns", {})
    return columns


def test_bands_are_learned_for_the_columns_without_a_rule(world: World) -> None:
    own = {"age": {"test": None, "threshold": 0.2, "band": None}}
    monitor = world.monitor(learn_thresholds=True, drift_config={"columns": own})
    rules = _rules(monitor)
    learned = monitor["reference"]["learned"]
    assert rules["age"] == own["age"]  # the user's rule stays
    assert "age" not in learned
    assert set(learned) == set(monitor["columns"]) - {"age"}
    for column in learned:
        low, high = rules[column]["band"]
        assert low < high, column
        # Distances between ordinary windows of 2,000 rows are small: bands sit near 0.
        assert high < 0.15, (column, rules[column])

    # Windows of the same population stay inside the bands; the shift leaves them.
    world.log(adult().current)
    calm = world.run(monitor["id"])["evaluated"]
    assert calm
    assert all(w["metrics"]["drift.share"] <= 0.1 for w in calm)
    world.log(adult().shifted)
    shifted = world.run(monitor["id"])["evaluated"][-1]
    drifted = {
        key.removeprefix("drift.drifted.")
        for key, value in shifted["metrics"].items()
        if key.startswith("drift.drifted.") and value == 1
    }
    assert drifted >= SHIFTED


def test_an_edited_band_is_the_users_and_survives_a_refit(world: World) -> None:
    monitor = world.monitor(learn_thresholds=True)
    url = world.url(f"/monitors/{monitor['id']}")
    rules = _rules(monitor)
    mine = {"test": rules["age"]["test"], "threshold": None, "band": [0.0, 0.5]}
    config = monitor["drift_config"] | {"columns": rules | {"age": mine}}
    edited = world.client.patch(url, json={"version": 1, "drift_config": config})
    assert edited.status_code == 200, edited.text
    assert "age" not in edited.json()["reference"]["learned"]

    # Watching fewer columns fits the reference again: the other bands are relearned.
    refit = world.client.patch(
        url, json={"version": 2, "columns": ["age", "hours_per_week", "workclass"]}
    )
    assert refit.status_code == 200, refit.text
    after = refit.json()
    assert after["reference"]["learned"] == ["hours_per_week", "workclass"]
    assert _rules(after)["age"] == mine
    assert _rules(after)["workclass"] == rules["workclass"]  # same data, same seed


def test_a_reference_too_small_to_learn_from_is_refused(world: World) -> None:
    response = world.client.post(
        world.version_url("monitors"),
        json={
            "name": "greedy",
            "dataset_version_id": world.dataset_version_id,
            "label_column": "label",
            "window": {"rows": len(adult().reference) // 2 + 1},
            "learn_thresholds": True,
        },
    )
    problem = assert_problem(response, 422)
    assert problem["field"] == "learn_thresholds"
    assert "fewer than two windows" in problem["detail"]
