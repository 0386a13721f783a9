"""Migration 0003 on a database that already holds API keys: each becomes a service
account's key and keeps working with its admin flag; downgrade restores the flag."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from bastion.storage import migrate
from bastion.storage.database import create_db_engine


def test_existing_keys_get_a_principal_and_survive_a_round_trip(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        migrate.upgrade(engine, "0002")
        key_id = uuid.uuid4()
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api_keys (id, name, prefix, secret_hash, is_admin, created_at)"
                    " VALUES (:id, 'old admin', 'abcd1234', :hash, :admin, :at)"
                ),
                {
                    "id": key_id if engine.dialect.name == "postgresql" else key_id.hex,
                    "hash": "0" * 64,
                    "admin": True,
                    "at": datetime.now(UTC),
                },
            )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT u.kind, u.is_admin, u.display_name, k.scope FROM api_keys k"
                    " JOIN users u ON u.id = k.principal_id"
                )
            ).one()
        assert tuple(row) == ("service_account", True, "old admin", "write")

        migrate.downgrade(engine, "0002")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT is_admin FROM api_keys")).scalar_one()
    finally:
        engine.dispose()
