"""``bastion scan pii``, ``bastion anonymize`` and ``bastion privacy …``: data protection on
files here, or on registered dataset versions on the server (``--dataset-version``)."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bastion.cli import output
from bastion.cli.remote import connect
from bastion.settings import ClientSettings

scan = typer.Typer(help="Scan data for personal data and secrets.", no_args_is_help=True)
privacy = typer.Typer(help="Re-identification risk and data minimization.", no_args_is_help=True)

TEXT_SUFFIXES_NOTE = "CSV, Parquet and JSON Lines are scanned as tables; other files as text."
ProjectOpt = Annotated[str | None, typer.Option("--project", "-p", help="Project slug or id.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _project(project: str | None, what: str) -> str:
    if project is None:
        raise output.CliError(f"{what} runs on the server: give --project", field="project")
    return project


def _print_evidence(evidence: Any, as_json: bool) -> None:
    if as_json:
        output.print_json(evidence)
    else:
        console = output.stdout()
        console.print(f"{evidence.verdict.value} {evidence.summary}\nevidence {evidence.id}")


def _print_result(result: Any, as_json: bool, rows: list[dict[str, Any]] | None = None) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    console = output.stdout()
    colour = {"pass": "green", "warn": "yellow", "fail": "red"}.get(result.verdict, "dim")
    console.print(f"[bold {colour}]{result.verdict}[/] {result.summary}")
    if rows:
        table = Table(*rows[0].keys())
        for row in rows:
            table.add_row(*(output.cell(v) for v in row.values()))
        console.print(table)
    for note in getattr(result, "notes", ()):
        console.print(f"[dim]note:[/] {note}")


@scan.command("pii")
def scan_pii(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help=TEXT_SUFFIXES_NOTE, show_default=False)
    ] = None,
    sample: Annotated[int, typer.Option(min=1, help="Values examined per column.")] = 10_000,
    exact: Annotated[bool, typer.Option(help="Examine every value.")] = False,
    entity: Annotated[
        list[str] | None, typer.Option(help="Only this entity (repeat), e.g. EMAIL_ADDRESS.")
    ] = None,
    encoding: Annotated[str, typer.Option(help="The file's text encoding.")] = "utf-8",
    dataset_version: Annotated[
        str | None, typer.Option(help="Scan this registered dataset version on the server.")
    ] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find personal data and secrets in a table or a text file: per column the entity
    (Presidio's names), its share, confidence and likelihood; GDPR special categories; a
    suggested classification level.

    Example:

        bastion scan pii customers.csv --json
        bastion scan pii --dataset-version ID -p credit-risk
    """
    if dataset_version is not None:
        ref = _project(project, "--dataset-version")
        with connect(ctx) as bastion:
            evidence = bastion.scan_dataset_version(
                ref, dataset_version, sample=sample, exact=exact,
                entities=entity, encoding=encoding,
            )  # fmt: skip
        _print_evidence(evidence, as_json)
        return
    if file is None:
        raise output.CliError("give a FILE (or --dataset-version ID)", field="file")
    from bastion.pii import scan_file, scan_text_file
    from bastion.tabular import FORMATS

    result: Any
    if file.suffix.lower() in FORMATS:
        result = scan_file(
            file, sample=sample, exact=exact, entities=entity,
            encoding=encoding,
        )  # fmt: skip
        rows = [
            {k: c[k] for k in ("column", "entity", "share", "likelihood", "examined")}
            for c in result.to_dict()["columns"]
        ]
    else:
        result = scan_text_file(file, encoding=encoding, entities=entity)
        rows = [{"entity": e, "count": n} for e, n in result.to_dict()["counts"].items()]
    _print_result(result, as_json, rows)


def anonymize(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(help="CSV, Parquet or JSON Lines.")] = None,
    spec: Annotated[Path, typer.Option(help="The spec: YAML or JSON.", show_default=False)] = ...,  # type: ignore[assignment]
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="The new file (format by suffix).")
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(help="Key material for pseudonymize/tokenize; default BASTION_ANONYMIZE_KEY."),
    ] = None,
    new_key: Annotated[
        bool, typer.Option(help="Create --key-file (mode 0600) if it does not exist.")
    ] = False,
    scan_first: Annotated[
        bool, typer.Option("--scan", help="Scan the file first, for the spec's entity rules.")
    ] = False,
    encoding: Annotated[str, typer.Option(help="The input's text encoding.")] = "utf-8",
    dataset_version: Annotated[
        str | None, typer.Option(help="Anonymize this dataset version on the server.")
    ] = None,
    new_version: Annotated[
        str | None, typer.Option(help="Name of the new dataset version (server).")
    ] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Anonymize a table with a declarative spec into a new file (the input is never
    changed) and report what each column went through.

    Example:

        bastion anonymize people.csv --spec spec.yaml -o people.anon.parquet --key-file anon.key
        bastion anonymize --dataset-version ID -p credit-risk --spec spec.yaml --new-version v1-anon
    """
    from bastion.anonymize import Keys, anonymize_file, generate_key_file, load_spec

    loaded = load_spec(spec)
    if dataset_version is not None:
        ref = _project(project, "--dataset-version")
        if new_version is None:
            raise output.CliError("--dataset-version needs --new-version", field="new_version")
        with connect(ctx) as bastion:
            made = bastion.anonymize_dataset_version(
                ref, dataset_version, spec=loaded.model_dump(mode="json"), version=new_version,
            )  # fmt: skip
        if as_json:
            output.print_json(made)
        else:
            output.stdout().print(
                f"{made.evidence.summary}\nnew dataset version {made.dataset_version.id}"
            )
        return
    if file is None or out is None:
        raise output.CliError("give FILE and --output (or --dataset-version ID)", field="file")
    keys = None
    if key_file is not None:
        if new_key and not key_file.exists():
            generate_key_file(key_file)
            output.stderr().print(f"created key file {key_file} (keep it secret, keep a copy)")
        keys = Keys.from_file(key_file)
    elif (secret := ClientSettings().anonymize_key) is not None:
        keys = Keys.from_hex(secret.get_secret_value(), source="BASTION_ANONYMIZE_KEY")
    entities = None
    if scan_first:
        from bastion.pii import scan_file

        scanned = scan_file(file, encoding=encoding)
        entities = {c["column"]: c["entity"] for c in scanned.to_dict()["columns"] if c["entity"]}
    report = anonymize_file(
        file, out, loaded, keys=keys, column_entities=entities, encoding=encoding
    )
    rows = [
        {k: c[k] for k in ("column", "operator", "values_changed", "values_emptied")}
        for c in report.to_dict()["columns"]
    ]
    _print_result(report, as_json, rows)


@privacy.command("kanon")
def kanon(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(help="CSV, Parquet or JSON Lines.")] = None,
    qi: Annotated[
        list[str], typer.Option("--qi", help="Quasi-identifier column; repeat.", show_default=False)
    ] = ...,  # type: ignore[assignment]
    sensitive: Annotated[list[str] | None, typer.Option(help="Sensitive column; repeat.")] = None,
    k: Annotated[int, typer.Option(min=2, help="The k to reach.")] = 5,
    generalize: Annotated[
        Path | None,
        typer.Option(help="Generalize until k is reached and write the table here."),
    ] = None,
    max_suppression: Annotated[
        float, typer.Option(min=0, max=1, help="Share of rows that may be suppressed.")
    ] = 0.0,
    dataset_version: Annotated[
        str | None, typer.Option(help="Measure this registered dataset version on the server.")
    ] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """k-anonymity, l-diversity and t-closeness of a table for the given quasi-identifiers,
    with the smallest equivalence classes; optionally generalize until k is reached.

    Example:

        bastion privacy kanon adult.csv --qi age --qi sex --qi race --sensitive occupation
    """
    if dataset_version is not None:
        ref = _project(project, "--dataset-version")
        with connect(ctx) as bastion:
            evidence = bastion.assess_reidentification(
                ref, dataset_version, quasi_identifiers=qi, sensitive=sensitive or [], k=k
            )
        _print_evidence(evidence, as_json)
        return
    if file is None:
        raise output.CliError("give a FILE (or --dataset-version ID)", field="file")
    from bastion.reident import assess_reidentification, generalize_until

    if generalize is not None:
        result = generalize_until(file, quasi_identifiers=qi, k=k, max_suppression=max_suppression)
        from bastion.tabular import write_table

        write_table(result.frame, generalize)
        _print_result(result, as_json)
        return
    measured = assess_reidentification(file, quasi_identifiers=qi, sensitive=sensitive or (), k=k)
    smallest = [
        {**c["values"], "size": c["size"], "prosecutor risk": c["prosecutor_risk"]}
        for c in measured.to_dict()["smallest_classes"]
    ]
    _print_result(measured, as_json, smallest)


@privacy.command("minimization")
def minimization(
    ctx: typer.Context,
    model_version: Annotated[str, typer.Option(help="Model version id.", show_default=False)],
    project: Annotated[str, typer.Option("--project", "-p", help="Project slug or id.")],
    feature: Annotated[
        list[str] | None, typer.Option(help="Model input column; repeat. Default: from the model.")
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option(help="Column held on purpose (the label); repeat.")
    ] = None,
    justify: Annotated[
        list[str] | None,
        typer.Option(help="COLUMN=REASON for a special-category feature; repeat."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a model version's features against the PII scans of its training data.

    Example:

        bastion privacy minimization --model-version ID -p credit-risk --label income
    """
    reasons: dict[str, str] = {}
    for pair in justify or ():
        column, sep, reason = pair.partition("=")
        if not sep or not column.strip():
            raise output.CliError(f"--justify takes COLUMN=REASON, not {pair!r}", field="justify")
        reasons[column.strip()] = reason.strip()
    with connect(ctx) as bastion:
        evidence = bastion.check_data_minimization(
            project, model_version, features=feature, label=label or [], justifications=reasons
        )
    _print_evidence(evidence, as_json)
