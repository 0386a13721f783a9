"""Migrations: upgrade from empty, downgrade, upgrade again, idempotence, and the tables
matching the models exactly, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bastion.storage import migrate
from bastion.storage.database import create_db_engine
from bastion.tables import metadata

INVENTORY_TABLES = {
    "projects",
    "ai_systems",
    "models",
    "model_versions",
    "datasets",
    "dataset_versions",
    "model_version_datasets",
    "deployments",
    "documents",
    "api_keys",
    "users",
    "role_bindings",
    "login_sessions",
    "ledger_entries",
    "ledger_nodes",
    "ledger_checkpoints",
    "ledger_head",
    "evidence",
}


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        assert migrate.current(engine) is None
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        assert _tables(engine) >= INVENTORY_TABLES

        migrate.downgrade(engine, "base")
        assert migrate.current(engine) is None
        assert _tables(engine) == set()

        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        assert _tables(engine) >= INVENTORY_TABLES
    finally:
        engine.dispose()


def test_upgrade_twice_changes_nothing(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        migrate.upgrade(engine)
        before = {t: inspect(engine).get_columns(t) for t in sorted(_tables(engine))}
        migrate.upgrade(engine)
        after = {t: inspect(engine).get_columns(t) for t in sorted(_tables(engine))}
        assert migrate.current(engine) == migrate.head()
        assert repr(before) == repr(after)
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """A model change without its migration fails here, not in production."""
    engine = create_db_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
        assert differences == []
    finally:
        engine.dispose()
