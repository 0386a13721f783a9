"""How the CLI speaks: JSON for scripts, Rich tables for people, one line per error."""

import json
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from bastion.errors import BastionError
from bastion.sdk.errors import BastionClientError


class CliError(Exception):
    """A mistake in how the CLI was called or configured; shown as one line."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


# Every error a user can cause or meet; anything else is a bug and keeps its traceback.
EXPECTED_ERRORS = (BastionClientError, BastionError, CliError)


def error_line(exc: BastionClientError | BastionError | CliError) -> str:
    detail = " ".join(str(exc.detail).split())
    if exc.field and f"field: {exc.field}" not in detail:
        detail += f" (field: {exc.field})"
    return f"error: {detail}"


def stdout() -> Console:
    # Made per call: the test runner swaps sys.stdout between invocations. Piped output has
    # no width; 80 columns would fold every id, so give tables room (grep reads whole rows).
    console = Console()
    return console if console.is_terminal else Console(width=200)


def stderr() -> Console:
    # Piped messages are not folded at 80 columns: a path or an id cut across lines
    # cannot be copied (or grepped).
    console = Console(stderr=True)
    return console if console.is_terminal else Console(stderr=True, soft_wrap=True)


def print_json(value: BaseModel | Sequence[BaseModel]) -> None:
    """What the API returned, as JSON on stdout, without colours or wrapping."""
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    else:
        typer.echo(json.dumps([v.model_dump(mode="json") for v in value], indent=2))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict | BaseModel):
        data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        return json.dumps(data) if data else ""
    return str(value)


def print_table(
    title: str, rows: Iterable[BaseModel], columns: Sequence[str], next_cursor: str | None
) -> None:
    table = Table(title=title[:1].upper() + title[1:], title_justify="left")
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    count = 0
    for row in rows:
        table.add_row(*(cell(getattr(row, column)) for column in columns))
        count += 1
    console = stdout()
    if count == 0:
        console.print(f"no {title}")
        return
    console.print(table)
    if next_cursor:
        console.print(f"more results: repeat with --cursor {next_cursor}", soft_wrap=True)


def print_record(title: str, record: BaseModel) -> None:
    table = Table(title=title[:1].upper() + title[1:], title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name in type(record).model_fields:
        table.add_row(name.replace("_", " "), cell(getattr(record, name)))
    stdout().print(table)


def done(message: str) -> None:
    stdout().print(message, highlight=False, soft_wrap=True)
