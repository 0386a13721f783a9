"""Privacy budgets and differentially private queries through the API, on SQLite and
PostgreSQL: every query is charged and recorded with its ledger entry; a query that does
not fit is refused before it runs, and then nothing is recorded or spent."""

import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bastion.ledger.models import LedgerEntry
from tests.conftest import PrincipalFactory
from tests.datasets import adult_frame
from tests.inventory.conftest import Inventory, app_runtime, assert_problem
from tests.privacy_budget.conftest import ROWS, Dataset, make_dataset


def test_a_query_is_charged_and_recorded_with_its_ledger_entry(ds: Dataset) -> None:
    unset = ds.budget()
    assert unset["is_set"] is False
    assert (unset["epsilon"], unset["epsilon_spent"], unset["query_count"]) == (None, 0.0, 0)

    set_ = ds.set_budget(1.0)
    assert set_.status_code == 200, set_.text
    assert set_.json()["epsilon_remaining"] == 1.0

    response = ds.mean_age(0.25)
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["statistic"] == "mean"
    assert record["column"] == "age"
    assert (record["epsilon"], record["delta"]) == (0.25, 0.0)
    assert 17 <= record["value"] <= 90
    assert record["value"] == record["result"]["value"]
    assert record["parameters"]["lower"] == 17
    assert record["result"]["privacy_map"]["epsilon"] == pytest.approx(0.25, rel=1e-9)
    assert record["credential"].startswith("api_key:")
    assert record["principal_id"]
    assert len(record["input_digest"]) == 64

    with app_runtime(ds.client).sessions() as session:
        entry = session.get(LedgerEntry, record["ledger_seq"])
        assert entry is not None
        assert entry.action == "dp.query"
        assert entry.resource_id == record["id"]
        assert entry.details["epsilon"] == "0.25"  # floats go into the ledger as text
        assert entry.details["epsilon_spent"] == "0.25"
        assert entry.actor_id == record["principal_id"]

    budget = ds.budget()
    assert budget["epsilon_spent"] == 0.25
    assert budget["epsilon_remaining"] == 0.75
    assert budget["query_count"] == 1
    assert "basic sequential composition" in budget["composition"]

    listed = ds.client.get(ds.queries_url()).json()
    assert [q["id"] for q in listed["items"]] == [record["id"]]

    # Append-only: deleting a query would refund its privacy loss.
    engine = app_runtime(ds.client).engine
    for statement in ("UPDATE dp_queries SET epsilon = 0", "DELETE FROM dp_queries"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert ds.budget()["epsilon_spent"] == 0.25


def test_every_statistic_runs_on_the_uploaded_table(ds: Dataset) -> None:
    assert ds.set_budget(10.0, 1e-5).status_code == 200
    queries: list[dict[str, Any]] = [
        {"statistic": "count", "column": "workclass", "epsilon": 1.0},
        {"statistic": "sum", "column": "hours_per_week", "lower": 0, "upper": 80, "epsilon": 1},
        {"statistic": "mean", "column": "age", "lower": 17, "upper": 90, "size": ROWS,
         "epsilon": 1.0},
        {"statistic": "histogram", "column": "sex", "categories": ["Male", "Female"],
         "epsilon": 1.0, "delta": 1e-6, "noise": "gaussian"},
        {"statistic": "quantile", "column": "age", "alpha": 0.5, "candidates": [20, 30, 40, 50],
         "epsilon": 1.0},
    ]  # fmt: skip
    values = {}
    for body in queries:
        response = ds.query(**body)
        assert response.status_code == 201, response.text
        values[body["statistic"]] = response.json()["value"]
    present = adult_frame()["workclass"].head(ROWS).notna().sum()  # some rows lack one
    assert abs(values["count"] - present) < 20  # Laplace scale 1: ±3.4 at 95 %
    assert set(values["histogram"]) == {"Male", "Female"}
    assert values["quantile"] in (20, 30, 40, 50)
    budget = ds.budget()
    assert budget["epsilon_spent"] == 5.0
    assert budget["delta_spent"] == 1e-6
    page = ds.client.get(ds.queries_url(), params={"statistic": "sum"}).json()
    assert [q["statistic"] for q in page["items"]] == ["sum"]
    first = ds.client.get(ds.queries_url(), params={"limit": 2, "sort": "created_at"}).json()
    assert [q["statistic"] for q in first["items"]] == ["count", "sum"]
    assert first["next_cursor"]


def _nothing_changed(ds: Dataset, before: dict[str, Any], recorded: int, actions: int) -> None:
    assert ds.budget() == before
    assert ds.recorded() == recorded
    assert len(ds.ledger_actions()) == actions


def test_over_budget_is_refused_before_running_and_records_nothing(ds: Dataset) -> None:
    assert ds.set_budget(1.0).status_code == 200
    # Ten queries of 0.1 fit a budget of 1 exactly (the spent sum is exactly rounded).
    for _ in range(10):
        assert ds.query(statistic="count", column="age", epsilon=0.1).status_code == 201
    before, recorded, actions = ds.budget(), ds.recorded(), len(ds.ledger_actions())
    assert before["epsilon_remaining"] == 0.0

    refused = ds.query(statistic="count", column="age", epsilon=0.1)
    body = assert_problem(refused, 409, "epsilon")
    assert body["type"].endswith("/privacy-budget-exceeded")
    assert body["remaining"] == 0.0
    assert "nothing was run" in body["detail"]
    _nothing_changed(ds, before, recorded, actions)

    # A pure-DP budget (delta 0) has no delta for Gaussian noise to spend.
    assert ds.set_budget(5.0).status_code == 200
    gaussian = ds.query(statistic="count", column="age", epsilon=0.5, delta=1e-6, noise="gaussian")
    assert_problem(gaussian, 409, "delta")
    assert ds.recorded() == recorded


def test_no_budget_no_query(ds: Dataset) -> None:
    actions = len(ds.ledger_actions())
    body = assert_problem(ds.mean_age(0.1), 409, "privacy_budget")
    assert body["type"].endswith("/privacy-budget-not-set")
    assert "before any differentially private query" in body["detail"]
    assert ds.recorded() == 0
    assert len(ds.ledger_actions()) == actions


def test_budget_changes_are_recorded_and_never_below_what_was_spent(ds: Dataset) -> None:
    assert ds.set_budget(1.0).status_code == 200
    assert ds.mean_age(0.6).status_code == 201
    lowered_too_far = ds.set_budget(0.5)
    body = assert_problem(lowered_too_far, 409, "epsilon")
    assert body["type"].endswith("/privacy-budget-below-spent")
    assert ds.budget()["epsilon"] == 1.0

    lowered = ds.set_budget(0.6)  # to exactly what was spent: nothing left, but allowed
    assert lowered.status_code == 200, lowered.text
    assert lowered.json()["epsilon_remaining"] == 0.0
    assert_problem(ds.mean_age(0.01), 409, "epsilon")
    raised = ds.set_budget(2.0, 1e-6)
    assert raised.json()["epsilon_remaining"] == pytest.approx(1.4)
    assert ds.mean_age(0.5).status_code == 201

    with app_runtime(ds.client).sessions() as session:
        changes = session.query(LedgerEntry).filter_by(action="privacy_budget.set").all()
    assert [c.details["epsilon"] for c in changes] == ["1.0", "0.6", "2.0"]
    assert changes[0].details["previous"] is None
    assert changes[2].details["previous"] == {"epsilon": "0.6", "delta": "0.0"}
    assert ds.budget()["ledger_seq"] == changes[2].seq


# Each bad input of the issue, as the API meets it (tests/dp tests each one in depth).
BAD_QUERIES: list[tuple[dict[str, Any], str]] = [
    ({"statistic": "sum", "column": "age", "epsilon": 0.1}, "lower"),  # no bounds
    ({"statistic": "mean", "column": "age", "lower": 1, "epsilon": 0.1}, "upper"),
    ({"statistic": "mean", "column": "age", "lower": 90, "upper": 17, "epsilon": 0.1}, "upper"),
    ({"statistic": "histogram", "column": "sex", "epsilon": 0.1}, "categories"),
    ({"statistic": "count", "column": "age", "epsilon": 0}, "epsilon"),
    ({"statistic": "count", "column": "age", "epsilon": -1}, "epsilon"),
    ({"statistic": "count", "column": "age"}, "epsilon"),
    ({"statistic": "count", "column": "salary", "epsilon": 0.1}, "column"),  # missing
    ({"statistic": "sum", "column": "sex", "lower": 0, "upper": 1, "epsilon": 0.1}, "column"),
    ({"statistic": "count", "column": "age", "epsilon": 0.1, "delta": 0.01}, "delta"),
    ({"statistic": "median", "column": "age", "epsilon": 0.1}, "statistic"),
]


def test_bad_queries_are_refused_naming_the_field(ds: Dataset) -> None:
    assert ds.set_budget(1.0).status_code == 200
    before, actions = ds.budget(), len(ds.ledger_actions())
    for body, field in BAD_QUERIES:
        response = ds.query(**body)
        assert response.status_code == 422, (body, response.text)
        assert_problem(response, 422, field)
    _nothing_changed(ds, before, 0, actions)


def test_a_version_without_data_cannot_be_queried(ds: Dataset) -> None:
    assert ds.set_budget(1.0).status_code == 200
    empty = ds.inv.post("dataset-versions", {"dataset_id": ds.dataset_id, "version": "v2"})
    assert empty.status_code == 201, empty.text
    refused = ds.query(empty.json()["id"], statistic="count", column="age", epsilon=0.1)
    assert_problem(refused, 422, "dataset_version_id")
    assert "no uploaded data" in refused.json()["detail"]
    assert ds.recorded() == 0
    assert ds.budget()["epsilon_spent"] == 0


def test_versions_of_a_dataset_share_its_budget(ds: Dataset, adult_csv: bytes) -> None:
    second = ds.inv.post("dataset-versions", {"dataset_id": ds.dataset_id, "version": "v2"})
    version_id = second.json()["id"]
    assert ds.inv.upload("dataset-versions", version_id, adult_csv, filename="a.csv").is_success
    assert ds.set_budget(1.0).status_code == 200
    assert ds.mean_age(0.7).status_code == 201
    assert_problem(ds.query(version_id, statistic="count", column="age", epsilon=0.5), 409)
    assert ds.query(version_id, statistic="count", column="age", epsilon=0.3).status_code == 201
    shared = ds.client.get(ds.queries_url(version_id)).json()["items"]
    own = ds.client.get(ds.queries_url(version_id), params={"this_version": True}).json()
    assert len(shared) == 2
    assert [q["dataset_version_id"] for q in own["items"]] == [version_id]
    # Another dataset keeps its own budget.
    other = make_dataset(ds.inv, adult_csv)
    assert_problem(other.mean_age(0.1), 409, "privacy_budget")

    # Unknown records, and records of another project, are not found.
    missing = str(uuid.uuid4())
    assert_problem(ds.client.get(ds.inv.url(f"/datasets/{missing}/privacy-budget")), 404)
    assert_problem(ds.query(missing, statistic="count", column="age", epsilon=0.1), 404)
    elsewhere = Inventory.create(ds.client, "Other")
    assert_problem(ds.client.get(elsewhere.url(f"/datasets/{ds.dataset_id}/privacy-budget")), 404)


def test_roles(ds: Dataset, principals: PrincipalFactory) -> None:
    scientist = principals("data_scientist", ds.inv.slug)
    officer = principals("risk_officer", ds.inv.slug)
    viewer = principals("viewer", ds.inv.slug)
    assert_problem(ds.set_budget(1.0, headers=scientist.headers), 403)
    assert ds.set_budget(1.0, headers=officer.headers).status_code == 200
    body = {"statistic": "count", "column": "age", "epsilon": 0.1}
    ran = ds.client.post(ds.queries_url(), json=body, headers=scientist.headers)
    assert ran.status_code == 201, ran.text
    assert ran.json()["principal_id"] == scientist.principal_id
    assert_problem(ds.client.post(ds.queries_url(), json=body, headers=viewer.headers), 403)
    assert ds.client.get(ds.budget_url, headers=viewer.headers).json()["query_count"] == 1
