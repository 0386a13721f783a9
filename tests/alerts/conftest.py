"""Fixtures of the alert tests: servers that receive the notifications (the webhook
receiver of tests/notify and a real SMTP server), an app configured to send to both,
and a project with an AI system whose model version is monitored."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bastion.runtime import Runtime
from bastion.settings import Settings
from tests.alerts.factories import Windows, make_monitor
from tests.alerts.smtp import Mailbox, Tls, self_signed, start
from tests.conftest import free_port
from tests.inventory.conftest import Inventory, app_runtime
from tests.notify.conftest import Receiver, closed_port, receiver  # noqa: F401 - fixtures

WEBHOOK_SECRET = "whsec-alerts-test-only"
SENDER = "bastion@example.org"
ALERT_TO = ["oncall@example.org"]


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def tls(tmp_path: Path) -> Tls:
    return self_signed(tmp_path)


@pytest.fixture
def smtp_server(mailbox: Mailbox) -> Iterator[Callable[..., int]]:
    """Start an SMTP server on 127.0.0.1 with aiosmtpd options; its port."""
    controllers = []

    def run(**options: Any) -> int:
        port = free_port()
        controllers.append(start(mailbox, port, **options))
        return port

    yield run
    for controller in controllers:
        controller.stop()


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    receiver: Receiver,  # noqa: F811 - the fixture imported above
    smtp_server: Callable[..., int],
) -> Settings:
    """The app's settings, with alerts sent to ``receiver`` and to ``mailbox``."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        notification_webhook_url=receiver.url,
        notification_webhook_secret=SecretStr(WEBHOOK_SECRET),
        smtp_host="127.0.0.1",
        smtp_port=smtp_server(),
        smtp_starttls=False,
        smtp_from=SENDER,
        alert_email_to=ALERT_TO,
    )


@dataclass
class Watched:
    """A project whose AI system ``credit`` has a model version to monitor."""

    inv: Inventory
    system: dict[str, Any]
    model: dict[str, Any]
    version: dict[str, Any]

    @property
    def client(self) -> TestClient:
        return self.inv.client

    @property
    def runtime(self) -> Runtime:
        return app_runtime(self.client)

    def monitor(self, *rules: dict[str, Any], name: str = "inputs") -> Windows:
        monitor_id = make_monitor(
            self.runtime.sessions,
            project_id=self.inv.project["id"],
            version_id=self.version["id"],
            rules=list(rules),
            name=name,
        )
        return Windows(self.runtime.sessions, monitor_id)

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(self.inv.url(path), params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def alert(self, monitor: Windows, rule: str = "drift-high") -> dict[str, Any]:
        [alert] = self.get("/alerts", monitor_id=str(monitor.monitor_id))["items"]
        assert alert["rule"] == rule
        return dict(alert)

    def incidents(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.get("/incidents", **params)["items"])

    def incident(self, ref: str) -> dict[str, Any]:
        return dict(self.get(f"/incidents/{ref}"))


def watch(client: TestClient, name: str = "Credit scoring") -> Watched:
    inv = Inventory.create(client, name)
    system = inv.new("systems", name="credit", owner="Credit risk team")
    model = inv.new("models", name="credit-model", system_id=system["id"])
    version = inv.new("model-versions", model_id=model["id"], version="1.4.0")
    return Watched(inv=inv, system=system, model=model, version=version)


@pytest.fixture
def watched(client: TestClient) -> Watched:
    return watch(client)
