"""Fixtures of the CLI tests: the ``bastion`` command run in-process against a live
server."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bastion import Client
from bastion.cli.main import app


@pytest.fixture
def cli(live_server) -> Iterator["Cli"]:
    return Cli({"BASTION_URL": live_server.url, "BASTION_API_KEY": live_server.admin_key})


class Cli:
    """Runs `bastion …` in-process with the given environment."""

    def __init__(self, env: dict[str, str | None]) -> None:
        self.env = env
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        return self.runner.invoke(app, list(args), env={**self.env, **(env or {})})

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, result.output + result.stderr
        return result

    def json(self, *args: str) -> dict:
        return json.loads(self.ok(*args, "--json").stdout)


@pytest.fixture
def project(cli: Cli) -> str:
    return cli.json("projects", "create", "Credit scoring")["slug"]


@pytest.fixture
def sdk(live_server) -> Iterator[Client]:
    with Client(live_server.url, live_server.admin_key) as client:
        yield client


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "files").mkdir()
    return tmp_path / "files"
