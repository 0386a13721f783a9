"""What a running server holds: the database engine, the session factory, the artifact
store and the ledger's checkpoint signer.

``Runtime.start`` is the one start-up path shared by ``bastion serve``, the ASGI app and the
tests: check the database, apply migrations, open the artifact store, load (or create)
the signing key.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bastion.checkpoint import NoteSigner
from bastion.frameworks import Catalog, load_catalog
from bastion.iam import service as iam_service
from bastion.iam.ratelimit import SlidingWindowLimiter
from bastion.ledger import service as ledger_service
from bastion.ledger.keys import load_or_create_signer
from bastion.notify import Notifier, notifier_from_settings
from bastion.notify.email import Mailer, NullMailer, mailer_from_settings

# Both imported for their effect too, in every process that runs on a Runtime: the gates
# subscribe the register gate to every new model version, and the risk register to every
# evidence recorded (failing evidence raises risks).
from bastion.gates import service as gates_service  # isort: skip
from bastion.risks import service as risk_service

# Imported for its effect too: alert rules are judged on every monitoring window.
from bastion.alerts import delivery as alerts_delivery  # isort: skip
from bastion.alerts import service as alerts_service  # noqa: F401
from bastion.settings import Settings
from bastion.storage import migrate
from bastion.storage.artifacts import LocalArtifactStore
from bastion.storage.database import (
    check_connection,
    create_db_engine,
    session_factory,
)

logger = logging.getLogger("bastion.runtime")


def _carrying(factory: sessionmaker[Session], info: dict[str, Any]) -> sessionmaker[Session]:
    """Sessions that carry the runtime's configuration to services called from other
    domains' transactions, where only the session is at hand (as the audit context)."""
    factory.configure(info=info)
    return factory


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    store: LocalArtifactStore
    signer: NoteSigner
    catalog: Catalog
    notifier: Notifier
    login_limiter: SlidingWindowLimiter
    mailer: Mailer = field(default_factory=NullMailer)
    _stop: threading.Event = field(default_factory=threading.Event)
    _scheduler: threading.Thread | None = None
    _monitors: threading.Thread | None = None

    @classmethod
    def start(cls, settings: Settings) -> "Runtime":
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Before the database: a broken custom catalog stops the start, naming the file.
        catalog = load_catalog([settings.frameworks_dir] if settings.frameworks_dir else [])
        notifier = notifier_from_settings(
            settings.notification_webhook_url, settings.notification_webhook_secret
        )
        password = settings.smtp_password
        mailer = mailer_from_settings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            recipients=settings.alert_email_to,
            username=settings.smtp_username,
            password=password.get_secret_value() if password is not None else None,
            starttls=settings.smtp_starttls,
        )
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
            sessions=_carrying(
                session_factory(engine),
                risk_service.session_info(settings)
                | gates_service.session_info(catalog)
                | alerts_delivery.session_info(notifier, mailer),
            ),
            read_sessions=session_factory(engine, read_only=True),
            store=LocalArtifactStore(settings.artifact_dir),
            login_limiter=SlidingWindowLimiter(
                settings.login_rate_limit, settings.login_rate_window_seconds
            ),
            signer=load_or_create_signer(
                settings.effective_ledger_key_file, settings.ledger_origin
            ),
            catalog=catalog,
            notifier=notifier,
            mailer=mailer,
        )

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed at the end, rolled back on any error; the ledger
        records of a failure (denials, failed logins) are written either way."""
        with self.sessions() as session:
            try:
                yield session
                ledger_service.settle(session, self.sessions, committed=True)
                session.commit()
            except BaseException:
                session.rollback()
                ledger_service.settle(session, self.sessions, committed=False)
                raise

    def bootstrap_admin_key(self) -> str | None:
        """On an empty database, create an admin user and an API key for it; the key's
        secret, or None when any principal exists."""
        with self.unit_of_work() as session:
            ledger_service.bind(session, ledger_service.SYSTEM)
            issued = iam_service.ensure_bootstrap_key(session=session)
            return issued.secret if issued else None

    def sign_checkpoint(self) -> int:
        """Sign the current ledger head (no-op if already signed); the size signed."""
        with self.unit_of_work() as session:
            return ledger_service.sign_checkpoint(session=session, signer=self.signer).size

    def start_checkpoint_schedule(self) -> None:
        """Sign a checkpoint every ``checkpoint_interval_seconds`` in a daemon thread."""
        interval = self.settings.checkpoint_interval_seconds
        if interval == 0 or self._scheduler is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.sign_checkpoint()
                except Exception:  # a failed round must not end the schedule
                    logger.exception("scheduled checkpoint failed")

        self._scheduler = threading.Thread(target=loop, name="checkpoints", daemon=True)
        self._scheduler.start()

    def start_monitor_schedule(self) -> None:
        """Run due monitors every ``monitor_interval_seconds`` in a daemon thread."""
        # Imported here: the statistics libraries a run needs (scikit-learn, scipy) load
        # when a server starts its schedule, not in every process that opens a Runtime.
        from bastion.monitoring.scheduler import run_due

        interval = self.settings.monitor_interval_seconds
        if interval == 0 or self._monitors is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    run_due(self.unit_of_work, self.store)
                except Exception:  # a failed round must not end the schedule
                    logger.exception("scheduled monitor round failed")

        self._monitors = threading.Thread(target=loop, name="monitors", daemon=True)
        self._monitors.start()

    def close(self) -> None:
        self._stop.set()
        self.notifier.close(timeout=10)
        self.mailer.close(timeout=10)
        if self._scheduler is not None:
            self._scheduler.join(timeout=10)
        if self._monitors is not None:
            self._monitors.join(timeout=30)
        self.engine.dispose()
