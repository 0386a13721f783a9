"""``bastion assess …``: run an assessment of the suite here, or on the server, and
optionally record it as evidence.

Locally (``--data FILE``) the model comes from ``--model FILE`` or is downloaded from
``--model-version ID``, and is loaded only after its safety scan; predictions-only files
(``--prediction`` / ``--score`` columns) need no model. With ``--dataset-version ID`` the
server runs the assessment on its registered data and model instead.
"""

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bastion.cli import output
from bastion.cli.remote import connect

assess = typer.Typer(
    help="Assess a model: fairness, performance, explainability, robustness, privacy.",
    no_args_is_help=True,
)


class FailOn(StrEnum):
    FAIL = "fail"
    WARN = "warn"
    NEVER = "never"


# Exit status when the verdict reaches --fail-on; 1 stays "the command could not run".
VERDICT_EXIT = 3


def _pairs(pairs: list[str] | None, option: str) -> dict[str, Any]:
    """NAME=VALUE pairs, each value read as JSON when it parses (numbers, lists, true)."""
    out: dict[str, Any] = {}
    for pair in pairs or ():
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise output.CliError(f"{option} takes NAME=VALUE, not {pair!r}", field=option[2:])
        try:
            out[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[name.strip()] = raw
    return out


def _pos_label(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    return value if isinstance(value, int | bool) else raw


@contextmanager
def _progress_bar(title: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, fed by the assessment's ``progress(done, total)``; none
    when stderr is not a terminal (a CI log would fill with redraws)."""
    console = output.stderr()
    if not console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(title),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _show(result: Any) -> None:
    console = output.stdout()
    colour = {"pass": "green", "warn": "yellow", "fail": "red", "info": "dim"}[result.verdict]
    console.print(f"[bold {colour}]{result.verdict}[/] {result.summary}")
    if result.checks:
        table = Table("check", "value", "warn at", "fail at", "outcome", title="Checks")
        for c in result.checks:
            name = f"{c.metric} ({c.method})" if c.method else c.metric
            table.add_row(
                name, output.cell(c.value), output.cell(c.warn_at), output.cell(c.fail_at),
                c.outcome,
            )  # fmt: skip
        console.print(table)
    frame = result.to_frame() if callable(getattr(result, "to_frame", None)) else None
    if frame is not None and not frame.empty:
        console.print(frame.to_string(float_format=lambda v: f"{v:.4f}"))
    for note in result.notes:
        console.print(f"[dim]note:[/] {note}")


def _local(
    ctx: typer.Context,
    spec: Any,
    data: Path,
    train: Path | None,
    model_file: Path | None,
    model_version: str | None,
    project: str | None,
    time_budget: float | None,
) -> Any:
    from bastion.assessment.digests import file_digest
    from bastion.assessment.tables import read_table
    from bastion.model_files import load_model
    from bastion.suite.runner import run

    frame = read_table(data)
    inputs = {"data": file_digest(data)}
    train_frame = None
    if train is not None:
        train_frame = read_table(train)
        inputs["training_data"] = file_digest(train)
    model = None
    with tempfile.TemporaryDirectory(prefix="bastion-assess-") as tmp:
        if model_file is None and model_version is not None:
            if project is None:
                raise output.CliError("--model-version needs --project", field="project")
            with connect(ctx) as bastion:
                model_file = bastion.download_model_artifact(
                    project, model_version, Path(tmp) / "model"
                )
        if model_file is not None:
            model = load_model(model_file)
            inputs["model"] = model.sha256
        with _progress_bar(f"{spec.kind.value}") as progress:
            return run(
                spec, frame, model=model, train=train_frame, inputs=inputs, progress=progress,
                time_budget=time_budget,
            )  # fmt: skip


def _command(kind: str, doc: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        data: Annotated[
            Path | None,
            typer.Option(
                help="The evaluation rows: CSV, Parquet or JSON Lines.", show_default=False
            ),
        ] = None,
        label: Annotated[str | None, typer.Option(help="Column of true labels.")] = None,
        prediction: Annotated[
            str | None, typer.Option(help="Column of predictions (no model needed).")
        ] = None,
        score: Annotated[
            str | None, typer.Option(help="Column of positive-class scores (no model needed).")
        ] = None,
        sensitive: Annotated[
            list[str] | None,
            typer.Option(help="Sensitive (protected) column; repeat for several."),
        ] = None,
        feature: Annotated[
            list[str] | None,
            typer.Option(help="Model input column; repeat. Default: as the model was fitted."),
        ] = None,
        pos_label: Annotated[str | None, typer.Option(help="The positive label.")] = None,
        threshold: Annotated[float, typer.Option(help="Score cut for predictions.")] = 0.5,
        member: Annotated[
            str | None, typer.Option(help="privacy: column, true for training rows.")
        ] = None,
        train: Annotated[
            Path | None, typer.Option(help="privacy: the training rows (members).")
        ] = None,
        model: Annotated[
            Path | None, typer.Option("--model", help="Model file: skops, ONNX or pickle.")
        ] = None,
        model_version: Annotated[
            str | None, typer.Option(help="Model version id: its registered artifact.")
        ] = None,
        dataset_version: Annotated[
            str | None,
            typer.Option(help="Run on the server, on this registered dataset version."),
        ] = None,
        project: Annotated[
            str | None, typer.Option("--project", "-p", help="Project slug or id.")
        ] = None,
        option: Annotated[
            list[str] | None, typer.Option(help="Assessment option NAME=VALUE; repeat.")
        ] = None,
        set_threshold: Annotated[
            list[str] | None, typer.Option(help="Verdict threshold NAME=VALUE; repeat.")
        ] = None,
        time_budget: Annotated[
            float | None, typer.Option(help="Seconds to spend at most (long assessments).")
        ] = None,
        record: Annotated[
            bool, typer.Option(help="Record the result as evidence on --model-version.")
        ] = False,
        fail_on: Annotated[
            FailOn, typer.Option(help=f"Exit with status {VERDICT_EXIT} at this verdict.")
        ] = FailOn.FAIL,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ) -> None:
        from bastion.suite import AssessmentSpec

        spec_fields: dict[str, Any] = {
            "kind": kind,
            "label": label,
            "prediction": prediction,
            "score": score,
            "sensitive": sensitive or [],
            "features": feature,
            "member": member,
            "pos_label": _pos_label(pos_label),
            "threshold": threshold,
            "options": _pairs(option, "--option"),
            "thresholds": _pairs(set_threshold, "--set-threshold"),
        }
        if dataset_version is not None:
            if project is None or model_version is None:
                raise output.CliError(
                    "--dataset-version runs on the server: give --project and --model-version",
                    field="dataset_version",
                )
            with connect(ctx) as bastion:
                evidence = bastion.run_assessment(
                    project, model_version, dataset_version_id=dataset_version, **spec_fields
                )
            verdict = evidence.verdict.value
            if as_json:
                output.print_json(evidence)
            else:
                output.stdout().print(f"{verdict} {evidence.summary}\nevidence {evidence.id}")
        else:
            if data is None:
                raise output.CliError(
                    "give --data FILE (or --dataset-version ID to run on the server)",
                    field="data",
                )
            spec = AssessmentSpec.model_validate(spec_fields)
            result = _local(ctx, spec, data, train, model, model_version, project, time_budget)
            verdict = result.verdict
            if as_json:
                typer.echo(json.dumps(result.to_dict(), indent=2))
            else:
                _show(result)
            if record:
                if project is None or model_version is None:
                    raise output.CliError(
                        "--record needs --project and --model-version", field="record"
                    )
                with connect(ctx) as bastion:
                    evidence = bastion.log_assessment(
                        result, project=project, subject_id=model_version
                    )
                output.stderr().print(f"recorded evidence {evidence.id}")
        if fail_on is not FailOn.NEVER and (
            verdict == "fail" or (fail_on is FailOn.WARN and verdict == "warn")
        ):
            raise typer.Exit(VERDICT_EXIT)

    command.__doc__ = doc
    return command


assess.command("fairness")(
    _command(
        "fairness",
        """Fairness across groups of the sensitive columns (fairlearn, AIF360 and Aequitas
        figures from one pass), with a pass / warn / fail verdict.

        Example:

            bastion assess fairness --data scored.csv --label income --prediction pred
            --sensitive sex --sensitive race --pos-label '>50K' --json
        """,
    )
)
assess.command("performance")(
    _command(
        "performance",
        """Accuracy, ROC AUC, calibration and the rest, overall and per group.

        Example:

            bastion assess performance --data test.csv --label good --model model.skops
            --sensitive sex
        """,
    )
)
assess.command("explain")(
    _command(
        "explainability",
        """SHAP global importance, permutation importance and the share of protected
        attributes among the most important features.

        Example:

            bastion assess explain --data test.csv --label good --model model.skops
            --sensitive sex --time-budget 120
        """,
    )
)
assess.command("robustness")(
    _command(
        "robustness",
        """Black-box evasion attacks (HopSkipJump, Boundary) and prediction stability
        under noise.

        Example:

            bastion assess robustness --data test.csv --label good --model model.skops
            --option max_samples=20
        """,
    )
)
assess.command("privacy")(
    _command(
        "privacy_attack",
        """Membership inference: can an attacker tell training rows from others?

        Example:

            bastion assess privacy --data holdout.csv --train train.csv --label good
            --model model.skops
        """,
    )
)
