"""``GET /metrics`` scraped from a live server and parsed with prometheus_client's own parser:
monitor values, window time and rows, alert states and open incidents, read from the
database at scrape time; authentication and the projects a caller may read; the opt-out
for a private network; and the Grafana dashboard's queries against what is exposed."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bastion import Client
from bastion.alerts.metrics import NAMES
from bastion.api.app import create_app
from bastion.monitoring.models import Monitor
from bastion.settings import Settings
from bastion.storage.database import create_db_engine, session_factory
from tests.alerts.factories import START, Windows, drift_rule, make_monitor
from tests.conftest import LiveServer

DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "bastion-monitoring.json"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def sessions(live_server: LiveServer) -> Iterator[sessionmaker[Session]]:
    """Sessions on the live server's database, as another replica would have."""
    engine = create_db_engine(live_server.settings.effective_database_url)
    yield session_factory(engine)
    engine.dispose()


def scrape(url: str, key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(f"{url}/metrics", headers=headers, timeout=10)


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


def names_of(found: Samples, prefix: str = "bastion_") -> set[str]:
    return {name for name, _ in found if name.startswith(prefix)}


def monitored(server: LiveServer, sessions: sessionmaker[Session], name: str) -> dict[str, Any]:
    """A project with a monitored model version whose alert fired on its second window."""
    with Client(server.url, server.admin_key) as sdk:
        project = sdk.create_project(name=name)
        system = sdk.create_system(project.slug, name="credit")
        model = sdk.create_model(project.slug, name="credit-model", system_id=system.id)
        version = sdk.create_model_version(project.slug, model_id=model.id, version="1.4.0")
    rules = [
        drift_rule(for_windows=1, severity="critical"),
        drift_rule(name="accuracy-low", metric="performance.accuracy", condition="below",
                   threshold=0.7, severity="medium"),
    ]  # fmt: skip
    windows = Windows(
        sessions,
        make_monitor(sessions, project_id=project.id, version_id=version.id, rules=rules),
    )
    windows.next(**{"drift.share": 0.1, "performance.accuracy": 0.83})
    windows.next(
        **{
            "drift.share": 0.5,
            "drift.wasserstein.age": 0.12,
            "performance.accuracy": 0.81,
            "fairness.demographic_parity_difference": 0.04,
            "quality.missing.age": None,  # insufficient data: not a figure
        }
    )
    return {"slug": project.slug, "id": project.id}


def test_a_scrape_shows_monitors_alerts_and_incidents(
    live_server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    project = monitored(live_server, sessions, "Credit scoring")

    response = scrape(live_server.url, live_server.admin_key)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    monitor = {
        "project": project["slug"],
        "monitor": "inputs",
        "model_version": "credit-model 1.4.0",
    }
    assert value(found, "bastion_monitor_metric", **monitor, metric="drift.share") == 0.5
    assert value(found, "bastion_monitor_metric", **monitor, metric="drift.wasserstein.age") == 0.12
    assert value(found, "bastion_monitor_metric", **monitor, metric="performance.accuracy") == 0.81
    assert (
        "bastion_monitor_metric",
        frozenset({**monitor, "metric": "quality.missing.age"}.items()),
    ) not in found
    end = value(found, "bastion_monitor_window_end_timestamp_seconds", **monitor)
    assert end == START.timestamp() + 3 * 3600  # window 2 ends 3 hours after START
    assert value(found, "bastion_monitor_window_rows", **monitor) == 1000
    firing = "bastion_alert_firing"
    assert (
        value(
            found, firing, **monitor, rule="drift-high", metric="drift.share", severity="critical"
        )
        == 1
    )
    assert (
        value(
            found,
            firing,
            **monitor,
            rule="accuracy-low",
            metric="performance.accuracy",
            severity="medium",
        )
        == 0
    )
    incidents = {
        s: value(found, "bastion_incidents_open", project=project["slug"], severity=s)
        for s in ("low", "medium", "high", "critical")
    }
    assert incidents == {"low": 0, "medium": 0, "high": 0, "critical": 1}


def test_figures_come_from_the_database_at_scrape_time(
    live_server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    """What another replica recorded shows at once: nothing is cached in the process."""
    project = monitored(live_server, sessions, "Credit scoring")
    monitor = {
        "project": project["slug"],
        "monitor": "inputs",
        "model_version": "credit-model 1.4.0",
    }
    rule = {"rule": "drift-high", "metric": "drift.share", "severity": "critical"}
    before = samples(scrape(live_server.url, live_server.admin_key).text)
    assert value(before, "bastion_alert_firing", **monitor, **rule) == 1

    with sessions() as session:
        monitor_id = session.scalar(select(Monitor.id))
    assert monitor_id is not None
    Windows(sessions, monitor_id, number=2).next(**{"drift.share": 0.05})

    after = samples(scrape(live_server.url, live_server.admin_key).text)
    assert value(after, "bastion_monitor_metric", **monitor, metric="drift.share") == 0.05
    assert value(after, "bastion_alert_firing", **monitor, **rule) == 0


def test_a_scrape_needs_a_credential_and_shows_only_readable_projects(
    live_server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    credit = monitored(live_server, sessions, "Credit scoring")
    fraud = monitored(live_server, sessions, "Fraud detection")
    with Client(live_server.url, live_server.admin_key) as sdk:
        scraper = sdk.create_user(kind="service_account", display_name="prometheus")
        sdk.grant_role(credit["slug"], scraper.id, "viewer")
        key = sdk.create_api_key(name="scrape", scope="read", principal_id=scraper.id).secret

    anonymous = scrape(live_server.url, None)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert scrape(live_server.url, "bst_not-a-key").status_code == 401

    seen = samples(scrape(live_server.url, key).text)
    projects = {dict(labels).get("project") for _, labels in seen}
    assert credit["slug"] in projects
    assert fraud["slug"] not in projects


def test_metrics_public_serves_without_a_credential(settings: Settings) -> None:
    public = settings.model_copy(update={"metrics_public": True})
    with TestClient(create_app(public)) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert "bastion_incidents_open" in response.text


def test_openmetrics_when_asked(live_server: LiveServer) -> None:
    response = httpx.get(
        f"{live_server.url}/metrics",
        headers={
            "Authorization": f"Bearer {live_server.admin_key}",
            "Accept": "application/openmetrics-text; version=1.0.0",
        },
    )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def _queried_names(dashboard: dict[str, Any]) -> set[str]:
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    exprs += [v["definition"] for v in dashboard["templating"]["list"] if "definition" in v]
    return {name for expr in exprs for name in re.findall(r"\bbastion_[a-z_]+\b", expr)}


def test_the_grafana_dashboard_queries_only_exposed_metrics(
    live_server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    monitored(live_server, sessions, "Credit scoring")
    exposed = names_of(samples(scrape(live_server.url, live_server.admin_key).text))

    queried = _queried_names(dashboard)
    assert queried <= set(NAMES)
    assert queried <= exposed
    assert set(NAMES) <= exposed
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], panel["title"]
    titles = {p["title"] for p in dashboard["panels"]}
    assert {"Drift share per monitor", "Per-column drift statistics", "Performance",
            "Alert states", "Open incidents"} <= titles  # fmt: skip
