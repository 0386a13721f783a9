"""``bastion dp …``: differentially private queries and the privacy budgets they spend.

On the server (``--project`` and ``--dataset-version``) a query is charged to its
dataset's budget and recorded in the query ledger, through the SDK. Locally (``--file``)
it runs on a file of this machine through the same compute library, and no budget is
tracked: a warning says so on every run.
"""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bastion.cli import output
from bastion.cli.remote import (
    CursorOption,
    JsonOption,
    LimitOption,
    ProjectOption,
    connect,
    show_page,
)
from bastion.dp.query import DpQuery, Noise, Statistic

dp = typer.Typer(
    help="Differential privacy: queries on datasets, and their privacy budgets.",
    no_args_is_help=True,
)
budget = typer.Typer(help="A dataset's privacy budget (ε, δ).", no_args_is_help=True)
dp.add_typer(budget, name="budget")

LOCAL_WARNING = (
    "warning: local query on a file: no privacy budget is tracked, and every run spends "
    "its epsilon again on the same people; register the dataset for a budgeted ledger"
)

DatasetOption = Annotated[
    str, typer.Option("--dataset", "-d", help="Dataset id.", show_default=False)
]
EpsilonOption = Annotated[
    float, typer.Option("--epsilon", "-e", help="Privacy loss ε, above 0.", show_default=False)
]


def _show_budget(read: Any, *, as_json: bool) -> None:
    if as_json:
        output.print_json(read)
        return
    if not read.is_set:
        output.done("no privacy budget set: no differentially private query may run")
        return
    output.done(
        f"budget ε={read.epsilon:g}, δ={read.delta:g}; spent ε={read.epsilon_spent:g}, "
        f"δ={read.delta_spent:g} in {read.query_count} queries; left "
        f"ε={read.epsilon_remaining:g}, δ={read.delta_remaining:g}"
    )


@budget.command("set")
def set_budget(
    ctx: typer.Context,
    project: ProjectOption,
    dataset: DatasetOption,
    epsilon: EpsilonOption,
    delta: Annotated[float, typer.Option(help="Total δ; 0 allows only pure ε-DP.")] = 0.0,
    as_json: JsonOption = False,
) -> None:
    """Set or change a dataset's privacy budget (never below what was spent).

    Example:

        bastion dp budget set --project census --dataset 3f2a… --epsilon 3 --delta 1e-6
    """
    with connect(ctx) as bastion:
        read = bastion.set_privacy_budget(project, dataset, epsilon=epsilon, delta=delta)
    _show_budget(read, as_json=as_json)


@budget.command("show")
def show_budget(
    ctx: typer.Context, project: ProjectOption, dataset: DatasetOption, as_json: JsonOption = False
) -> None:
    """Show a dataset's privacy budget, what was spent and what is left.

    Example:

        bastion dp budget show --project census --dataset 3f2a… --json
    """
    with connect(ctx) as bastion:
        read = bastion.get_privacy_budget(project, dataset)
    _show_budget(read, as_json=as_json)


def _list(raw: str | None, option: str, *, numbers: bool = False) -> list[Any] | None:
    """A JSON list (``'["a,b", "c"]'``), or comma-separated values."""
    if raw is None:
        return None
    if raw.lstrip().startswith("["):
        try:
            values = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise output.CliError(f"{option}: not a JSON list ({exc})", field=option) from None
        if not isinstance(values, list):
            raise output.CliError(f"{option}: expected a JSON list", field=option)
    else:
        values = [v.strip() for v in raw.split(",") if v.strip()]
    if not numbers:
        return [str(v) for v in values]
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError):
        raise output.CliError(f"{option}: expected numbers", field=option) from None


def _show_result(result: dict[str, Any], *, left: Any = None) -> None:
    console = output.stdout()
    console.print(result["summary"], highlight=False, soft_wrap=True)
    value = result["value"]
    if isinstance(value, dict):
        for category, count in value.items():
            console.print(f"  {category}: {count}", highlight=False)
        console.print(f"  (other): {result['other']}", highlight=False)
    if result.get("noise_scale") is not None:
        console.print(f"noise scale: {result['noise_scale']:.6g}", highlight=False)
    for note in result.get("notes", []):
        console.print(f"[dim]note:[/] {note}", highlight=False)
    if left is not None:
        console.print(
            f"budget left: ε={left.epsilon_remaining:g}, δ={left.delta_remaining:g}",
            highlight=False,
        )


@dp.command("query")
def query(
    ctx: typer.Context,
    column: Annotated[str, typer.Option("--column", "-c", help="The column.", show_default=False)],
    stat: Annotated[Statistic, typer.Option("--stat", "-s", help="The statistic.")],
    epsilon: EpsilonOption,
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Project slug or id (server mode).")
    ] = None,
    dataset_version: Annotated[
        str | None, typer.Option(help="Dataset version id (server mode).", show_default=False)
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            help="A CSV, Parquet or JSON Lines file (local mode, no budget).",
            dir_okay=False,
        ),
    ] = None,
    lower: Annotated[float | None, typer.Option(help="Lower bound (sum, mean, quantile).")] = None,
    upper: Annotated[float | None, typer.Option(help="Upper bound (sum, mean, quantile).")] = None,
    categories: Annotated[
        str | None,
        typer.Option(help='Histogram categories: "a,b,c" or a JSON list \'["a,b","c"]\'.'),
    ] = None,
    candidates: Annotated[
        str | None, typer.Option(help='Quantile candidates: "10,20,30" or a JSON list.')
    ] = None,
    alpha: Annotated[float | None, typer.Option(help="Which quantile, 0 to 1.")] = None,
    size: Annotated[int | None, typer.Option(help="A mean's public number of rows.")] = None,
    delta: Annotated[float, typer.Option(help="δ; above 0 only with --noise gaussian.")] = 0.0,
    noise: Annotated[Noise, typer.Option(help="Noise for counts, sums and means.")] = (
        Noise.LAPLACE
    ),
    contributions: Annotated[int, typer.Option(help="The most rows one person holds.")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Run a differentially private query: on a registered dataset version (charged to
    its dataset's budget), or on a local file (no budget tracked).

    Example:

        bastion dp query --project census --dataset-version 9c1e… --column age
        --stat mean --lower 17 --upper 90 --epsilon 0.5

        bastion dp query --file adult.csv --column sex --stat histogram
        --categories Male,Female --epsilon 1 --json
    """
    fields: dict[str, Any] = {
        "statistic": stat,
        "column": column,
        "epsilon": epsilon,
        "delta": delta,
        "lower": lower,
        "upper": upper,
        "categories": _list(categories, "categories"),
        "candidates": _list(candidates, "candidates", numbers=True),
        "alpha": alpha,
        "size": size,
        "contributions": contributions,
        "noise": noise,
    }
    if file is not None:
        if project is not None or dataset_version is not None:
            raise output.CliError("give either --file, or --project and --dataset-version")
        typer.echo(LOCAL_WARNING, err=True)
        set_fields = {k: v for k, v in fields.items() if v is not None}
        result = DpQuery.from_dict(set_fields).run(file).to_dict()
        if as_json:
            typer.echo(json.dumps(result, indent=2))
        else:
            _show_result(result)
        return
    if project is None or dataset_version is None:
        raise output.CliError(
            "give --project and --dataset-version (a registered dataset, with a budget), "
            "or --file for a local query without one"
        )
    with connect(ctx) as bastion:
        ran = bastion.dp_query(
            project, dataset_version, **{k: v for k, v in fields.items() if v is not None}
        )
        left = None if as_json else bastion.get_privacy_budget(project, ran.dataset_id)
    if as_json:
        output.print_json(ran)
    else:
        _show_result(ran.result, left=left)


@dp.command("queries")
def queries(
    ctx: typer.Context,
    project: ProjectOption,
    dataset_version: Annotated[
        str, typer.Option(help="A version of the dataset (id).", show_default=False)
    ],
    this_version: Annotated[
        bool, typer.Option(help="Only this version's queries, not the whole dataset's.")
    ] = False,
    limit: LimitOption = 50,
    cursor: CursorOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the query ledger of a dataset: who ran what, at which privacy loss.

    Example:

        bastion dp queries --project census --dataset-version 9c1e…
    """
    filters: dict[str, Any] = {"limit": limit, "this_version": this_version}
    if cursor is not None:
        filters["cursor"] = cursor
    with connect(ctx) as bastion:
        page = bastion.list_dp_queries(project, dataset_version, **filters)
    show_page(
        page,
        title="differentially private queries",
        columns=("created_at", "statistic", "column", "epsilon", "delta", "value", "principal_id"),
        as_json=as_json,
    )
