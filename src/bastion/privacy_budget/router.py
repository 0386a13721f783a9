"""Privacy budget routes: a dataset's budget, and the differentially private queries run
on its versions."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from bastion.api.deps import ProjectAccess, RecordId, SessionDep, StoreDep
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project
from bastion.privacy_budget import schemas
from bastion.privacy_budget import service as budget_service
from bastion.schemas import Page

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["differential privacy"])

Reader = Annotated[Project, ProjectAccess(Permission.INVENTORY_READ)]
BudgetSetter = Annotated[Project, ProjectAccess(Permission.DP_BUDGET)]
Querier = Annotated[Project, ProjectAccess(Permission.DP_QUERY)]


@router.get("/datasets/{record_id}/privacy-budget", operation_id="get_privacy_budget")
def get_privacy_budget(
    session: SessionDep, project: Reader, record_id: RecordId
) -> schemas.PrivacyBudgetRead:
    """The dataset's privacy budget, what its queries have spent and what is left
    (`is_set: false` until a budget is set)."""
    return budget_service.get_budget(session=session, project_id=project.id, dataset_id=record_id)


@router.put("/datasets/{record_id}/privacy-budget", operation_id="set_privacy_budget")
def set_privacy_budget(
    session: SessionDep, project: BudgetSetter, record_id: RecordId, data: schemas.PrivacyBudgetSet
) -> schemas.PrivacyBudgetRead:
    """Set or change the dataset's total (ε, δ); never below what its queries have spent
    (409)."""
    return budget_service.set_budget(
        session=session, project_id=project.id, dataset_id=record_id, data=data
    )


@router.post(
    "/dataset-versions/{record_id}/dp-queries",
    status_code=status.HTTP_201_CREATED,
    operation_id="run_dp_query",
)
def run_dp_query(
    session: SessionDep,
    project: Querier,
    record_id: RecordId,
    data: schemas.DpQueryCreate,
    store: StoreDep,
) -> schemas.DpQueryRead:
    """Run a differentially private statistic on the version's uploaded table and charge
    its ε (and δ) to the dataset's budget.

    Refused with 409, before the data is read and with nothing recorded, when the dataset
    has no budget or too little left."""
    record = budget_service.run_query(
        session=session, store=store, project_id=project.id, version_id=record_id, data=data
    )
    return schemas.DpQueryRead.from_model(record)


@router.get("/dataset-versions/{record_id}/dp-queries", operation_id="list_dp_queries")
def list_dp_queries(
    session: SessionDep,
    project: Reader,
    record_id: RecordId,
    query: Annotated[schemas.DpQueryQuery, Query()],
) -> Page[schemas.DpQueryRead]:
    """The query ledger of the version's dataset: who ran which query, at what cost, with
    what result."""
    page = budget_service.list_queries(
        session=session, project_id=project.id, version_id=record_id, query=query
    )
    return Page(
        items=[schemas.DpQueryRead.from_model(r) for r in page.items],
        next_cursor=page.next_cursor,
    )
