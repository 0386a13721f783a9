"""``bastion monitors …``: monitors of model versions, logging predictions and labels,
runs, windows and their drift reports, through the SDK."""

import json
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

monitors = typer.Typer(
    help="Monitors: drift, quality, performance and fairness of logged predictions.",
    no_args_is_help=True,
)

MonitorArgument = Annotated[
    str, typer.Argument(metavar="MONITOR", help="Monitor id.", show_default=False)
]
VersionOption = Annotated[
    str, typer.Option("--model-version", help="Model version id.", show_default=False)
]
TableArgument = Annotated[
    Path,
    typer.Argument(
        metavar="FILE",
        exists=True,
        dir_okay=False,
        help="A Parquet or CSV file.",
        show_default=False,
    ),
]
Repeated = Annotated[list[str] | None, typer.Option(show_default=False)]

LIST_COLUMNS = ("id", "name", "model_version_id", "window", "schedule", "enabled", "last_run_at")
WINDOW_COLUMNS = ("index", "start_at", "end_at", "rows", "labelled", "status", "revision")
REPORT_COLUMNS = ("column", "test", "statistic", "threshold", "drifted", "status")
SHOWN_METRICS = ("drift.share", "drift.dataset", "anomaly.share", "performance.accuracy")


def _json_file(value: str | None, option: str) -> Any:
    """A JSON value given inline or as @FILE."""
    if value is None:
        return None
    text = Path(value[1:]).read_text() if value.startswith("@") else value
    try:
        return json.loads(text)
    except ValueError as exc:
        raise output.CliError(f"{option}: not valid JSON: {exc}", field=option) from None


@monitors.command("create")
def create_monitor(
    ctx: typer.Context,
    project: ProjectOption,
    model_version: VersionOption,
    name: Annotated[str, typer.Option(help="Unique among the version's monitors.")],
    dataset_version: Annotated[
        str | None, typer.Option(help="Reference: a dataset version with uploaded data.")
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Reference: a Parquet or CSV file."),
    ] = None,
    column: Repeated = None,
    categorical: Repeated = None,
    prediction_column: Annotated[str, typer.Option(help="The model's output.")] = "prediction",
    label_column: Annotated[str | None, typer.Option(help="Left out of the watch.")] = None,
    protected: Annotated[
        list[str] | None, typer.Option(help="A protected attribute for fairness (repeatable).")
    ] = None,
    task: Annotated[str, typer.Option(help="classification or regression.")] = "classification",
    pos_label: Annotated[str | None, typer.Option(help="The positive class.")] = None,
    score_column: Annotated[str | None, typer.Option(help="Scores (probabilities).")] = None,
    min_labels: Annotated[int, typer.Option(min=1)] = 50,
    window_rows: Annotated[int | None, typer.Option(min=1, help="Rows per window.")] = None,
    window_period: Annotated[
        str | None, typer.Option(help='A period of timestamps: "1h", "1d" or seconds.')
    ] = None,
    min_rows: Annotated[int, typer.Option(min=1, help="Fewer: insufficient data.")] = 100,
    schedule: Annotated[str, typer.Option(help='How often the server runs it: "1h".')] = "1h",
    drift_config: Annotated[
        str | None, typer.Option(help="DriftConfig overrides as JSON, or @FILE.")
    ] = None,
    alert_rules: Annotated[
        str | None, typer.Option(help="Alert rules as a JSON list, or @FILE.")
    ] = None,
    learn_thresholds: Annotated[
        bool, typer.Option(help="Learn drift bands (mean ± 3 sigma) from the reference's windows.")
    ] = False,
    disabled: Annotated[bool, typer.Option(help="Create it without scheduled runs.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create a monitor of a model version, with a dataset version or a file as reference.

    Example:

        bastion monitors create -p credit --model-version 3f2a… --name inputs
        --reference train.parquet --prediction-column approved --protected sex
        --window-period 1d --alert-rules '[{"name": "drift", "metric": "drift.share",
        "condition": "above", "threshold": 0.3}]'
    """
    if (dataset_version is None) == (reference is None):
        raise output.CliError("give one of --dataset-version or --reference", field="reference")
    if window_rows is not None and window_period is not None:
        raise output.CliError("give one of --window-rows or --window-period", field="window")
    fields: dict[str, Any] = {
        "name": name,
        "prediction_column": prediction_column,
        "protected_attributes": protected or [],
        "performance": {"task": task, "pos_label": pos_label, "score_column": score_column,
                        "min_labels": min_labels},
        "min_rows": min_rows,
        "schedule": schedule,
        "enabled": not disabled,
        "learn_thresholds": learn_thresholds,
    }  # fmt: skip
    optional = {
        "dataset_version_id": dataset_version, "columns": column, "categorical": categorical,
        "label_column": label_column, "drift_config": _json_file(drift_config, "drift-config"),
        "alert_rules": _json_file(alert_rules, "alert-rules"),
    }  # fmt: skip
    fields |= {k: v for k, v in optional.items() if v is not None}
    if window_rows is not None:
        fields["window"] = {"rows": window_rows}
    elif window_period is not None:
        fields["window"] = {"period": window_period}
    with connect(ctx) as bastion:
        monitor = bastion.create_monitor(project, model_version, **fields)
        if reference is not None:
            monitor = bastion.set_monitor_reference(project, monitor.id, reference)
    created(monitor, f"created monitor {monitor.name} (id {monitor.id})", as_json=as_json)


@monitors.command("list")
def list_monitors(
    ctx: typer.Context,
    project: ProjectOption,
    model_version: Annotated[str | None, typer.Option(help="Only this version's.")] = None,
    limit: LimitOption = 50,
    cursor: CursorOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a project's monitors.

    Example:

        bastion monitors list -p credit --model-version 3f2a…
    """
    filters: dict[str, Any] = {"limit": limit}
    filters |= {k: v for k, v in (("model_version_id", model_version), ("cursor", cursor)) if v}
    with connect(ctx) as bastion:
        page = bastion.list_monitors(project, **filters)
    show_page(page, title="monitors", columns=LIST_COLUMNS, as_json=as_json)


@monitors.command("show")
def show_monitor(
    ctx: typer.Context,
    monitor: MonitorArgument,
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Show a monitor: reference, columns, window, schedule, alert rules, last run.

    Example:

        bastion monitors show 7c1e… -p credit
    """
    with connect(ctx) as bastion:
        record = bastion.get_monitor(project, monitor)
    if as_json:
        output.print_json(record)
    else:
        output.print_record("monitor", record)


@monitors.command("run")
def run_monitor(
    ctx: typer.Context,
    monitor: MonitorArgument,
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Evaluate the monitor's complete windows now (and windows late labels changed).

    Example:

        bastion monitors run 7c1e… -p credit
    """
    with connect(ctx) as bastion:
        outcome = bastion.run_monitor(project, monitor)
    if as_json:
        output.print_json(outcome)
        return
    lines = [f"{len(outcome.evaluated)} windows evaluated, {len(outcome.reevaluated)} re-evaluated"]
    for window in outcome.evaluated:
        shown = ", ".join(
            f"{m} {window.metrics[m]:.3g}"
            for m in SHOWN_METRICS
            if window.metrics.get(m) is not None
        )
        lines.append(f"  window {window.index}: {window.rows} rows, {window.status}; {shown}")
    if outcome.pending:
        lines.append("more complete windows are waiting: run again")
    if outcome.note:
        lines.append(outcome.note)
    output.done("\n".join(lines))


@monitors.command("windows")
def list_windows(
    ctx: typer.Context,
    monitor: MonitorArgument,
    project: ProjectOption,
    limit: LimitOption = 50,
    cursor: CursorOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a monitor's evaluated windows, newest first.

    Example:

        bastion monitors windows 7c1e… -p credit --json
    """
    filters: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
    with connect(ctx) as bastion:
        page = bastion.monitor_windows(project, monitor, **filters)
    show_page(page, title="windows", columns=WINDOW_COLUMNS, as_json=as_json)


@monitors.command("report")
def window_report(
    ctx: typer.Context,
    monitor: MonitorArgument,
    index: Annotated[int, typer.Argument(min=0, help="The window's index.")],
    project: ProjectOption,
    html: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Write the HTML report to this file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A window's drift report: a table per column, JSON (--json), or HTML (--html FILE).

    Example:

        bastion monitors report 7c1e… 42 -p credit --html window-42.html
    """
    with connect(ctx) as bastion:
        if html is not None:
            html.write_text(bastion.window_report(project, monitor, index, format="html"))
            output.done(f"wrote {html}")
            return
        report = bastion.window_report(project, monitor, index)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    output.done(str(report.get("summary", "")))
    table = Table(title=f"Window {index}", title_justify="left")
    for name in REPORT_COLUMNS:
        table.add_column(name)
    for column in report.get("columns", []):
        table.add_row(*(output.cell(column.get(name)) for name in REPORT_COLUMNS))
    output.stdout().print(table)


@monitors.command("log-predictions")
def log_predictions(
    ctx: typer.Context,
    file: TableArgument,
    project: ProjectOption,
    model_version: VersionOption,
    id_column: Annotated[str, typer.Option(help="The prediction id column.")] = "prediction_id",
    timestamp_column: Annotated[str, typer.Option(help="Default: time of receipt.")] = "timestamp",
    as_json: JsonOption = False,
) -> None:
    """Log a file of predictions (Parquet or CSV) for a model version.

    Example:

        bastion monitors log-predictions scored.parquet -p credit --model-version 3f2a…
    """
    with connect(ctx) as bastion:
        batch = bastion.log_predictions(
            project, model_version, file, prediction_id=id_column, timestamp=timestamp_column
        )
    if as_json:
        output.print_json(batch)
        return
    what = "already logged (nothing added)" if batch.repeated else f"logged as batch {batch.seq}"
    notes = [f"{batch.duplicates} ids logged before"] if batch.duplicates else []
    notes += [f"{f.column}: {f.finding.replace('_', ' ')}" for f in batch.findings]
    output.done(f"{batch.rows} predictions {what}" + (f"; {'; '.join(notes)}" if notes else ""))


@monitors.command("log-labels")
def log_labels(
    ctx: typer.Context,
    file: TableArgument,
    project: ProjectOption,
    model_version: VersionOption,
    id_column: Annotated[str, typer.Option(help="The prediction id column.")] = "prediction_id",
    label_column: Annotated[str, typer.Option(help="The label column.")] = "label",
    as_json: JsonOption = False,
) -> None:
    """Log a file of labels (Parquet or CSV) of a model version's predictions.

    Example:

        bastion monitors log-labels outcomes.csv -p credit --model-version 3f2a…
    """
    with connect(ctx) as bastion:
        batch = bastion.log_labels(
            project, model_version, file, prediction_id=id_column, label=label_column
        )
    if as_json:
        output.print_json(batch)
        return
    notes = []
    if batch.duplicates:
        notes.append(f"{batch.duplicates} replaced earlier labels")
    if batch.unknown:
        notes.append(f"{batch.unknown} for predictions not logged yet (kept)")
    output.done(f"{batch.rows} labels logged" + (f"; {'; '.join(notes)}" if notes else ""))
