"""Settings come from BASTION_* variables, with safe defaults."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from bastion.settings import ClientSettings, Settings


def test_defaults_keep_everything_in_the_data_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BASTION_DATA_DIR", "BASTION_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.data_dir == Path(".bastion-data")
    expected = (Path(".bastion-data") / "bastion.db").resolve()
    assert settings.effective_database_url == f"sqlite:///{expected}"
    assert settings.artifact_dir == Path(".bastion-data") / "artifacts"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BASTION_DATABASE_URL", "postgresql://db/bastion")
    monkeypatch.setenv("BASTION_PORT", "9000")
    monkeypatch.setenv("BASTION_LOG_FORMAT", "json")
    monkeypatch.setenv("BASTION_MAX_UPLOAD_BYTES", "1024")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.effective_database_url == "postgresql://db/bastion"
    assert (settings.port, settings.log_format, settings.max_upload_bytes) == (9000, "json", 1024)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BASTION_PORT", "0"),
        ("BASTION_PORT", "http"),
        ("BASTION_LOG_FORMAT", "xml"),
        ("BASTION_LOG_LEVEL", "LOUD"),
        ("BASTION_MAX_UPLOAD_BYTES", "-1"),
    ],
)
def test_invalid_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert variable.removeprefix("BASTION_").lower() in str(caught.value)


def test_client_api_key_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASTION_API_KEY", "bst_abcd1234_secret")
    settings = ClientSettings()
    assert settings.api_key is not None
    assert "secret" not in repr(settings)
    assert settings.api_key.get_secret_value() == "bst_abcd1234_secret"
