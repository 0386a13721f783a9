"""``bastion card``: a model version's model card, as Markdown, HTML or JSON."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bastion.cli.remote import ProjectOption, connect


class CardFormat(StrEnum):
    MD = "md"
    HTML = "html"
    JSON = "json"


def card(
    ctx: typer.Context,
    model_version: Annotated[
        str, typer.Argument(metavar="MODEL_VERSION", help="Id of the model version.")
    ],
    project: ProjectOption,
    card_format: Annotated[
        CardFormat, typer.Option("--format", "-F", help="Markdown, self-contained HTML, or JSON.")
    ] = CardFormat.MD,
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write; default standard output."),
    ] = None,
) -> None:
    """Generate the model card of a model version from its record and current evidence.

    Example:

        bastion card ID -p credit-scoring --format html -o card.html
    """
    with connect(ctx) as bastion:
        text = bastion.model_card(project, model_version, format=card_format.value)
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)
