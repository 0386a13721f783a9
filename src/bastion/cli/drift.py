"""``bastion drift``: compare a current data file with a reference, here, with no server.

Exit status, like ``diff``: 0 when the dataset did not drift, 1 when it did (so a CI step
or a cron job fails on drift), 2 when the comparison could not run — a missing or
malformed file, a bad configuration, a named column that does not exist.

Files up to :data:`STREAM_BYTES` are read whole, so small tables get exact KS and
Wasserstein statistics; larger ones are profiled from their bins in constant memory.
"""

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
import yaml
from rich.table import Table

from bastion.cli import output
from bastion.drift import (
    DriftConfig,
    DriftReport,
    Profile,
    compare,
    fit_profile,
    read_frame,
    render_html,
    summarize,
)
from bastion.drift.frames import file_columns
from bastion.errors import BastionError

DRIFT_EXIT = 1
ERROR_EXIT = 2
STREAM_BYTES = 64 * 2**20
"""Files above this size are streamed rather than read whole."""


def _names(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if not names:
        raise output.CliError("expected comma-separated column names", field="columns")
    return names


def _config(path: Path | None, prediction: str | None) -> DriftConfig:
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise output.CliError(f"{path}: {exc.strerror or exc}", field="config") from None
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" (line {where.line + 1})" if where is not None else ""
            problem = getattr(exc, "problem", None) or "unparsable"
            raise output.CliError(
                f"{path.name}: not valid YAML{line}: {problem}", field="config"
            ) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise output.CliError(f"{path.name}: expected a mapping of settings", field="config")
        raw = loaded or {}
    if prediction is not None:
        raw["prediction"] = prediction
    return DriftConfig.from_dict(raw)


def _source(path: Path) -> Path | pl.DataFrame:
    """A table small enough to hold (its statistics can then be exact), else the path,
    which is profiled column by column or summarized in batches, in constant memory."""
    if path.is_file() and path.stat().st_size > STREAM_BYTES:
        file_columns(path)  # a file that is not a table fails here, before any work
        return path
    return read_frame(path)


def _profile(path: Path, columns: list[str] | None, categorical: list[str] | None) -> Profile:
    """A profile saved by ``--save-profile``."""
    if columns is not None or categorical is not None:
        raise output.CliError(
            "--columns and --categorical apply to a reference table, not a saved profile",
            field="columns",
        )
    try:
        return Profile.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise output.CliError(f"{path}: no such file", field="reference") from None
    except json.JSONDecodeError as exc:
        raise output.CliError(
            f"{path.name}: not JSON (line {exc.lineno}: {exc.msg})", field="reference"
        ) from None


def _check_named(names: list[str] | None, source: Path | pl.DataFrame, path: Path) -> None:
    if names is None:
        return
    present = list(file_columns(source) if isinstance(source, Path) else source.columns)
    unknown = [n for n in names if n not in present]
    if unknown:
        raise output.CliError(
            f"{path.name} has no column(s) {', '.join(map(repr, unknown))}; "
            f"it has {', '.join(present)}",
            field="columns",
        )


def _run(
    reference: Path,
    current: Path,
    settings: DriftConfig,
    named: list[str] | None,
    forced: list[str] | None,
) -> DriftReport:
    saved = reference.suffix.lower() == ".json"
    ref = _profile(reference, named, forced) if saved else _source(reference)
    if not isinstance(ref, Profile):
        _check_named(named, ref, reference)
    cur = _source(current)
    _check_named(named, cur, current)
    if isinstance(ref, pl.DataFrame) and isinstance(cur, pl.DataFrame):
        # Both in memory: compare() can run KS and Wasserstein on the raw values.
        window = cur.select(named) if named else cur  # other columns are not "new"
        return compare(ref, window, settings, columns=named, categorical=forced)
    profile = (
        ref
        if isinstance(ref, Profile)
        else fit_profile(ref, named, forced, multivariate=settings.multivariate)
    )
    summary = summarize(
        cur.select(named) if named and isinstance(cur, pl.DataFrame) else cur, profile
    )
    if named:
        summary = replace(summary, extra={})
    return compare(profile, summary, settings)


def _show(report: DriftReport) -> None:
    console = output.stdout()
    table = Table(title="Data drift", title_justify="left")
    for name in ("column", "kind", "test", "statistic", "p-value", "threshold", "drift", "status"):
        table.add_column(name, overflow="fold")
    for c in report.columns:
        drift = "—" if c.drifted is None else ("[bold red]yes[/]" if c.drifted else "no")
        name = f"{c.column} (prediction)" if c.role == "prediction" else c.column
        table.add_row(
            name,
            c.kind or "—",
            c.test or "—",
            _number(c.statistic),
            _number(c.p_value),
            _number(c.threshold),
            drift,
            c.status.replace("_", " "),
        )
    console.print(table)
    mv = report.multivariate
    if mv is not None:
        console.print(
            f"multivariate: mean reconstruction error {_number(mv.statistic)}, band "
            f"{mv.lower:.4g} to {mv.upper:.4g}: {mv.status.replace('_', ' ')}",
            highlight=False,
        )
    for q in report.quality:
        if q.issues:
            console.print(f"[dim]quality[/] {q.column}: {'; '.join(q.issues)}", highlight=False)
    console.print(f"{report.verdict}: {report.summary}", highlight=False, soft_wrap=True)


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def drift(
    reference: Annotated[
        Path,
        typer.Option(
            "--reference",
            "-r",
            help="Reference data: CSV, Parquet or JSON Lines, or a profile saved as .json.",
            dir_okay=False,
            show_default=False,
        ),
    ],
    current: Annotated[
        Path,
        typer.Option(
            "--current",
            "-c",
            help="Current data: CSV, Parquet or JSON Lines.",
            dir_okay=False,
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (per column, then dataset).")
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write a self-contained HTML report here.", dir_okay=False),
    ] = None,
    columns: Annotated[
        str | None, typer.Option(help="Only these columns: a,b,c.", show_default=False)
    ] = None,
    categorical: Annotated[
        str | None,
        typer.Option(help="Treat these columns as categorical: a,b.", show_default=False),
    ] = None,
    prediction: Annotated[
        str | None,
        typer.Option(
            help="The prediction column (its drift is reported apart).", show_default=False
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="YAML settings: drift_share, min_rows, thresholds, columns (test, threshold).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    save_profile: Annotated[
        Path | None,
        typer.Option(
            "--save-profile",
            help="Write the reference profile as JSON, to pass as --reference next time.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compare current data with a reference: per column a drift test (Evidently's
    defaults: normed Wasserstein and Jensen-Shannon distances above 1,000 rows, KS and
    chi-square p-values below), data quality, and the dataset verdict. Exit 0 without
    dataset drift, 1 with it, 2 when the comparison cannot run.

    Example:

        bastion drift --reference train.parquet --current last_week.csv --html drift.html

        bastion drift -r train.csv -c today.csv --columns age,income --json
    """
    try:
        named, forced = _names(columns), _names(categorical)
        settings = _config(config, prediction)
        report = _run(reference, current, settings, named, forced)
    except (BastionError, output.CliError) as exc:
        typer.echo(output.error_line(exc), err=True)
        raise typer.Exit(ERROR_EXIT) from None
    if save_profile is not None and report.reference is not None:
        save_profile.write_text(json.dumps(report.reference.to_dict()), encoding="utf-8")
        output.stderr().print(f"wrote reference profile {save_profile}", highlight=False)
    if html is not None:
        html.write_text(render_html(report), encoding="utf-8")
        output.stderr().print(f"wrote {html}", highlight=False)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _show(report)
    if report.drifted:
        raise typer.Exit(DRIFT_EXIT)
