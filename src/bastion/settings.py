"""Settings, read from ``BASTION_*`` environment variables; the only module that reads them."""

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    assessment_time_budget: float = Field(
        default=600,
        gt=0,
        description="Seconds a server-side assessment may run; long ones stop and say so.",
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
    anonymization_key_file: Path | None = Field(
        default=None,
        description="Key material of server-side pseudonymization and tokenization; "
        "default: generated in the data directory at first use.",
    )
    frameworks_dir: Path | None = Field(
        default=None,
        description="A directory of custom framework catalogs (YAML), loaded and validated "
        "beside the built-in ones at start.",
    )
    risk_matrix_file: Path | None = Field(
        default=None,
        description="The risk register's 5x5 matrix of levels (YAML, see docs/risks.md), "
        "validated at start; default: the built-in grid.",
    )
    notification_webhook_url: str | None = Field(
        default=None,
        description="Where signed notifications (promotion requests, approvals, "
        "break-glass) are POSTed; none: no notifications.",
    )
    notification_webhook_secret: SecretStr | None = Field(
        default=None, description="The HMAC-SHA256 key that signs them; required with a URL."
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for alert e-mails; none: no e-mails."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = Field(default=None, description="SMTP AUTH login, if any.")
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS before anything."
    )
    smtp_from: str | None = Field(default=None, description="Sender address of alert e-mails.")
    alert_email_to: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Recipients of alert e-mails, comma-separated in the environment.",
    )
    metrics_public: bool = Field(
        default=False,
        description="Serve /metrics without a credential (for a scraper on a private network).",
    )
    promotion_request_days: int = Field(
        default=14, ge=1, le=365, description="How long a promotion request stays open."
    )
    checkpoint_interval_seconds: int = Field(
        default=300, ge=0, description="How often to sign a checkpoint; 0 turns the schedule off."
    )
    monitor_interval_seconds: int = Field(
        default=60,
        ge=0,
        description="How often the server looks for due monitors and runs them; 0 turns the "
        "schedule off (runs on demand still work).",
    )

    # Identity: local logins and console sessions ----------------------------------------
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins in a row before an account is locked."
    )
    login_lockout_seconds: int = Field(
        default=30,
        ge=1,
        description="First lockout; each further failure doubles it, up to the maximum.",
    )
    login_lockout_max_seconds: int = Field(default=3600, ge=1)
    login_rate_limit: int = Field(
        default=30, ge=1, description="Login attempts allowed per client address per window."
    )
    login_rate_window_seconds: int = Field(default=60, ge=1)
    session_lifetime_seconds: int = Field(
        default=8 * 3600, ge=60, description="A console session ends this long after login."
    )
    session_idle_seconds: int = Field(
        default=30 * 60, ge=60, description="A console session ends after this long unused."
    )
    session_cookie_secure: bool | None = Field(
        default=None,
        description="Mark session cookies Secure (HTTPS only); default: yes, unless the "
        "server listens on a loopback address (local development over http://127.0.0.1).",
    )

    # Identity: OIDC / JWT bearer tokens ----------------------------------------------------
    oidc_issuer: str | None = Field(
        default=None, description="The `iss` of accepted tokens; unset turns OIDC off."
    )
    oidc_audience: str | None = Field(default=None, description="The `aud` tokens must name.")
    oidc_jwks_url: str | None = Field(
        default=None,
        description="The issuer's JWKS; default: `jwks_uri` from its OpenID discovery document.",
    )
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    oidc_jwks_refresh_seconds: float = Field(
        default=30,
        ge=0,
        description="At most one JWKS refetch per this many seconds for unknown key ids.",
    )
    oidc_jwks_max_age_seconds: int = Field(
        default=3600, ge=0, description="Refetch the JWKS when it is older than this."
    )
    oidc_username_claim: str = Field(
        default="preferred_username", description="The claim shown as the user's name."
    )
    oidc_roles_claim: str = Field(
        default="groups", description="The claim (a list of strings) mapped to roles."
    )
    oidc_admin_values: list[str] = Field(
        default_factory=list,
        description="Values of the roles claim that make a user an organization admin.",
    )
    oidc_role_mapping: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Claim value -> {project slug: role}, as JSON: "
        '{"ml-engineers": {"credit-scoring": "data_scientist"}}.',
    )

    @field_validator("alert_email_to", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("risk_matrix_file")
    @classmethod
    def _valid_risk_matrix(cls, value: Path | None) -> Path | None:
        # A pure module (no platform imports): a bad grid stops the start, naming the cell.
        from bastion.risks.matrix import load_matrix

        load_matrix(value)
        return value

    @field_validator("oidc_role_mapping")
    @classmethod
    def _known_roles(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        from bastion.iam.permissions import Role

        allowed = {role.value for role in Role}
        for claim_value, projects in value.items():
            for project, role in projects.items():
                if role not in allowed:
                    raise ValueError(
                        f"{claim_value} -> {project}: unknown role {role!r}; "
                        f"choose one of {', '.join(sorted(allowed))}"
                    )
        return value

    @property
    def effective_cookie_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.host not in {"127.0.0.1", "localhost", "::1"}

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

    @property
    def effective_anonymization_key_file(self) -> Path:
        return self.anonymization_key_file or self.data_dir / "anonymization.key"


class ClientSettings(BaseSettings):
    """Where the CLI and SDK find a server (``BASTION_URL``, ``BASTION_API_KEY``), and the
    CLI's local anonymization key (``BASTION_ANONYMIZE_KEY``, hex)."""

    model_config = SettingsConfigDict(env_prefix="BASTION_", extra="ignore", frozen=True)

    url: str = "http://127.0.0.1:8000"
    api_key: SecretStr | None = None
    anonymize_key: SecretStr | None = None
