"""Migration 0006 (the risk register) from 0005: upgrade, downgrade and upgrade again on
SQLite and PostgreSQL, with the triggers that keep the history append-only. The tables
matching the models is checked for every migration in tests/storage."""

from sqlalchemy import Engine, inspect, text

from bastion.storage import migrate
from bastion.storage.database import create_db_engine

TABLES = {"risks", "risk_events"}
TRIGGERS = {
    "postgresql": {"risk_events_append_only"},
    "sqlite": {"risk_events_no_update", "risk_events_no_delete"},
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _triggers(engine: Engine) -> set[str]:
    if engine.dialect.name == "postgresql":
        sql = (
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'risk_events'::regclass AND NOT tgisinternal"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'risk_events'"
    with engine.connect() as connection:
        return set(connection.execute(text(sql)).scalars())


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        migrate.upgrade(engine, "0005")
        assert not TABLES & _tables(engine)

        migrate.upgrade(engine, "0006")
        assert _tables(engine) >= TABLES
        assert _triggers(engine) == TRIGGERS[engine.dialect.name]
        assert {c["name"] for c in inspect(engine).get_unique_constraints("risks")} == {
            "uq_risks_project_id_number"
        }

        migrate.downgrade(engine, "0005")
        assert migrate.current(engine) == "0005"
        assert not TABLES & _tables(engine)
        assert "dp_queries" in _tables(engine)

        migrate.upgrade(engine, "0006")
        assert _tables(engine) >= TABLES
        assert _triggers(engine) == TRIGGERS[engine.dialect.name]
    finally:
        engine.dispose()
