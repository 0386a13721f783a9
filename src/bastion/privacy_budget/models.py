"""The privacy budget of a dataset, and the append-only ledger of the queries that spend it.

What a dataset has spent is the sum over its recorded queries (basic sequential
composition), never a counter kept beside them: the two cannot disagree. The migration
adds triggers that refuse UPDATE and DELETE on ``dp_queries``: deleting a query would
give its privacy loss back.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Double, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bastion.storage.base import Base, IdMixin, TimestampMixin, utcnow


class PrivacyBudget(IdMixin, TimestampMixin, Base):
    """The total privacy loss (ε, δ) a dataset's queries may spend, over all its versions.

    Its row is also the lock that serializes the dataset's queries: each query reads the
    budget ``FOR UPDATE`` before it checks what is left.
    """

    __tablename__ = "privacy_budgets"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("datasets.id", ondelete="RESTRICT"), unique=True
    )
    epsilon: Mapped[float] = mapped_column(Double)
    delta: Mapped[float] = mapped_column(Double)
    # The principal who set it last (an opaque id, as in the ledger).
    set_by: Mapped[str | None] = mapped_column(String(64), default=None)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class DpQueryRecord(IdMixin, Base):
    """One differentially private query run on a dataset version: what was asked, what
    it cost, what was released, who ran it and when."""

    __tablename__ = "dp_queries"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("datasets.id", ondelete="RESTRICT"), index=True
    )
    dataset_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="RESTRICT"), index=True
    )
    statistic: Mapped[str] = mapped_column(String(20))
    # "column" is a reserved word in SQL; the API calls it `column`.
    column_name: Mapped[str] = mapped_column(String(200))
    # DpQuery.to_dict(): bounds, categories or candidates, alpha, size, noise, contributions.
    parameters: Mapped[dict[str, Any]] = mapped_column()
    epsilon: Mapped[float] = mapped_column(Double)
    delta: Mapped[float] = mapped_column(Double)
    # DpResult.to_dict(): the released value, the mechanism, its noise scale, notes.
    result: Mapped[dict[str, Any]] = mapped_column()
    # SHA-256 of the data the query read (the dataset version's uploaded file).
    input_digest: Mapped[str] = mapped_column(String(64))
    principal_id: Mapped[str | None] = mapped_column(String(64), default=None)
    credential: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
