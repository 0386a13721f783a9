"""``bastion evidence``: read the results recorded about a project's records."""

import typer

from bastion.cli.remote import Kind, add_list, add_show

evidence = typer.Typer(help="Evidence: results recorded about records.", no_args_is_help=True)

EVIDENCE = Kind(
    "evidence",
    ("id", "kind", "subject_type", "subject_id", "verdict", "created_at", "supersedes"),
    lambda c: c.list_evidence,
    lambda c: c.get_evidence,
)
add_list(
    evidence,
    EVIDENCE,
    name="list",
    example="bastion evidence list --project credit-scoring -f kind=assessment.fairness "
    "-f current=true",
)
add_show(evidence, EVIDENCE, example="bastion evidence show ID --project credit-scoring")
