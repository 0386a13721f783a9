"""A webhook target and a mail server that are down: the window that fires the alert is
recorded at once, its incident opened; the notifications are retried in the background
with back-off and never hold up the monitoring work."""

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bastion.alerts.models import Alert
from bastion.alerts.rules import AlertState
from bastion.incidents.models import Incident
from bastion.inventory import schemas as inventory_schemas
from bastion.inventory import service as inventory_service
from bastion.notify.email import EmailNotifier
from bastion.runtime import Runtime
from bastion.settings import Settings
from tests.alerts.factories import Windows, drift_rule, make_monitor, unit
from tests.notify.conftest import wait_until


@pytest.fixture
def unreachable(tmp_path: Path, database_url: str, closed_port: int) -> Iterator[Runtime]:
    runtime = Runtime.start(
        Settings(
            data_dir=tmp_path / "data",
            database_url=database_url,
            notification_webhook_url=f"http://127.0.0.1:{closed_port}/hooks",
            notification_webhook_secret=SecretStr("whsec-down-test-only"),
            smtp_host="127.0.0.1",
            smtp_port=closed_port,
            smtp_starttls=False,
            smtp_from="bastion@example.org",
            alert_email_to=["oncall@example.org"],
        )
    )
    yield runtime
    # Give up on the undeliverable notifications now rather than after their retries.
    runtime.notifier.close(timeout=0.1)
    runtime.mailer.close(timeout=0.1)
    runtime.close()


def test_a_target_that_is_down_never_blocks_window_evaluation(
    unreachable: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bastion.notify")
    with unit(unreachable.sessions) as session:
        project = inventory_service.create_project(
            session=session, data=inventory_schemas.ProjectCreate(name="Credit scoring")
        )
        system = inventory_service.create_system(
            session=session,
            project_id=project.id,
            data=inventory_schemas.SystemCreate(name="credit"),
        )
        model = inventory_service.create_model(
            session=session,
            project_id=project.id,
            data=inventory_schemas.ModelCreate(name="credit-model", system_id=system.id),
        )
        version = inventory_service.create_model_version(
            session=session,
            project_id=project.id,
            data=inventory_schemas.ModelVersionCreate(model_id=model.id, version="1"),
        )
    windows = Windows(
        unreachable.sessions,
        make_monitor(
            unreachable.sessions,
            project_id=project.id,
            version_id=version.id,
            rules=[drift_rule(for_windows=1)],
        ),
    )

    timings = []
    for share in (0.9, 0.1, 0.9, 0.1, 0.9):  # fires, resolves, fires ...: 5 notifications
        started = time.perf_counter()
        windows.next(drift__share=share)
        timings.append(time.perf_counter() - started)

    # Each window takes what its database work takes, not a connection attempt's timeout
    # (10 s) nor any back-off.
    assert max(timings) < 2.0, timings
    with unreachable.sessions() as session:
        assert session.scalars(select(Alert.state)).all() == [AlertState.FIRING]
        assert session.scalar(select(Incident)) is not None
    wait_until(lambda: "notification monitoring.alert.firing" in caplog.text)
    wait_until(lambda: "retrying in" in caplog.text)
    assert isinstance(unreachable.mailer, EmailNotifier)
    wait_until(lambda: "(ConnectionRefusedError); retrying in" in caplog.text)
    assert unreachable.notifier.deliveries.sent == 0
