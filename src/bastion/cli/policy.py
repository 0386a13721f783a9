"""``bastion policy`` (check a gate from CI, test and upload bundles) and ``bastion
promotions`` (request, approve, reject, withdraw)."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bastion.cli import output
from bastion.cli.remote import JsonOption, ProjectOption, connect
from bastion.policy import Decision, compile_bundle, load_bundle, run_tests
from bastion.policy.formats import FORMATS, render, report_to_junit, report_to_text

policy = typer.Typer(help="Release-gate policies: check, test, upload.", no_args_is_help=True)
promotions = typer.Typer(help="Promotion requests and their approvals.", no_args_is_help=True)

RequestArgument = Annotated[str, typer.Argument(metavar="REQUEST", help="Promotion request id.")]
CommentOption = Annotated[str, typer.Option("--comment", "-m", help="Why.")]


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        out.write_text(text, encoding="utf-8")
        output.stderr().print(f"wrote {out}", highlight=False)


@policy.command("check")
def check(
    ctx: typer.Context,
    project: ProjectOption,
    model_version: Annotated[str, typer.Option("--model-version", help="Model version id.")],
    stage: Annotated[
        str, typer.Option("--stage", help="The gate: register, staging, production, retired.")
    ],
    report_format: Annotated[
        str, typer.Option("--format", "-F", help="text, json, junit or sarif.")
    ] = "text",
    out: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Ask the server whether a model version passes a release gate; the decision is
    recorded as evidence. Exit 0 when allowed, 1 when denied — for CI/CD.

    Example:

        bastion policy check -p credit-scoring --model-version ID --stage production \\
            --format junit -o gate.xml
    """
    if report_format not in FORMATS:
        raise output.CliError(f"--format must be one of {', '.join(FORMATS)}", field="format")
    with connect(ctx) as bastion:
        read = bastion.check_gate(project, model_version, stage)
    decision = Decision.from_dict(read.evidence.result)
    options = {"artifact": f"model-version/{model_version}"} if report_format == "sarif" else {}
    _write(render(decision, report_format, **options), out)
    if not decision.allow:
        raise typer.Exit(1)


@policy.command("test")
def run_bundle_tests(
    directory: Annotated[Path, typer.Argument(exists=True, help="A bundle directory or zip.")],
    report_format: Annotated[str, typer.Option("--format", "-F", help="text or junit.")] = "text",
    out: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Run a bundle's Rego unit tests (rules named `test_*`), here, with no server. Exit 0
    when all pass, 1 otherwise; a bundle that does not compile is refused with the file,
    line and message.

    Example:

        bastion policy test policies/ --format junit -o policy-tests.xml
    """
    report = run_tests(compile_bundle(load_bundle(directory)))
    _write(report_to_junit(report) if report_format == "junit" else report_to_text(report), out)
    if not report.passed:
        raise typer.Exit(1)


@policy.command("upload")
def upload(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(exists=True, help="A bundle directory or zip.")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Upload a policy bundle: compiled on the server first, then in force for the
    project's gates; the change is recorded in the audit ledger.

    Example:

        bastion policy upload policies/ -p credit-scoring
    """
    with connect(ctx) as bastion:
        bundle = bastion.upload_policy_bundle(project, source)
    if as_json:
        output.print_json(bundle)
        return
    output.done(f"policy bundle v{bundle.version} ({bundle.digest[:12]}) is in force")


@policy.command("bundles")
def bundles(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """The bundle in force and every uploaded version.

    Example:

        bastion policy bundles -p credit-scoring
    """
    with connect(ctx) as bastion:
        listed = bastion.policy_bundles(project)
    if as_json:
        typer.echo(json.dumps(listed, indent=2))
        return
    in_force = listed["in_force"]
    output.done(f"in force: {in_force['version']} ({in_force['digest'][:12]})")
    for version in listed["versions"]:
        output.done(f"  v{version['version']} {version['digest'][:12]} {version['created_at']}")


# Promotions ---------------------------------------------------------------------------------


@promotions.command("request")
def request(
    ctx: typer.Context,
    model_version: Annotated[str, typer.Argument(metavar="MODEL_VERSION")],
    stage: Annotated[str, typer.Argument(help="staging, production or retired.")],
    project: ProjectOption,
    comment: CommentOption = "",
    as_json: JsonOption = False,
) -> None:
    """Ask for the approvals a promotion needs.

    Example:

        bastion promotions request ID production -p credit-scoring -m "fairness fixed"
    """
    with connect(ctx) as bastion:
        created = bastion.request_promotion(project, model_version, stage, comment=comment)
    if as_json:
        output.print_json(created)
        return
    output.done(
        f"promotion request {created.id} to {created.stage.value} is open until "
        f"{created.expires_at:%Y-%m-%d}"
    )


@promotions.command("list")
def list_requests(
    ctx: typer.Context,
    project: ProjectOption,
    model_version: Annotated[str | None, typer.Option("--model-version")] = None,
    as_json: JsonOption = False,
) -> None:
    """Promotion requests, newest first, with their approvals.

    Example:

        bastion promotions list -p credit-scoring
    """
    with connect(ctx) as bastion:
        requests = bastion.list_promotion_requests(project, model_version_id=model_version)
    if as_json:
        output.print_json(requests)
        return
    table = Table(title="Promotion requests", title_justify="left")
    for column in ("id", "model version", "stage", "status", "approvals", "expires"):
        table.add_column(column, overflow="fold")
    for r in requests:
        answers = ", ".join(f"{a.decision.value} by {a.principal_id[:8]}" for a in r.approvals)
        table.add_row(
            str(r.id), str(r.model_version_id), r.stage.value, r.status.value, answers,
            f"{r.expires_at:%Y-%m-%d}",
        )  # fmt: skip
    output.stdout().print(table)


def _answer(
    ctx: typer.Context, project: str, request_id: str, decision: str, comment: str, as_json: bool
) -> None:
    with connect(ctx) as bastion:
        answer = bastion.answer_promotion_request(
            project, request_id, decision=decision, comment=comment
        )
    if as_json:
        output.print_json(answer)
        return
    output.done(f"{answer.decision.value}d promotion request {answer.request_id}")


@promotions.command("approve")
def approve(
    ctx: typer.Context,
    request_id: RequestArgument,
    project: ProjectOption,
    comment: CommentOption = "",
    as_json: JsonOption = False,
) -> None:
    """Approve a promotion request (never your own; once; with a role the policy asks
    for).

    Example:

        bastion promotions approve REQUEST -p credit-scoring -m "evidence reviewed"
    """
    _answer(ctx, project, request_id, "approve", comment, as_json)


@promotions.command("reject")
def reject(
    ctx: typer.Context,
    request_id: RequestArgument,
    project: ProjectOption,
    comment: CommentOption = "",
    as_json: JsonOption = False,
) -> None:
    """Reject a promotion request; it closes.

    Example:

        bastion promotions reject REQUEST -p credit-scoring -m "robustness not assessed"
    """
    _answer(ctx, project, request_id, "reject", comment, as_json)


@promotions.command("withdraw")
def withdraw(
    ctx: typer.Context,
    request_id: RequestArgument,
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Withdraw your own open request.

    Example:

        bastion promotions withdraw REQUEST -p credit-scoring
    """
    with connect(ctx) as bastion:
        withdrawn = bastion.withdraw_promotion_request(project, request_id)
    if as_json:
        output.print_json(withdrawn)
        return
    output.done(f"promotion request {withdrawn.id} is {withdrawn.status.value}")
