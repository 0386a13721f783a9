"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when
``BASTION_TEST_DATABASE_URL`` points at a server; apps, clients and live servers on it."""

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from bastion.api.app import create_app
from bastion.ledger import service as ledger_service
from bastion.runtime import Runtime
from bastion.settings import Settings
from bastion.storage.database import normalize_url, transaction

PG_URL_VARIABLE = "BASTION_TEST_DATABASE_URL"

# Property tests explore new examples on every developer run; CI replays a fixed sequence
# so that a submission's result does not depend on the draw (failures print their seed).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database that only this test uses."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bastion.db'}"
        return
    server = os.environ.get(PG_URL_VARIABLE)
    if not server:
        pytest.skip(f"{PG_URL_VARIABLE} is not set; set it to run this test on PostgreSQL")
    # A schema per test: full isolation, and every test starts from an empty database.
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(normalize_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalize_url(server)).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, max_upload_bytes=1024 * 1024
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime.start(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    """A session in a transaction that commits at the end of the test, recording in the
    ledger as the test itself."""
    with transaction(runtime.sessions) as session:
        ledger_service.bind(session, ledger_service.AuditContext(actor_kind="test"))
        yield session


@dataclass
class Started:
    app: FastAPI
    admin_key: str = ""


def _app(settings: Settings) -> Started:
    started = Started(app=FastAPI())

    def remember_key(runtime: Runtime) -> None:
        started.admin_key = runtime.bootstrap_admin_key() or ""

    started.app = create_app(settings, on_start=remember_key)
    return started


@pytest.fixture
def anonymous(settings: Settings) -> Iterator[TestClient]:
    """A client of the app with no credential."""
    with TestClient(_app(settings).app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the app holding the bootstrap admin key."""
    started = _app(settings)
    with TestClient(started.app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {started.admin_key}"
        yield client


@dataclass(frozen=True)
class LiveServer:
    url: str
    admin_key: str
    settings: Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The app served by uvicorn on 127.0.0.1, in a thread of the test process."""
    started = _app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(started.app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield LiveServer(url=f"http://127.0.0.1:{port}", admin_key=started.admin_key, settings=settings)
    server.should_exit = True
    thread.join(timeout=20)


def pytest_report_header() -> str:
    if os.environ.get(PG_URL_VARIABLE):
        return "databases: SQLite and PostgreSQL"
    return f"databases: SQLite only; PostgreSQL variants skip ({PG_URL_VARIABLE} is not set)"


@dataclass(frozen=True)
class Issued:
    principal_id: str
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@dataclass
class PrincipalFactory:
    """Service accounts with a role in a project (or none), and an API key for each."""

    runtime: Runtime

    def __call__(
        self,
        role: str | None = None,
        project: str | None = None,
        *,
        is_admin: bool = False,
        scope: str = "write",
    ) -> Issued:
        from bastion.iam import service as iam_service
        from bastion.iam.permissions import Role
        from bastion.inventory import service as inventory_service

        with transaction(self.runtime.sessions) as session:
            ledger_service.bind(session, ledger_service.SYSTEM)
            account = iam_service.create_user(
                session=session,
                kind="service_account",
                display_name=f"{role or 'no role'} account",
                is_admin=is_admin,
            )
            if role is not None:
                assert project is not None, "a role is held in a project"
                record = inventory_service.resolve_project(session=session, ref=project)
                iam_service.grant_role(
                    session=session,
                    project_id=record.id,
                    principal_id=account.id,
                    role=Role(role),
                    granted_by=None,
                )
            issued = iam_service.create_api_key(
                session=session,
                principal_id=account.id,
                name="test",
                scope=scope,  # type: ignore[arg-type]
            )
            return Issued(principal_id=str(account.id), secret=issued.secret)


@pytest.fixture
def principals(client: TestClient) -> PrincipalFactory:
    """Make principals on the app of ``client``: ``principals("auditor", "credit")``."""
    return PrincipalFactory(runtime=client.app.state.runtime)  # type: ignore[attr-defined]
