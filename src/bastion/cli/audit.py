"""``bastion audit``: verify the ledger, prove entries, sign checkpoints, export for a SIEM.

``verify`` works three ways: on an export file with only the verifier key (offline, as an
auditor would), against a server (which it downloads in full first), or ``--local`` on the
database that this machine's server uses.
"""

import itertools
import json
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bastion.checkpoint import NoteError, NoteVerifier
from bastion.cli import output
from bastion.cli.remote import JsonOption, connect
from bastion.ledger.export import read_jsonl
from bastion.ledger.verify import Report, verify
from bastion.reports.verify import PackError, verify_pack
from bastion.settings import Settings

audit = typer.Typer(help="The tamper-evident audit ledger.", no_args_is_help=True)

KeyOption = Annotated[
    str | None,
    typer.Option("--key", help="Verifier key (name+id+key), as printed by `audit key`."),
]
KeyFileOption = Annotated[
    Path | None, typer.Option("--key-file", help="File holding the verifier key.")
]


def _verifier(key: str | None, key_file: Path | None) -> NoteVerifier | None:
    if key and key_file:
        raise output.CliError("give --key or --key-file, not both")
    text = key_file.read_text().strip() if key_file else key
    if text is None:
        return None
    try:
        return NoteVerifier.from_key(text)
    except NoteError as exc:
        raise output.CliError(f"not a verifier key: {exc}", field="key") from None


def _with_progress(entries: Iterator[Mapping[str, Any]], total: int) -> Iterator[Mapping[str, Any]]:
    columns = (TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=output.stderr(), transient=True) as progress:
        task = progress.add_task("verify", total=total)
        for count, entry in enumerate(entries, start=1):
            yield entry
            if count % 10_000 == 0:
                progress.update(task, completed=count)
        progress.update(task, completed=total)


def _verify_lines(lines: Iterator[str], verifier: NoteVerifier | None) -> tuple[Report, str]:
    try:
        header, notes, entries = read_jsonl(lines)
    except ValueError as exc:
        raise output.CliError(str(exc), field="file") from None
    if not header.get("complete"):
        raise output.CliError("this export is filtered; only a complete export can be verified")
    trusted = verifier
    if trusted is None:
        trusted = NoteVerifier.from_key(str(header["verifier_key"]))
    size = int(header["size"])
    try:
        report = verify(_with_progress(entries, size), notes, trusted, expected_size=size)
    except ValueError as exc:
        raise output.CliError(str(exc), field="file") from None
    return report, trusted.name


def _report(report: Report, origin: str, *, as_json: bool, warning: str | None) -> None:
    if warning:
        output.stderr().print(warning, highlight=False)
    if as_json:
        typer.echo(json.dumps({"origin": origin, **report.to_dict()}, indent=2))
    elif report.intact:
        output.done(
            f"ledger {origin} is intact: {report.entries} entries, "
            f"{report.checkpoints} signed checkpoints verified"
        )
    else:
        for finding in report.findings:
            typer.echo(f"TAMPERED: {finding.message}", err=True)
    if not report.intact:
        raise typer.Exit(1)


@audit.command("verify")
def verify_command(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A JSON Lines export to check offline.", exists=True),
    ] = None,
    local: Annotated[
        bool, typer.Option("--local", help="Check the database of the server on this machine.")
    ] = False,
    key: KeyOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute the whole tree, check every signed checkpoint, and name the first entry
    that was modified, removed, inserted or reordered. Exit 0 when intact, 1 otherwise.

    Example (offline, with only the key and an export):

        bastion audit verify --file ledger.jsonl --key-file ledger.vkey
    """
    verifier = _verifier(key, key_file)
    warning = None
    if verifier is None:
        warning = (
            "note: no --key given; trusting the key that the ledger itself names. Keep a "
            "copy of the verifier key elsewhere and pass it to detect a swapped key."
        )
    if file and local:
        raise output.CliError("give --file or --local, not both")
    if local:
        report, origin = _verify_local(verifier)
    else:
        with ExitStack() as stack:
            path = file
            if path is None:
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "ledger.jsonl"
                with connect(ctx) as bastion:
                    path = bastion.audit.export(tmp)
            lines = stack.enter_context(path.open(encoding="utf-8"))
            report, origin = _verify_lines(iter(lines), verifier)
    _report(report, origin, as_json=as_json, warning=warning)


def _verify_local(verifier: NoteVerifier | None) -> tuple[Report, str]:
    """Verify the database of the server on this machine, as stored."""
    from bastion.ledger import service as ledger_service
    from bastion.ledger.keys import load_or_create_signer
    from bastion.storage.database import check_connection, create_db_engine, session_factory

    settings = Settings()
    if verifier is None:
        key_file = settings.effective_ledger_key_file
        if not key_file.exists():
            raise output.CliError(f"no ledger key at {key_file}: has the server run here?")
        verifier = load_or_create_signer(key_file, settings.ledger_origin).verifier()
    engine = create_db_engine(settings.effective_database_url)
    try:
        check_connection(engine)
        with session_factory(engine, read_only=True)() as session, session.begin():
            return ledger_service.verify_stored(session=session, verifier=verifier), verifier.name
    finally:
        engine.dispose()


@audit.command("export")
def export_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    format: Annotated[
        str, typer.Option("--format", help="jsonl (verifiable) or cef (for a SIEM).")
    ] = "jsonl",
    project_id: Annotated[str | None, typer.Option(help="Only this project's entries.")] = None,
    since: Annotated[datetime | None, typer.Option(help="From this time (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Before this time (UTC).")] = None,
) -> None:
    """Stream the ledger to a file: JSON Lines (verifiable offline) or CEF for Splunk,
    Elastic or any SIEM.

    Example:

        bastion audit export --format cef --since 2026-11-01 -o november.cef
    """
    if format not in ("jsonl", "cef"):
        raise output.CliError("--format must be jsonl or cef", field="format")
    fmt: Literal["jsonl", "cef"] = "jsonl" if format == "jsonl" else "cef"
    with connect(ctx) as bastion:
        path = bastion.audit.export(
            out, format=fmt, project_id=project_id, since=since, until=until
        )
    output.done(f"wrote {path}")


@audit.command("proof")
def proof_command(
    ctx: typer.Context,
    seq: Annotated[int, typer.Argument(help="Entry number.", min=0)],
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Ask within this project.")
    ] = None,
    key: KeyOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch an entry's inclusion proof and check it, here, against the signed checkpoint.

    Example:

        bastion audit proof 1234 --key-file ledger.vkey
    """
    with connect(ctx) as bastion:
        verifier = _verifier(key, key_file) or NoteVerifier.from_key(
            bastion.audit.verifier_key().key
        )
        proof = bastion.audit.prove_entry(seq, verifier, project=project)
    if as_json:
        output.print_json(proof)
    else:
        output.done(
            f"entry {seq} is included in the ledger of {proof.tree_size} entries signed by "
            f"{verifier.name} (root {proof.root_hash})"
        )


@audit.command("consistency")
def consistency_command(
    ctx: typer.Context,
    key: KeyOption = None,
    key_file: KeyFileOption = None,
) -> None:
    """Check that every signed checkpoint extends the one before it: nothing that was once
    signed has been rewritten since.

    Example:

        bastion audit consistency --key-file ledger.vkey
    """
    with connect(ctx) as bastion:
        verifier = _verifier(key, key_file) or NoteVerifier.from_key(
            bastion.audit.verifier_key().key
        )
        signed = [c for c in bastion.audit.checkpoints() if c.size > 0]
        for older, newer in itertools.pairwise(signed):
            bastion.audit.prove_consistency(older, newer, verifier)
    output.done(f"{len(signed)} checkpoints, each consistent with the one before")


@audit.command("checkpoint")
def checkpoint_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Sign the ledger's current tree head now and print the signed checkpoint.

    Example:

        bastion audit checkpoint
    """
    with connect(ctx) as bastion:
        checkpoint = bastion.audit.sign_checkpoint()
    if as_json:
        output.print_json(checkpoint)
    else:
        typer.echo(checkpoint.note, nl=False)


@audit.command("key")
def key_command(ctx: typer.Context) -> None:
    """Print the verifier key; keep a copy where the server cannot change it.

    Example:

        bastion audit key > ledger.vkey
    """
    with connect(ctx) as bastion:
        typer.echo(bastion.audit.verifier_key().key)


@audit.command("entries")
def entries_command(
    ctx: typer.Context,
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Only this project's entries.")
    ] = None,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    since: Annotated[datetime | None, typer.Option(help="From this time (UTC).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    cursor: Annotated[str | None, typer.Option(help="Continue a listing.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List ledger entries, oldest first.

    Example:

        bastion audit entries --project credit-risk --action system.update
    """
    with connect(ctx) as bastion:
        page = bastion.audit.entries(
            project=project, action=action, since=since, cursor=cursor, limit=limit
        )
    if as_json:
        output.print_json(page)
        return
    columns = ("seq", "recorded_at", "actor_kind", "action", "resource_id", "outcome")
    output.print_table("ledger entries", page.items, columns, page.next_cursor)


@audit.command("verify-pack")
def verify_pack_command(
    pack: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Evidence pack zip.")],
    key: KeyOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check an evidence pack offline: file digests, the signed checkpoint, every ledger
    entry's inclusion proof, and that each evidence file is what the ledger recorded. Exit
    0 when it verifies, 1 otherwise.

    Example:

        bastion audit verify-pack pack.zip --key-file ledger.vkey
    """
    verifier = _verifier(key, key_file)
    try:
        result = verify_pack(pack, key=verifier.key() if verifier else None)
    except PackError as exc:
        raise output.CliError(str(exc), field="pack") from None
    if result.key_from_pack:
        output.stderr().print(
            "note: no --key given; trusting the key inside the pack, which proves the pack "
            "is intact but not who made it",
            highlight=False,
        )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    elif result.ok:
        output.done(
            f"{pack} verifies: {result.evidence} evidence files and {result.documents} "
            f"documents match the ledger; {result.entries} entries proven in the checkpoint "
            f"of size {result.checkpoint_size}"
        )
    else:
        for problem in result.problems:
            typer.echo(f"FAILED: {problem}", err=True)
    if not result.ok:
        raise typer.Exit(1)
