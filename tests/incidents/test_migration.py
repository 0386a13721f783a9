"""Migration 0010 (alerts and incidents) from 0009: upgrade, downgrade and upgrade again on
SQLite and PostgreSQL, and the triggers that keep an incident's timeline append-only.
The tables matching the models is checked for every migration in tests/storage."""

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from bastion.incidents import service as incidents_service
from bastion.incidents.schemas import IncidentCreate
from bastion.inventory import schemas as inventory_schemas
from bastion.inventory import service as inventory_service
from bastion.ledger import service as ledger_service
from bastion.runtime import Runtime
from bastion.storage import migrate
from bastion.storage.database import create_db_engine, transaction

TABLES = {"alerts", "incidents", "incident_events", "incident_links"}
TRIGGERS = {
    "postgresql": {"incident_events_append_only"},
    "sqlite": {"incident_events_no_update", "incident_events_no_delete"},
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _triggers(engine: Engine) -> set[str]:
    if engine.dialect.name == "postgresql":
        sql = (
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'incident_events'::regclass AND NOT tgisinternal"
        )
    else:
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'incident_events'"
        )
    with engine.connect() as connection:
        return set(connection.execute(text(sql)).scalars())


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        migrate.upgrade(engine, "0009")
        assert not TABLES & _tables(engine)

        migrate.upgrade(engine, "0010")
        assert _tables(engine) >= TABLES
        assert _triggers(engine) == TRIGGERS[engine.dialect.name]

        migrate.downgrade(engine, "0009")
        assert migrate.current(engine) == "0009"
        assert not TABLES & _tables(engine)
        assert "monitors" in _tables(engine)

        migrate.upgrade(engine, "0010")
        assert _tables(engine) >= TABLES
        assert _triggers(engine) == TRIGGERS[engine.dialect.name]
    finally:
        engine.dispose()


def test_the_timeline_is_append_only(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        ledger_service.bind(session, ledger_service.SYSTEM)
        project = inventory_service.create_project(
            session=session, data=inventory_schemas.ProjectCreate(name="Credit scoring")
        )
        system = inventory_service.create_system(
            session=session, project_id=project.id, data=inventory_schemas.SystemCreate(name="s")
        )
        incidents_service.create_incident(
            session=session,
            project_id=project.id,
            data=IncidentCreate(system_id=system.id, title="Complaints"),
        )
    for statement in (
        "UPDATE incident_events SET note = 'rewritten'",
        "DELETE FROM incident_events",
    ):
        with pytest.raises(DBAPIError, match="incident_events"), runtime.engine.begin() as c:
            c.execute(text(statement))
