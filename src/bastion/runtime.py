"""What a running server holds: the database engine, the session factory, the artifact store.

``Runtime.start`` is the one start-up path shared by ``bastion serve``, the ASGI app and the
tests: check the database, apply migrations, open the artifact store.
"""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bastion.iam import service as iam_service
from bastion.settings import Settings
from bastion.storage import migrate
from bastion.storage.artifacts import LocalArtifactStore
from bastion.storage.database import (
    check_connection,
    create_db_engine,
    session_factory,
    transaction,
)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: LocalArtifactStore

    @classmethod
    def start(cls, settings: Settings) -> "Runtime":
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = create_db_engine(settings.effective_database_url)
        try:
            check_connection(engine)
            migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            store=LocalArtifactStore(settings.artifact_dir),
        )

    def bootstrap_admin_key(self) -> str | None:
        """Create the first admin API key if none exists; its secret, or None."""
        with transaction(self.sessions) as session:
            issued = iam_service.ensure_bootstrap_key(session=session)
            return issued.secret if issued else None

    def close(self) -> None:
        self.engine.dispose()
