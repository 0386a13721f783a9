"""Ledger tables. The migration adds triggers that refuse UPDATE and DELETE on the
append-only ones (entries, nodes, checkpoints); only the head row moves."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bastion.storage.base import Base

APPEND_ONLY_TABLES = ("ledger_entries", "ledger_nodes", "ledger_checkpoints")


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    # The leaf index in the Merkle tree: 0, 1, 2, … with no gaps.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(index=True)
    actor_kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    # How the actor authenticated (`api_key:<key id>`, `oidc`, `session:<id>`): never a secret.
    credential: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(100), index=True)
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(128))
    # No foreign key: the record of a project outlives any change to the project.
    project_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column()
    leaf_hash: Mapped[str] = mapped_column(String(64))


class LedgerNode(Base):
    """A complete subtree hash (level >= 1); leaf hashes live on the entries."""

    __tablename__ = "ledger_nodes"
    __table_args__ = (CheckConstraint("level >= 1", name="level_above_leaves"),)

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class LedgerCheckpoint(Base):
    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


class LedgerHead(Base):
    """The tree's current size and right edge, so an append needs no reads of old nodes.

    One row. Appenders lock it, which also serializes them, keeping ``seq`` gapless.
    """

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    # Hex hashes of the compact range (complete subtrees, largest first).
    frontier: Mapped[list[str]] = mapped_column()
