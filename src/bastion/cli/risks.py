"""``bastion risks …``: the risk register of a project's AI systems, through the SDK.

Risks are named by number (``R-12``) or id. ``update`` sends the version it is based on:
``--version`` (the one you read), or by default the version read just before the change.
"""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bastion.cli import output
from bastion.cli.remote import (
    CursorOption,
    JsonOption,
    LimitOption,
    ProjectOption,
    connect,
    created,
    show_page,
)
from bastion.inventory.enums import LifecycleStage
from bastion.risks.enums import RiskCategory, RiskStatus, Treatment
from bastion.sdk.errors import InvalidInputError

risks = typer.Typer(
    help="The risk register: risks of AI systems, their treatment and reviews.",
    no_args_is_help=True,
)

RiskArgument = Annotated[
    str, typer.Argument(metavar="RISK", help="Risk number (R-12) or id.", show_default=False)
]
SystemOption = Annotated[str | None, typer.Option("--system", help="AI system id.")]
Rating = Annotated[int | None, typer.Option(min=1, max=5, help="1 to 5.", show_default=False)]
ControlOption = Annotated[
    list[str] | None,
    typer.Option(
        "--control", help='A control or requirement key (repeatable), e.g. "iso_42001:a6_2_4".'
    ),
]
EvidenceOption = Annotated[
    list[str] | None, typer.Option("--evidence", help="An evidence id (repeatable).")
]
ReviewOption = Annotated[
    str | None, typer.Option(help="Next review, YYYY-MM-DD.", show_default=False)
]

LIST_COLUMNS = (
    "ref", "title", "category", "inherent_level", "inherent_score", "treatment",
    "residual_level", "status", "review_date", "owner",
)  # fmt: skip


def _set(fields: dict[str, Any], **values: Any) -> dict[str, Any]:
    """``fields`` with the options that were given (None: not given)."""
    return fields | {k: v for k, v in values.items() if v is not None}


@risks.command("create")
def create_risk(
    ctx: typer.Context,
    project: ProjectOption,
    system: Annotated[str, typer.Option("--system", help="AI system id.", show_default=False)],
    title: Annotated[str, typer.Option(help="What could go wrong.", show_default=False)],
    category: Annotated[RiskCategory, typer.Option(show_default=False)],
    likelihood: Annotated[int, typer.Option(min=1, max=5, help="1 (rare) to 5 (almost certain).")],
    impact: Annotated[int, typer.Option(min=1, max=5, help="1 (negligible) to 5 (severe).")],
    description: Annotated[str | None, typer.Option(help="Free text.")] = None,
    owner: Annotated[str | None, typer.Option(help="Default: the system's owner.")] = None,
    stage: Annotated[
        LifecycleStage | None, typer.Option(help="Life-cycle stage; default: the system's.")
    ] = None,
    treatment: Annotated[Treatment | None, typer.Option(help="Default: untreated.")] = None,
    treatment_plan: Annotated[str | None, typer.Option(help="How it is treated.")] = None,
    control: ControlOption = None,
    residual_likelihood: Rating = None,
    residual_impact: Rating = None,
    contingency_plan: Annotated[str | None, typer.Option(help="What to do if it happens.")] = None,
    status: Annotated[RiskStatus | None, typer.Option(help="Default: open.")] = None,
    review_date: ReviewOption = None,
    evidence: EvidenceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a risk to the register; the server scores it (likelihood x impact) and rates
    its level.

    Example:

        bastion risks create --project credit-scoring --system 3f2a… --title "Unfair
        denials for young applicants" --category bias_fairness --likelihood 3 --impact 4
    """
    fields = _set(
        {"system_id": system, "title": title, "category": category,
         "likelihood": likelihood, "impact": impact},
        description=description, owner=owner, lifecycle_stage=stage, treatment=treatment,
        treatment_plan=treatment_plan, controls=control, residual_likelihood=residual_likelihood,
        residual_impact=residual_impact, contingency_plan=contingency_plan, status=status,
        review_date=review_date, evidence_ids=evidence,
    )  # fmt: skip
    with connect(ctx) as bastion:
        risk = bastion.create_risk(project, **fields)
    created(
        risk,
        f"created {risk.ref}: {risk.inherent_level} (score {risk.inherent_score}) (id {risk.id})",
        as_json=as_json,
    )


@risks.command("list")
def list_risks(
    ctx: typer.Context,
    project: ProjectOption,
    system: SystemOption = None,
    category: Annotated[RiskCategory | None, typer.Option()] = None,
    status: Annotated[RiskStatus | None, typer.Option()] = None,
    level: Annotated[str | None, typer.Option(help="low, medium, high or critical.")] = None,
    overdue: Annotated[bool, typer.Option(help="Only risks whose review is overdue.")] = False,
    untreated_high: Annotated[
        bool, typer.Option(help="Only untreated high and critical risks.")
    ] = False,
    sort: Annotated[
        str, typer.Option(help="number, inherent_score, created_at or updated_at; - descends.")
    ] = "number",
    limit: LimitOption = 50,
    cursor: CursorOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the register of a project.

    Example:

        bastion risks list --project credit-scoring --untreated-high --sort -inherent_score
    """
    filters = _set(
        {"limit": limit, "sort": sort, "overdue": overdue, "untreated_high": untreated_high},
        system_id=system, category=category, status=status, level=level, cursor=cursor,
    )  # fmt: skip
    with connect(ctx) as bastion:
        page = bastion.list_risks(project, **filters)
    show_page(page, title="risks", columns=LIST_COLUMNS, as_json=as_json)


@risks.command("show")
def show_risk(
    ctx: typer.Context, risk: RiskArgument, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Show one risk, all its fields.

    Example:

        bastion risks show R-12 --project credit-scoring
    """
    with connect(ctx) as bastion:
        record = bastion.get_risk(project, risk)
    if as_json:
        output.print_json(record)
    else:
        output.print_record(f"risk {record.ref}", record)


@risks.command("update")
def update_risk(
    ctx: typer.Context,
    risk: RiskArgument,
    project: ProjectOption,
    version: Annotated[
        int | None,
        typer.Option(help="The version you read; default: the one read just before."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Why; kept in the history.")] = None,
    title: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    category: Annotated[RiskCategory | None, typer.Option()] = None,
    owner: Annotated[str | None, typer.Option()] = None,
    stage: Annotated[LifecycleStage | None, typer.Option()] = None,
    likelihood: Rating = None,
    impact: Rating = None,
    treatment: Annotated[Treatment | None, typer.Option()] = None,
    treatment_plan: Annotated[str | None, typer.Option()] = None,
    control: ControlOption = None,
    residual_likelihood: Rating = None,
    residual_impact: Rating = None,
    contingency_plan: Annotated[str | None, typer.Option()] = None,
    status: Annotated[RiskStatus | None, typer.Option()] = None,
    review_date: ReviewOption = None,
    evidence: EvidenceOption = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            help="Empty a field (repeatable): treatment, residual_likelihood, "
            "residual_impact, review_date."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change some fields of a risk; the change is kept in its history.

    Example:

        bastion risks update R-12 --project credit-scoring --treatment mitigate
        --residual-likelihood 2 --residual-impact 3 --control iso_42001:a6_2_4
        --note "reweighing in the training pipeline"
    """
    fields = _set(
        {}, note=note, title=title, description=description, category=category, owner=owner,
        lifecycle_stage=stage, likelihood=likelihood, impact=impact, treatment=treatment,
        treatment_plan=treatment_plan, controls=control,
        residual_likelihood=residual_likelihood, residual_impact=residual_impact,
        contingency_plan=contingency_plan, status=status, review_date=review_date,
        evidence_ids=evidence,
    )  # fmt: skip
    for name in clear or ():
        fields[name.strip().replace("-", "_")] = None
    with connect(ctx) as bastion:
        if version is None:
            version = bastion.get_risk(project, risk).version
        updated = bastion.update_risk(project, risk, version=version, **fields)
    if as_json:
        output.print_json(updated)
    else:
        output.done(
            f"updated {updated.ref} to version {updated.version}: {updated.inherent_level} "
            f"(score {updated.inherent_score}), residual {updated.residual_level or '-'}, "
            f"{updated.status.value}"
        )


def _change(name: str, values: list[Any]) -> str:
    old, new = values
    return f"{name}: {output.cell(old) or '-'} -> {output.cell(new) or '-'}"


@risks.command("history")
def history(
    ctx: typer.Context, risk: RiskArgument, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Show every change of a risk, oldest first.

    Example:

        bastion risks history R-12 --project credit-scoring
    """
    with connect(ctx) as bastion:
        events = bastion.risk_history(project, risk)
    if as_json:
        output.print_json(events)
        return
    table = Table(title=f"History of {risk}", title_justify="left")
    for column in ("seq", "at", "action", "changes", "note", "principal"):
        table.add_column(column, overflow="fold")
    for event in events:
        changes = "\n".join(_change(name, values) for name, values in event.changes.items())
        table.add_row(
            str(event.seq), event.at.isoformat(timespec="seconds"), event.action.value,
            changes, event.note, event.principal_id or "",
        )  # fmt: skip
    output.stdout().print(table)


@risks.command("attention")
def attention(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """Show the risks that need someone: reviews overdue, untreated high and critical
    risks, each with why.

    Example:

        bastion risks attention --project credit-scoring
    """
    with connect(ctx) as bastion:
        result = bastion.risks_needing_attention(project)
    if as_json:
        output.print_json(result)
        return
    if not result.items:
        output.done(f"no risk needs attention (as of {result.as_of.isoformat()})")
        return
    table = Table(
        title=f"Risks needing attention (as of {result.as_of.isoformat()})", title_justify="left"
    )
    for column in ("ref", "level", "score", "title", "owner", "why"):
        table.add_column(column, overflow="fold")
    for item in result.items:
        risk = item.risk
        table.add_row(
            risk.ref, risk.inherent_level, str(risk.inherent_score), risk.title, risk.owner,
            "\n".join(r.detail for r in item.reasons),
        )  # fmt: skip
    output.stdout().print(table)


@risks.command("export")
def export(
    ctx: typer.Context,
    project: ProjectOption,
    format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    system: SystemOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file; default: standard output.", dir_okay=False
        ),
    ] = None,
) -> None:
    """Export the register (or one system's risks) as CSV or JSON, in the format that
    `bastion risks import` reads.

    Example:

        bastion risks export --project credit-scoring --format csv -o risks.csv
    """
    if format not in ("csv", "json"):
        raise output.CliError(f"--format: {format!r}; choose csv or json", field="format")
    with connect(ctx) as bastion:
        if out is not None:
            bastion.export_risks(project, format=format, system_id=system, dest=out)
            typer.echo(f"wrote {out}", err=True)
            return
        text = bastion.export_risks(project, format=format, system_id=system)
    sys.stdout.write(text)


@risks.command("import")
def import_risks(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, show_default=False)
    ],
    project: ProjectOption,
    dry_run: Annotated[bool, typer.Option(help="Check every row; write nothing.")] = False,
    format: Annotated[
        str | None, typer.Option("--format", help="csv or json; default: the file's suffix.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import risks from a CSV or JSON file (the export's format). Every row is checked
    first: if any is invalid, nothing is imported and every invalid row is printed.

    Example:

        bastion risks import risks.csv --project credit-scoring --dry-run
    """
    with connect(ctx) as bastion:
        try:
            result = bastion.import_risks(project, file, format=format, dry_run=dry_run)
        except InvalidInputError as exc:
            rows = exc.body.get("errors")
            if not isinstance(rows, list) or not rows or "row" not in rows[0]:
                raise
            console = output.stderr()
            bad = len({e["row"] for e in rows})
            console.print(
                f"error: {bad} invalid row{'s' if bad != 1 else ''}; nothing was imported",
                highlight=False,
            )
            for error in rows:
                where = f"row {error['row']}"
                if error.get("line"):
                    where += f" (line {error['line']})"
                console.print(f"  {where}: {error['message']}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    if as_json:
        output.print_json(result)
        return
    verb = "would create" if result.dry_run else "created"
    output.done(f"{verb} {len(result.items)} risk{'s' if len(result.items) != 1 else ''}")
    for item in result.items:
        output.done(
            f"  row {item.row}: {item.ref} {item.title} ({item.inherent_level}, "
            f"score {item.inherent_score})"
        )
