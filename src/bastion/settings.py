"""Settings, read from ``BASTION_*`` environment variables; the only module that reads them."""

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LogFormat = Literal["human", "json"]


class Settings(BaseSettings):
    """Server settings.

    Every field can be set with an environment variable of the same name in upper case
    and prefixed with ``BASTION_``, for example ``BASTION_DATABASE_URL``.
    """

    model_config = SettingsConfigDict(env_prefix="BASTION_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path(".bastion-data"),
        description="Directory for the embedded database, artifacts and generated keys.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: a SQLite file in the data directory.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "human"
    max_upload_bytes: int = Field(
        default=1024**3, gt=0, description="Largest artifact or document accepted, in bytes."
    )

    ledger_origin: str = Field(
        default="bastion.local/ledger",
        min_length=1,
        max_length=200,
        pattern=r"^[^\s+]+$",
        description="Name of this ledger in signed checkpoints; make it unique per deployment.",
    )
    ledger_key_file: Path | None = Field(
        default=None,
        description="Checkpoint signing key (C2SP format); default: generated in the data "
        "directory at first start.",
    )
    checkpoint_interval_seconds: int = Field(
        default=300, ge=0, description="How often to sign a checkpoint; 0 turns the schedule off."
    )

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'bastion.db').resolve()}"

    @property
    def artifact_dir(self) -> Path:
        return self.data_dir / "artifacts"

    @property
    def effective_ledger_key_file(self) -> Path:
        return self.ledger_key_file or self.data_dir / "ledger-signing.key"


class ClientSettings(BaseSettings):
    """Where the CLI and SDK find a server: ``BASTION_URL`` and ``BASTION_API_KEY``."""

    model_config = SettingsConfigDict(env_prefix="BASTION_", extra="ignore", frozen=True)

    url: str = "http://127.0.0.1:8000"
    api_key: SecretStr | None = None
