"""Engine set-up: SQLite pragmas, URL handling, unreachable databases."""

from pathlib import Path

import pytest
from sqlalchemy import text

from bastion.errors import StorageUnavailable
from bastion.storage.database import check_connection, create_db_engine, normalize_url, redact_url


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


def test_plain_postgresql_urls_use_psycopg3() -> None:
    assert normalize_url("postgresql://u:p@h/db").startswith("postgresql+psycopg://")
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_redacted_url_hides_the_password() -> None:
    redacted = redact_url("postgresql://user:s3cret@db.example/bastion")
    assert "s3cret" not in redacted
    assert "user" in redacted


def test_unreachable_database_gives_a_clear_error() -> None:
    engine = create_db_engine("postgresql://bastion:s3cret@127.0.0.1:1/bastion")
    try:
        with pytest.raises(StorageUnavailable, match="cannot reach the database") as caught:
            check_connection(engine)
        assert "s3cret" not in caught.value.detail
    finally:
        engine.dispose()
