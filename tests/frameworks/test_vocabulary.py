"""The vocabulary is the contract's: the tables of docs/frameworks.md, word for word."""

import re
from pathlib import Path

from bastion.frameworks import (
    CATALOG_RISK_TIERS,
    EVIDENCE_KINDS,
    FACTS,
    RISK_TIERS,
    ROLES,
    UNCLASSIFIED,
)

CONTRACT = (Path(__file__).parents[2] / "docs" / "frameworks.md").read_text(encoding="utf-8")


def table_rows(heading: str) -> list[list[str]]:
    """The cells of the rows of the first table under ``## heading`` whose first cell is
    a `code` word."""
    section = CONTRACT.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if re.match(r"\| `", line)
    ]


def test_evidence_kinds_match_the_contract_table() -> None:
    table = {
        kind.strip("`"): (description, int(days) if days.isdigit() else None)
        for kind, description, days in table_rows("Evidence kinds")
    }
    assert {
        kind: (entry.description, entry.validity_days) for kind, entry in EVIDENCE_KINDS.items()
    } == table


def test_facts_match_the_contract_table() -> None:
    assert dict(FACTS) == {fact.strip("`"): meaning for fact, meaning in table_rows("Facts")}


def test_tiers_and_roles_match_the_contract() -> None:
    listed = re.findall(r"`(\w+)`", CONTRACT.split("- `risk_tiers`:", 1)[1].split("\n- ", 1)[0])
    assert list(CATALOG_RISK_TIERS) == listed
    assert (*CATALOG_RISK_TIERS, UNCLASSIFIED) == RISK_TIERS
    roles = re.findall(r"`(\w+)`", CONTRACT.split("- `roles`:", 1)[1].split("\n", 1)[0])
    assert list(ROLES) == roles
