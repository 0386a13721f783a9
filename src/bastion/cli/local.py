"""Local commands, run beside the database: ``serve`` and ``db upgrade|current``."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from bastion import __version__
from bastion.settings import Settings

db = typer.Typer(help="Database migrations.", no_args_is_help=True)


def announce(url: str, admin_key: str | None) -> None:
    """What `bastion serve` tells its operator; stdout, never the logs, keeps the key out of
    log shipping."""
    lines = [
        f"Bastion {__version__} is running at {url}",
        f"API docs: {url}/api/docs",
    ]
    if admin_key:
        lines += [
            "",
            "Admin API key (shown only once, store it now):",
            f"    {admin_key}",
            "Use it from the CLI and SDK with:",
            f"    export BASTION_API_KEY={admin_key}",
        ]
    else:
        lines.append("Use the admin API key printed at first start (export BASTION_API_KEY=...).")
    typer.echo("\n".join(lines))


def serve(
    host: Annotated[str | None, typer.Option(help="Interface; default BASTION_HOST.")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port; default BASTION_PORT.")
    ] = None,
) -> None:
    """Run the server; the first start prints an admin API key.

    Example:

        BASTION_DATA_DIR=/var/lib/bastion bastion serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    from bastion.api.app import create_app
    from bastion.logs import configure_logging
    from bastion.runtime import Runtime

    overrides: dict[str, Any] = {"host": host, "port": port}
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    # Fail with one clear line before uvicorn starts; a failing lifespan ends in a traceback.
    with _engine(settings):
        pass
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    shown_host = f"[{settings.host}]" if ":" in settings.host else settings.host

    def on_start(runtime: Runtime) -> None:
        announce(f"http://{shown_host}:{settings.port}", runtime.bootstrap_admin_key())

    app = create_app(settings, on_start=on_start)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)


@contextmanager
def _engine(settings: Settings | None = None) -> Iterator[Engine]:
    from bastion.storage.database import check_connection, create_db_engine

    settings = settings or Settings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = create_db_engine(settings.effective_database_url)
    try:
        check_connection(engine)
        yield engine
    finally:
        engine.dispose()


@db.command("upgrade")
def upgrade() -> None:
    """Apply the migrations that the database lacks (a no-op when it is up to date).

    Example:

        BASTION_DATABASE_URL=postgresql://bastion@db/bastion bastion db upgrade
    """
    from bastion.storage import migrate
    from bastion.storage.database import redact_url

    with _engine() as engine:
        before = migrate.current(engine)
        migrate.upgrade(engine)
        after = migrate.current(engine)
        where = redact_url(str(engine.url))
    change = "already at" if before == after else "upgraded to"
    typer.echo(f"database {where} {change} revision {after}")


@db.command("current")
def current() -> None:
    """Print the database's revision and the newest one this version of Bastion knows.

    Example:

        bastion db current
    """
    from bastion.storage import migrate

    with _engine() as engine:
        revision = migrate.current(engine)
    typer.echo(f"current: {revision or 'none (empty database)'}")
    typer.echo(f"head:    {migrate.head()}")
