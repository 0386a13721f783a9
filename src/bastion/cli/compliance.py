"""``bastion frameworks``, ``classify``, ``questionnaire``, ``compliance``, ``report`` and
``evidence-pack``: the compliance side of an AI system, through the SDK.

Answers come from a YAML or JSON file (``--answers``) or, without one, are asked
interactively from the definition the server uses.
"""

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from bastion.classification import Tree
from bastion.cli import output
from bastion.cli.prompts import ask
from bastion.cli.remote import JsonOption, ProjectOption, connect
from bastion.frameworks import load_framework_file
from bastion.questionnaires import Questionnaire

frameworks = typer.Typer(help="Framework catalogs: list, show, validate.", no_args_is_help=True)
questionnaire = typer.Typer(
    help="The questionnaires the law asks for (DPIA, RoPA, FRIA, Art. 22).", no_args_is_help=True
)
compliance = typer.Typer(help="Compliance status of AI systems.", no_args_is_help=True)

SystemArgument = Annotated[str, typer.Argument(metavar="SYSTEM", help="Id of the AI system.")]
AnswersOption = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        "-a",
        exists=True,
        dir_okay=False,
        help="YAML or JSON file of answers (question id: answer); omit to be asked.",
    ),
]
OutOption = Annotated[Path, typer.Option("--output", "-o", help="File to write.")]


def _answers(path: Path | None, definition: Questionnaire) -> dict[str, Any]:
    if path is None:
        return ask(definition, output.stdout())
    try:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise output.CliError(f"{path}: not YAML or JSON: {exc}", field="answers") from None
    if not isinstance(answers, dict):
        raise output.CliError(f"{path}: must map question ids to answers", field="answers")
    return answers


# Frameworks ------------------------------------------------------------------------------


@frameworks.command("list")
def list_frameworks(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The framework catalogs the server loaded."""
    with connect(ctx) as bastion:
        loaded = bastion.frameworks()
    if as_json:
        output.print_json(loaded)
        return
    output.print_table(
        "frameworks", loaded, ("id", "name", "version", "kind", "requirements"), None
    )


@frameworks.command("show")
def show_framework(
    ctx: typer.Context,
    framework_id: Annotated[str, typer.Argument(metavar="FRAMEWORK")],
    as_json: JsonOption = False,
) -> None:
    """A framework's requirements, when each applies and the evidence that satisfies it."""
    with connect(ctx) as bastion:
        framework = bastion.framework(framework_id)
    if as_json:
        typer.echo(json.dumps(framework, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{framework['name']} {framework['version']}", title_justify="left")
    for column in ("requirement", "title", "applies when", "evidence"):
        table.add_column(column, overflow="fold")
    for r in framework["requirements"]:
        table.add_row(
            f"{framework['id']}:{r['id']} ({r['ref']})",
            r["title"],
            _conditions(r.get("applies_when")),
            ", ".join(r["evidence"]),
        )
    output.stdout().print(table)


def _conditions(applies_when: dict[str, Any] | None) -> str:
    if not applies_when:
        return "always"
    parts = []
    for name, value in applies_when.items():
        if value:
            parts.append(f"{name}: {value}")
    return "; ".join(parts) or "always"


@frameworks.command("validate")
def validate_framework(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Catalog file.")],
) -> None:
    """Check a custom framework catalog (no server needed): exit 0 when it loads, 1 with
    the file, requirement and field of the first problem otherwise."""
    framework = load_framework_file(file)
    count = len(framework.requirements)
    output.done(f"{file}: framework {framework.id!r} with {count} requirements is valid")


# Classification and questionnaires ---------------------------------------------------------


def classify(
    ctx: typer.Context,
    system: SystemArgument,
    project: ProjectOption,
    answers: AnswersOption = None,
    as_json: JsonOption = False,
) -> None:
    """Classify an AI system under the EU AI Act: from an answers file, or by asking the
    decision tree's questions one by one.

    Example:

        bastion classify SYSTEM -p credit-scoring --answers classification.yaml
    """
    with connect(ctx) as bastion:
        tree = Tree.model_validate(bastion.classification_tree())
        result = bastion.classify_system(project, system, _answers(answers, tree))
    if as_json:
        output.print_json(result)
        return
    stale = " (stale)" if result.stale else ""
    output.done(f"risk tier: {result.risk_tier}{stale}; role: {result.role}")
    if result.evidence is not None:
        output.done(result.evidence.summary)
    for obligation in result.obligations:
        output.done(f"  {obligation['ref']}: {obligation['title']}")


@questionnaire.command("list")
def list_questionnaires(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The questionnaires the server offers."""
    with connect(ctx) as bastion:
        offered = bastion.questionnaires()
    if as_json:
        typer.echo(json.dumps(offered, indent=2, ensure_ascii=False))
        return
    table = Table(title="Questionnaires", title_justify="left")
    for column in ("id", "title", "basis", "version", "evidence_kind"):
        table.add_column(column.replace("_", " "), overflow="fold")
    for q in offered:
        table.add_row(q["id"], q["title"], q["basis"], q["version"], q["evidence_kind"])
    output.stdout().print(table)


@questionnaire.command("fill")
def fill_questionnaire(
    ctx: typer.Context,
    questionnaire_id: Annotated[
        str, typer.Argument(metavar="QUESTIONNAIRE", help="dpia, ropa, fria or art22.")
    ],
    system: SystemArgument,
    project: ProjectOption,
    answers: AnswersOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a questionnaire about an AI system and record it as evidence.

    Example:

        bastion questionnaire fill dpia SYSTEM -p credit-scoring --answers dpia.yaml
    """
    with connect(ctx) as bastion:
        definition = Questionnaire.model_validate(bastion.questionnaire(questionnaire_id))
        evidence = bastion.record_questionnaire(
            project, system, questionnaire_id, _answers(answers, definition)
        )
    if as_json:
        output.print_json(evidence)
        return
    output.done(
        f"recorded {evidence.kind} {evidence.id}: {evidence.verdict.value}: {evidence.summary}"
    )


# Status ------------------------------------------------------------------------------------

_MARK = {
    "satisfied": "[green]satisfied[/]",
    "expired": "[yellow]expired[/]",
    "failing": "[red]failing[/]",
    "missing": "[red]missing[/]",
    "not_applicable": "[dim]not applicable[/]",
}


@compliance.command("status")
def status(
    ctx: typer.Context,
    system: SystemArgument,
    project: ProjectOption,
    framework: Annotated[
        str | None, typer.Option("--framework", "-f", help="One framework, e.g. eu_ai_act.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Requirement by requirement: applicable or not, satisfied by current evidence,
    expired, failing or missing, with the owner and due date. Exit 0 when every applicable
    requirement is satisfied, 2 otherwise (for pipelines)."""
    with connect(ctx) as bastion:
        result = bastion.compliance_status(project, system, framework=framework)
    if as_json:
        output.print_json(result)
    else:
        console = output.stdout()
        console.print(
            f"{result.system_name}: tier {result.risk_tier}, role {result.role}; "
            f"classification {result.classification['status']}",
            highlight=False,
        )
        for f in result.frameworks:
            table = Table(
                title=f"{f['framework_name']} {f['framework_version']}", title_justify="left"
            )
            for column in ("requirement", "status", "evidence / reason", "owner / due"):
                table.add_column(column, overflow="fold")
            for q in f["requirements"]:
                detail = (
                    q["reason"]
                    if q["status"] == "not_applicable"
                    else "; ".join(_item(i) for i in q["items"])
                )
                due = f" / {q['due_date']}" if q["due_date"] else ""
                table.add_row(
                    f"{q['ref']} {q['title']}",
                    _MARK[q["status"]],
                    detail,
                    f"{q['owner'] or ''}{due}",
                )
            console.print(table)
            console.print(_counts(f), highlight=False)
    open_items = sum(
        n
        for f in result.frameworks
        for name, n in f["counts"].items()
        if name not in ("satisfied", "not_applicable")
    )
    if open_items:
        raise typer.Exit(2)


def _item(item: dict[str, Any]) -> str:
    if item["evidence"]:
        return f"{item['evidence']['kind']} ({item['evidence']['created_at'][:10]})"
    return f"{item['status']}: {' or '.join(item['accepted_kinds'])}"


def _counts(framework: dict[str, Any]) -> str:
    counts = ", ".join(
        f"{n} {name.replace('_', ' ')}" for name, n in framework["counts"].items() if n
    )
    score = framework["score"]
    return f"{counts}; score {score:.0%}" if score is not None else counts


@compliance.command("project")
def project_status(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """Every AI system of the project, its tier and its counts per framework."""
    with connect(ctx) as bastion:
        rollup = bastion.project_compliance(project)
    if as_json:
        output.print_json(rollup)
        return
    table = Table(title="Compliance", title_justify="left")
    for column in ("system", "tier", "classification", "framework", "counts"):
        table.add_column(column, overflow="fold")
    for s in rollup.systems:
        for framework_id, f in s["frameworks"].items():
            table.add_row(s["name"], s["risk_tier"], s["classification"], framework_id, _counts(f))
    output.stdout().print(table)


@compliance.command("organization")
def organization_status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every project you may read, with totals per framework over all its systems."""
    with connect(ctx) as bastion:
        rollup = bastion.organization_compliance()
    if as_json:
        output.print_json(rollup)
        return
    table = Table(title="Compliance across projects", title_justify="left")
    for column in ("project", "systems", "framework", "counts"):
        table.add_column(column, overflow="fold")
    for p in rollup.projects:
        for framework_id, f in p["totals"]["frameworks"].items():
            table.add_row(p["slug"], str(len(p["systems"])), framework_id, _counts(f))
    output.stdout().print(table)


@compliance.command("control")
def set_control(
    ctx: typer.Context,
    system: SystemArgument,
    requirement: Annotated[str, typer.Argument(help="e.g. eu_ai_act:art9.")],
    project: ProjectOption,
    owner: Annotated[str, typer.Option(help="Who implements it.")] = "",
    due: Annotated[str | None, typer.Option(help="Due date, YYYY-MM-DD.")] = None,
    not_applicable: Annotated[
        str | None,
        typer.Option("--not-applicable", help="Why it does not apply (a justification)."),
    ] = None,
    notes: Annotated[str, typer.Option(help="Free text.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Set the owner and due date of a requirement for a system, or justify why it does
    not apply."""
    with connect(ctx) as bastion:
        record = bastion.set_control(
            project,
            system,
            requirement,
            owner=owner,
            due_date=due,
            not_applicable=not_applicable,
            notes=notes,
        )
    if as_json:
        output.print_json(record)
    else:
        output.print_record(f"control {requirement}", record)


# Reports and packs -------------------------------------------------------------------------


def report(
    ctx: typer.Context,
    system: SystemArgument,
    project: ProjectOption,
    out: OutOption,
    report_format: Annotated[
        str | None,
        typer.Option("--format", "-F", help="html or pdf; default from the file's suffix."),
    ] = None,
) -> None:
    """Write a system's compliance report (self-contained HTML or PDF).

    Example:

        bastion report SYSTEM -p credit-scoring -o report.pdf
    """
    chosen = report_format or ("pdf" if out.suffix.lower() == ".pdf" else "html")
    if chosen not in ("html", "pdf"):
        raise output.CliError(f"--format must be html or pdf, not {chosen!r}", field="format")
    with connect(ctx) as bastion:
        content = bastion.compliance_report(project, system, format=chosen)
    out.write_bytes(content)
    output.done(f"wrote {out} ({chosen}, {len(content):,} bytes)")


def evidence_pack(
    ctx: typer.Context,
    system: SystemArgument,
    project: ProjectOption,
    out: OutOption,
) -> None:
    """Download a system's evidence pack: every evidence file, a manifest of SHA-256
    digests and the signed ledger checkpoint that covers them. Check it offline with
    `bastion audit verify-pack`.

    Example:

        bastion evidence-pack SYSTEM -p credit-scoring -o pack.zip
    """
    with connect(ctx) as bastion:
        path = bastion.download_evidence_pack(project, system, out)
    output.done(f"wrote {path} ({path.stat().st_size:,} bytes)")
