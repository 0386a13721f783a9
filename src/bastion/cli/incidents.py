"""``bastion incidents …`` and ``bastion alerts …``: incidents of a project's AI systems
and the state of its monitors' alert rules, through the SDK.

Incidents are named by number (``I-3``) or id.
"""

from typing import Annotated, Any

import typer
from rich.table import Table

from bastion.alerts.rules import AlertState, Severity
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
from bastion.incidents.enums import IncidentStatus
from bastion.incidents.schemas import IncidentDetail
from bastion.risks.enums import RiskCategory

incidents = typer.Typer(
    help="Incidents of AI systems: opened by alerts or reported, handled, closed.",
    no_args_is_help=True,
)
alerts = typer.Typer(help="Alert rules of monitors and their state.", no_args_is_help=True)

IncidentArgument = Annotated[
    str, typer.Argument(metavar="INCIDENT", help="Incident number (I-3) or id.", show_default=False)
]

LIST_COLUMNS = ("ref", "title", "severity", "status", "source", "owner", "updated_at")
ALERT_COLUMNS = (
    "rule", "state", "severity", "last_value", "last_window_at", "fired_at", "resolved_at",
    "monitor_id",
)  # fmt: skip


def _given(**values: Any) -> dict[str, Any]:
    """The options that were given (None: not given)."""
    return {k: v for k, v in values.items() if v is not None}


def _show(incident: IncidentDetail, *, as_json: bool) -> None:
    if as_json:
        output.print_json(incident)
        return
    output.print_record(f"incident {incident.ref}", incident.model_copy(update={"events": []}))
    table = Table(title=f"Timeline of {incident.ref}", title_justify="left")
    for column in ("seq", "at", "kind", "note", "principal"):
        table.add_column(column, overflow="fold")
    for event in incident.events:
        table.add_row(
            str(event.seq), event.at.isoformat(timespec="seconds"), event.kind.value,
            event.note, event.principal_id or "",
        )  # fmt: skip
    output.stdout().print(table)


@incidents.command("list")
def list_incidents(
    ctx: typer.Context,
    project: ProjectOption,
    system: Annotated[str | None, typer.Option("--system", help="AI system id.")] = None,
    status: Annotated[IncidentStatus | None, typer.Option()] = None,
    severity: Annotated[Severity | None, typer.Option()] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only incidents not closed.")] = False,
    sort: Annotated[
        str, typer.Option(help="number, created_at or updated_at; - descends.")
    ] = "-number",
    limit: LimitOption = 50,
    cursor: CursorOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the incidents of a project, newest first.

    Example:

        bastion incidents list --project credit-scoring --open --severity critical
    """
    filters = _given(system_id=system, status=status, severity=severity, cursor=cursor)
    filters |= {"open_only": open_only, "sort": sort, "limit": limit}
    with connect(ctx) as bastion:
        page = bastion.list_incidents(project, **filters)
    show_page(page, title="incidents", columns=LIST_COLUMNS, as_json=as_json)


@incidents.command("show")
def show_incident(
    ctx: typer.Context,
    incident: IncidentArgument,
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Show one incident, its links (alerts, evidence, risks) and its timeline.

    Example:

        bastion incidents show I-3 --project credit-scoring
    """
    with connect(ctx) as bastion:
        record = bastion.get_incident(project, incident)
    _show(record, as_json=as_json)


@incidents.command("report")
def report_incident(
    ctx: typer.Context,
    project: ProjectOption,
    system: Annotated[str, typer.Option("--system", help="AI system id.", show_default=False)],
    title: Annotated[str, typer.Option(help="What happened.", show_default=False)],
    description: Annotated[str | None, typer.Option(help="Free text.")] = None,
    severity: Annotated[Severity, typer.Option()] = Severity.HIGH,
    owner: Annotated[str | None, typer.Option(help="Default: the system's owner.")] = None,
    risk_category: Annotated[
        RiskCategory, typer.Option(help="The category of the risk raised in the register.")
    ] = RiskCategory.PERFORMANCE_OPERATIONAL,
    as_json: JsonOption = False,
) -> None:
    """Report an incident by hand; a risk of its category is raised in the register.

    Example:

        bastion incidents report --project credit-scoring --system 3f2a… --title
        "Complaints about denials for young applicants" --severity high
        --risk-category bias_fairness
    """
    fields = {"system_id": system, "title": title, "severity": severity}
    fields |= _given(description=description, owner=owner, risk_category=risk_category)
    with connect(ctx) as bastion:
        record = bastion.create_incident(project, **fields)
    created(record, f"reported {record.ref} ({record.severity.value})", as_json=as_json)


@incidents.command("update")
def update_incident(
    ctx: typer.Context,
    incident: IncidentArgument,
    project: ProjectOption,
    status: Annotated[
        IncidentStatus | None, typer.Option(help="investigating or mitigated (close: `close`).")
    ] = None,
    severity: Annotated[Severity | None, typer.Option()] = None,
    title: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    owner: Annotated[str | None, typer.Option()] = None,
    note: Annotated[str | None, typer.Option(help="Why; kept in the timeline.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Change an incident's status, severity, title, description or owner.

    Example:

        bastion incidents update I-3 --project credit-scoring --status investigating
        --owner "ml-oncall" --note "retraining on last month's data"
    """
    fields = _given(
        status=status,
        severity=severity,
        title=title,
        description=description,
        owner=owner,
        note=note,
    )
    with connect(ctx) as bastion:
        record = bastion.update_incident(project, incident, **fields)
    if as_json:
        output.print_json(record)
    else:
        output.done(f"updated {record.ref}: {record.status.value}, {record.severity.value}")


@incidents.command("note")
def note_incident(
    ctx: typer.Context,
    incident: IncidentArgument,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note.", show_default=False)],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Add a note to an incident's timeline.

    Example:

        bastion incidents note I-3 "rolled back to 1.4.2" --project credit-scoring
    """
    with connect(ctx) as bastion:
        event = bastion.add_incident_note(project, incident, text)
    created(event, f"noted in {incident} (entry {event.seq})", as_json=as_json)


@incidents.command("close")
def close_incident(
    ctx: typer.Context,
    incident: IncidentArgument,
    project: ProjectOption,
    resolution: Annotated[
        str, typer.Option(help="What happened and what was done.", show_default=False)
    ],
    as_json: JsonOption = False,
) -> None:
    """Close an incident with its resolution; refused while one of its alerts fires.

    Example:

        bastion incidents close I-3 --project credit-scoring --resolution "retrained
        on the shifted population; drift back under 0.1 for a week"
    """
    with connect(ctx) as bastion:
        record = bastion.close_incident(project, incident, resolution)
    if as_json:
        output.print_json(record)
    else:
        output.done(f"closed {record.ref}")


@alerts.command("list")
def list_alerts(
    ctx: typer.Context,
    project: ProjectOption,
    monitor: Annotated[str | None, typer.Option("--monitor", help="Monitor id.")] = None,
    version: Annotated[str | None, typer.Option("--version", help="Model version id.")] = None,
    state: Annotated[AlertState | None, typer.Option()] = None,
    severity: Annotated[Severity | None, typer.Option()] = None,
    limit: LimitOption = 50,
    cursor: CursorOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the state of every alert rule of a project's monitors, latest change first.

    Example:

        bastion alerts list --project credit-scoring --state firing
    """
    filters = _given(
        monitor_id=monitor, model_version_id=version, state=state, severity=severity, cursor=cursor
    )
    with connect(ctx) as bastion:
        page = bastion.list_alerts(project, limit=limit, **filters)
    show_page(page, title="alerts", columns=ALERT_COLUMNS, as_json=as_json)
