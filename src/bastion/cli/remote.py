"""Remote commands' plumbing: the SDK client from settings, and list/show commands per kind."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from pydantic import BaseModel

from bastion.cli import output
from bastion.schemas import Page
from bastion.sdk.client import Client
from bastion.settings import ClientSettings


@dataclass(frozen=True)
class Target:
    """The global ``--url`` / ``--api-key`` options; None means use ClientSettings."""

    url: str | None = None
    api_key: str | None = None


def connect(ctx: typer.Context) -> Client:
    """A client for the server named by the options or by BASTION_URL / BASTION_API_KEY."""
    target = ctx.find_root().obj if isinstance(ctx.find_root().obj, Target) else Target()
    settings = ClientSettings()
    key = target.api_key or (settings.api_key.get_secret_value() if settings.api_key else None)
    if not key:
        raise output.CliError("no API key: set BASTION_API_KEY (or pass --api-key)")
    return Client(target.url or settings.url, key)


ProjectOption = Annotated[
    str, typer.Option("--project", "-p", help="Project slug or id.", show_default=False)
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
LimitOption = Annotated[int, typer.Option(min=1, max=500, help="Records per page.")]
CursorOption = Annotated[
    str | None, typer.Option(help="Continue a listing (printed under a full page).")
]
QueryOption = Annotated[str | None, typer.Option("--q", help="Case-insensitive name filter.")]
TagOption = Annotated[list[str] | None, typer.Option("--tag", help="Only records with this tag.")]
FilterOption = Annotated[
    list[str] | None,
    typer.Option("--filter", "-f", help="Any list filter of the API, as FIELD=VALUE."),
]


def parse_filters(pairs: Sequence[str] | None) -> dict[str, str]:
    filters: dict[str, str] = {}
    for pair in pairs or ():
        field, sep, value = pair.partition("=")
        if not sep or not field:
            raise output.CliError(f"--filter takes FIELD=VALUE, not {pair!r}", field="filter")
        filters[field.strip()] = value.strip()
    return filters


def show_page(page: Page[Any], *, title: str, columns: Sequence[str], as_json: bool) -> None:
    if as_json:
        output.print_json(page)
    else:
        output.print_table(title, page.items, columns, page.next_cursor)


@dataclass(frozen=True)
class Kind:
    """How the CLI reads one kind of project record through the SDK."""

    title: str
    columns: Sequence[str]
    # The SDK methods, read from a client: `lambda c: c.list_systems`.
    list_method: Callable[[Client], Callable[..., Page[Any]]]
    get_method: Callable[[Client], Callable[[str, str], BaseModel]]
    parent: str | None = None
    """A parent record to filter on, e.g. ``model`` adds ``--model ID`` (``model_id``)."""


def add_list(app: typer.Typer, kind: Kind, *, name: str, example: str) -> None:
    """Declare ``<app> <name>``: one page of records as a table or JSON."""
    parent = kind.parent or "parent"

    def list_records(
        ctx: typer.Context,
        project: ProjectOption,
        parent_id: Annotated[
            str | None,
            typer.Option(
                f"--{parent}", help=f"Only those of this {parent} (id).", hidden=not kind.parent
            ),
        ] = None,
        q: QueryOption = None,
        tag: TagOption = None,
        filters: FilterOption = None,
        limit: LimitOption = 50,
        cursor: CursorOption = None,
        as_json: JsonOption = False,
    ) -> None:
        query: dict[str, Any] = {"limit": limit, **parse_filters(filters)}
        query |= {k: v for k, v in (("q", q), ("cursor", cursor)) if v is not None}
        if tag:
            query["tag"] = tag
        if parent_id is not None:
            query[f"{parent}_id"] = parent_id
        with connect(ctx) as bastion:
            page = kind.list_method(bastion)(project, **query)
        show_page(page, title=kind.title, columns=kind.columns, as_json=as_json)

    list_records.__doc__ = f"List the {kind.title} of a project.\n\nExample:\n\n    {example}"
    app.command(name)(list_records)


def add_show(app: typer.Typer, kind: Kind, *, example: str) -> None:
    """Declare ``<app> show ID``: one record, all its fields."""

    def show(
        ctx: typer.Context,
        record_id: Annotated[str, typer.Argument(metavar="ID", help="Record id.")],
        project: ProjectOption,
        as_json: JsonOption = False,
    ) -> None:
        with connect(ctx) as bastion:
            record = kind.get_method(bastion)(project, record_id)
        if as_json:
            output.print_json(record)
        else:
            output.print_record(kind.title.rstrip("s"), record)

    show.__doc__ = f"Show one of the {kind.title} of a project.\n\nExample:\n\n    {example}"
    app.command("show")(show)


def created(record: BaseModel, message: str, *, as_json: bool) -> None:
    """After a create: the JSON for scripts, or one line for people."""
    if as_json:
        output.print_json(record)
    else:
        output.done(message)
