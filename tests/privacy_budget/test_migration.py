"""Migration 0005 (privacy budgets and the query ledger) from 0004: upgrade, downgrade and
upgrade again on SQLite and PostgreSQL, its triggers included. The tables matching the
models is checked for every migration in tests/storage."""

from sqlalchemy import Engine, inspect, text

from bastion.storage import migrate
from bastion.storage.database import create_db_engine

TABLES = {"privacy_budgets", "dp_queries"}
# UPDATE and DELETE are refused on the query ledger: a deleted query would refund its loss.
TRIGGERS = {
    "postgresql": {"dp_queries_append_only"},
    "sqlite": {"dp_queries_no_update", "dp_queries_no_delete"},
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _triggers(engine: Engine) -> set[str]:
    if engine.dialect.name == "postgresql":
        sql = (
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'dp_queries'::regclass AND NOT tgisinternal"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'dp_queries'"
    with engine.connect() as connection:
        return set(connection.execute(text(sql)).scalars())


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        migrate.upgrade(engine, "0004")
        assert not TABLES & _tables(engine)

        migrate.upgrade(engine, "0005")
        assert _tables(engine) >= TABLES
        assert _triggers(engine) == TRIGGERS[engine.dialect.name]
        assert {c["name"] for c in inspect(engine).get_unique_constraints("privacy_budgets")} == {
            "uq_privacy_budgets_dataset_id"
        }

        migrate.downgrade(engine, "0004")
        assert migrate.current(engine) == "0004"
        assert not TABLES & _tables(engine)
        assert "evidence" in _tables(engine)

        migrate.upgrade(engine, "0005")
        assert _tables(engine) >= TABLES
        assert _triggers(engine) == TRIGGERS[engine.dialect.name]
    finally:
        engine.dispose()
