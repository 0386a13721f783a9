"""The ``bastion`` command: global options, error handling, and the command tree.

Remote commands go through the SDK (``bastion.Client``); local ones (``serve``, ``db``)
use the runtime and storage layers directly. Expected errors become one line on stderr
and exit code 1.
"""

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from bastion import __version__
from bastion.cli import audit, evidence, iam, inventory, local, monitoring, output
from bastion.cli.assess import assess
from bastion.cli.card import card
from bastion.cli.compliance import (
    classify,
    compliance,
    evidence_pack,
    frameworks,
    questionnaire,
    report,
)
from bastion.cli.dp import dp
from bastion.cli.drift import drift
from bastion.cli.incidents import alerts, incidents
from bastion.cli.lineage import lineage
from bastion.cli.policy import policy, promotions
from bastion.cli.protect import anonymize, privacy, scan
from bastion.cli.remote import Target
from bastion.cli.risks import risks


class _Group(TyperGroup):
    """The root command group: turns expected errors into one line and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except output.EXPECTED_ERRORS as exc:
            typer.echo(output.error_line(exc), err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="bastion",
    cls=_Group,
    help="Bastion: AI governance and security platform.",
    no_args_is_help=True,
    # Locals would print the API key in a traceback.
    pretty_exceptions_show_locals=False,
    add_completion=False,
    # Markdown joins wrapped docstring lines and keeps the indented examples as they are.
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bastion {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    url: Annotated[
        str | None, typer.Option(help="Server URL; default BASTION_URL.", show_default=False)
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(help="API key; default BASTION_API_KEY.", show_default=False),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Bastion: AI governance and security platform.

    Example:

        BASTION_API_KEY=bst_... bastion --url http://127.0.0.1:8000 projects list
    """
    ctx.obj = Target(url=url, api_key=api_key)


app.command("serve")(local.serve)
app.add_typer(local.db, name="db")
app.add_typer(inventory.projects, name="projects")
app.add_typer(inventory.systems, name="systems")
app.add_typer(inventory.models, name="models")
app.add_typer(inventory.versions, name="versions")
app.add_typer(inventory.datasets, name="datasets")
app.add_typer(inventory.deployments, name="deployments")
app.add_typer(inventory.documents, name="documents")
app.command("lineage")(lineage)
app.command("card")(card)
app.add_typer(assess, name="assess")
app.add_typer(iam.users, name="users")
app.add_typer(iam.keys, name="keys")
app.add_typer(iam.roles, name="roles")
app.add_typer(audit.audit, name="audit")
app.add_typer(evidence.evidence, name="evidence")
app.add_typer(scan, name="scan")
app.command("anonymize")(anonymize)
app.add_typer(privacy, name="privacy")
app.add_typer(dp, name="dp")
app.command("drift")(drift)
app.add_typer(risks, name="risks")
app.add_typer(monitoring.monitors, name="monitors")
app.add_typer(frameworks, name="frameworks")
app.command("classify")(classify)
app.add_typer(questionnaire, name="questionnaire")
app.add_typer(compliance, name="compliance")
app.command("report")(report)
app.command("evidence-pack")(evidence_pack)
app.add_typer(policy, name="policy")
app.add_typer(promotions, name="promotions")
app.add_typer(incidents, name="incidents")
app.add_typer(alerts, name="alerts")


if __name__ == "__main__":
    app()
