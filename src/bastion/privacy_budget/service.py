"""Privacy budgets and the query ledger: set a dataset's budget, run a differentially
private query against it, read what was spent.

Accounting is basic sequential composition: a dataset has spent the sum of the ε, and the
sum of the δ, of every query recorded on any of its versions (the versions of one dataset
hold largely the same people, so they share one budget). Sums are taken with
``math.fsum``, exactly rounded, so ten queries of ε = 0.1 fit a budget of 1 whatever order
the database returns them in. Tighter accounting (zCDP, advanced composition) would let
more queries fit the same budget; it is future work, and this rule is never optimistic.

A query that would exceed what is left is refused before it reads the data, and records
nothing. The check, the computation and the record happen in one transaction holding a
lock on the budget row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
IMMEDIATE`` already serializes writers), so two concurrent queries cannot both spend the
last of a budget. The lock is held while the query computes: queries on one dataset run
one at a time.
"""

import math
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.dp import DpQuery
from bastion.errors import InvalidInput
from bastion.inventory import service as inventory_service
from bastion.inventory.models import DatasetVersion
from bastion.ledger import service as ledger_service
from bastion.privacy_budget import schemas
from bastion.privacy_budget.errors import BudgetBelowSpent, BudgetExceeded, NoBudget
from bastion.privacy_budget.models import DpQueryRecord, PrivacyBudget
from bastion.storage.artifacts import ArtifactStore
from bastion.storage.base import utcnow
from bastion.storage.pagination import PageResult, paginate
from bastion.tabular import FORMATS


def _text(value: float) -> str:
    # The ledger refuses floats (their JSON text is where encoders disagree): privacy
    # losses go in as Python's shortest round-trip text, e.g. "0.1".
    return repr(float(value))


@dataclass(frozen=True)
class Spent:
    epsilon: float
    delta: float
    queries: int


def _spent(session: Session, dataset_id: uuid.UUID) -> Spent:
    rows = session.execute(
        select(DpQueryRecord.epsilon, DpQueryRecord.delta).where(
            DpQueryRecord.dataset_id == dataset_id
        )
    ).all()
    return Spent(
        epsilon=math.fsum(r.epsilon for r in rows),
        delta=math.fsum(r.delta for r in rows),
        queries=len(rows),
    )


def _budget(session: Session, dataset_id: uuid.UUID, *, lock: bool) -> PrivacyBudget | None:
    stmt = select(PrivacyBudget).where(PrivacyBudget.dataset_id == dataset_id)
    if lock:
        # FOR UPDATE is rendered on PostgreSQL and ignored by SQLite, whose writers are
        # already serialized; populate_existing re-reads a row the session had cached.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def _read(
    dataset_id: uuid.UUID, budget: PrivacyBudget | None, spent: Spent
) -> schemas.PrivacyBudgetRead:
    return schemas.PrivacyBudgetRead(
        dataset_id=dataset_id,
        is_set=budget is not None,
        epsilon=budget.epsilon if budget else None,
        delta=budget.delta if budget else None,
        epsilon_spent=spent.epsilon,
        delta_spent=spent.delta,
        epsilon_remaining=max(budget.epsilon - spent.epsilon, 0.0) if budget else None,
        delta_remaining=max(budget.delta - spent.delta, 0.0) if budget else None,
        query_count=spent.queries,
        set_by=budget.set_by if budget else None,
        updated_at=budget.updated_at if budget else None,
        ledger_seq=budget.ledger_seq if budget else None,
    )


def get_budget(
    *, session: Session, project_id: uuid.UUID, dataset_id: uuid.UUID
) -> schemas.PrivacyBudgetRead:
    """The dataset's budget, what its queries have spent, and what is left.

    A dataset without a budget answers ``is_set: false`` (and no query may run on it).
    """
    dataset = inventory_service.get_dataset(
        session=session, project_id=project_id, dataset_id=dataset_id
    )
    return _read(dataset.id, _budget(session, dataset.id, lock=False), _spent(session, dataset.id))


def set_budget(
    *,
    session: Session,
    project_id: uuid.UUID,
    dataset_id: uuid.UUID,
    data: schemas.PrivacyBudgetSet,
) -> schemas.PrivacyBudgetRead:
    """Set, raise or lower the dataset's total (ε, δ), and record the change in the ledger.

    Raises
    ------
    BudgetBelowSpent
        If the new ε or δ is below what the dataset's queries have already spent: that
        privacy is lost, and a budget below it would misstate the loss.
    """
    dataset = inventory_service.get_dataset(
        session=session, project_id=project_id, dataset_id=dataset_id
    )
    budget = _budget(session, dataset.id, lock=True)
    spent = _spent(session, dataset.id)
    for name, new, used in (
        ("epsilon", data.epsilon, spent.epsilon),
        ("delta", data.delta, spent.delta),
    ):
        if new < used:
            raise BudgetBelowSpent(
                f"{name}: the dataset's {spent.queries} queries have spent {name}={used:g}; "
                f"a budget of {new:g} would be below it (what is spent cannot be taken back)",
                field=name,
                spent=used,
            )
    previous = (
        None if budget is None else {"epsilon": _text(budget.epsilon), "delta": _text(budget.delta)}
    )
    budget_id = budget.id if budget is not None else uuid.uuid4()
    seq = ledger_service.record(
        session,
        action="privacy_budget.set",
        resource_type="privacy_budget",
        resource_id=budget_id,
        project_id=project_id,
        details={
            "dataset_id": str(dataset.id),
            "epsilon": _text(data.epsilon),
            "delta": _text(data.delta),
            "previous": previous,
            "epsilon_spent": _text(spent.epsilon),
            "delta_spent": _text(spent.delta),
        },
    )
    actor = ledger_service.context_of(session).actor_id
    if budget is None:
        budget = PrivacyBudget(id=budget_id, project_id=project_id, dataset_id=dataset.id)
        session.add(budget)
    budget.epsilon, budget.delta = data.epsilon, data.delta
    budget.set_by, budget.ledger_seq = actor, seq
    budget.updated_at = utcnow()
    session.flush()
    return _read(dataset.id, budget, spent)


def _check_budget(session: Session, dataset_id: uuid.UUID, query: DpQuery, *, lock: bool) -> Spent:
    """What the dataset has spent, if ``query`` fits in what is left; else refuse."""
    budget = _budget(session, dataset_id, lock=lock)
    if budget is None:
        raise NoBudget(
            "privacy_budget: this dataset has no privacy budget; a principal with dp.budget "
            "must set one (PUT …/datasets/{id}/privacy-budget) before any differentially "
            "private query",
            field="privacy_budget",
        )
    spent = _spent(session, dataset_id)
    for name, asked, used, total in (
        ("epsilon", query.epsilon, spent.epsilon, budget.epsilon),
        ("delta", query.delta, spent.delta, budget.delta),
    ):
        if math.fsum((used, asked)) > total:
            remaining = max(total - used, 0.0)
            raise BudgetExceeded(
                f"{name}: the query asks {name}={asked:g} and the dataset's budget has "
                f"{remaining:g} left ({used:g} of {total:g} spent); nothing was run",
                field=name,
                remaining=remaining,
            )
    return spent


def _table_suffix(version: DatasetVersion) -> str:
    """The suffix of the version's uploaded table; refuse a version without one."""
    if version.artifact_size is None or version.content_digest is None:
        raise InvalidInput(
            f"dataset_version_id: dataset version {version.id} has no uploaded data; "
            "upload its table before querying it",
            field="dataset_version_id",
        )
    suffix = Path(version.artifact_filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(
            f"dataset_version_id: the file {version.artifact_filename!r} is not a table this "
            f"server reads ({', '.join(FORMATS)})",
            field="dataset_version_id",
        )
    return suffix


def _fetch(store: ArtifactStore, digest: str, path: Path) -> Path:
    with path.open("wb") as out:
        for chunk in store.open(digest):
            out.write(chunk)
    return path


def run_query(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    data: schemas.DpQueryCreate,
) -> DpQueryRecord:
    """Run a differentially private query on a dataset version's uploaded table, charge
    it to the dataset's budget, and record it (and its ledger entry).

    Raises
    ------
    DpInputError
        If the query is malformed (no bounds, lower ≥ upper, epsilon ≤ 0, …), or the
        column is missing or not numeric for a numeric statistic (422).
    NoBudget, BudgetExceeded
        If the dataset has no budget, or too little left (409); nothing is run or recorded.
    """
    query = data.to_query()
    version = inventory_service.get_dataset_version(
        session=session, project_id=project_id, version_id=version_id
    )
    suffix = _table_suffix(version)
    digest = str(version.content_digest)
    # Refused early, before the data is fetched; checked again under the lock below.
    _check_budget(session, version.dataset_id, query, lock=False)
    with tempfile.TemporaryDirectory(prefix="bastion-dp-") as tmp:
        path = _fetch(store, digest, Path(tmp) / f"data{suffix}")
        spent = _check_budget(session, version.dataset_id, query, lock=True)
        result = query.run(path)
    context = ledger_service.context_of(session)
    record_id = uuid.uuid4()
    seq = ledger_service.record(
        session,
        action="dp.query",
        resource_type="dp_query",
        resource_id=record_id,
        project_id=project_id,
        details={
            "dataset_id": str(version.dataset_id),
            "dataset_version_id": str(version.id),
            "statistic": query.statistic.value,
            "column": query.column,
            "epsilon": _text(query.epsilon),
            "delta": _text(query.delta),
            "noise": query.noise.value,
            "epsilon_spent": _text(math.fsum((spent.epsilon, query.epsilon))),
            "delta_spent": _text(math.fsum((spent.delta, query.delta))),
        },
    )
    record = DpQueryRecord(
        id=record_id,
        project_id=project_id,
        dataset_id=version.dataset_id,
        dataset_version_id=version.id,
        statistic=query.statistic.value,
        column_name=query.column,
        parameters=query.to_dict(),
        epsilon=query.epsilon,
        delta=query.delta,
        result=result.to_dict(),
        input_digest=digest,
        principal_id=context.actor_id,
        credential=context.credential,
        created_at=utcnow(),
        ledger_seq=seq,
    )
    session.add(record)
    session.flush()
    return record


def list_queries(
    *,
    session: Session,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    query: schemas.DpQueryQuery,
) -> PageResult[DpQueryRecord]:
    """The query ledger of the version's dataset (every version's queries, as they share
    one budget), or of the version alone with ``this_version``."""
    version = inventory_service.get_dataset_version(
        session=session, project_id=project_id, version_id=version_id
    )
    stmt = select(DpQueryRecord).where(DpQueryRecord.dataset_id == version.dataset_id)
    if query.this_version:
        stmt = stmt.where(DpQueryRecord.dataset_version_id == version.id)
    if query.statistic is not None:
        stmt = stmt.where(DpQueryRecord.statistic == query.statistic.value)
    return paginate(
        session,
        stmt,
        entity=DpQueryRecord,
        sortable={"created_at": DpQueryRecord.created_at},
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )
