"""Release-gate routes: check a gate, change a model version's stage through its gate,
promotion requests and approvals, and the project's policy bundles."""

import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from starlette.concurrency import run_in_threadpool

from bastion.api.deps import CurrentPrincipal, ProjectAccess, RecordId, RuntimeDep, SessionDep
from bastion.api.problems import problem
from bastion.api.transfer import refuse_declared_excess
from bastion.errors import PayloadTooLarge
from bastion.evidence.models import Evidence
from bastion.evidence.schemas import EvidenceRead
from bastion.gates import schemas
from bastion.gates import service as gates_service
from bastion.gates.models import PromotionRequest
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project
from bastion.policy import MAX_BYTES, Decision, load_bundle

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["release gates"])

Reader = Annotated[Project, ProjectAccess(Permission.INVENTORY_READ)]
Checker = Annotated[Project, ProjectAccess(Permission.ASSESSMENT_RUN)]
Promoter = Annotated[Project, ProjectAccess(Permission.INVENTORY_WRITE)]
Approver = Annotated[Project, ProjectAccess(Permission.PROMOTION_APPROVE)]
PolicyManager = Annotated[Project, ProjectAccess(Permission.POLICY_MANAGE)]


def _decision_read(decision: Decision, evidence: Evidence) -> schemas.GateDecisionRead:
    return schemas.GateDecisionRead(
        gate=decision.gate,
        allow=decision.allow,
        reasons=[r.to_dict() for r in decision.reasons],
        approvals=[a.to_dict() for a in decision.approvals],
        bundle=evidence.result["bundle"],
        evidence=EvidenceRead.model_validate(evidence),
    )


@router.post("/model-versions/{record_id}/gates/{gate}", operation_id="check_gate")
def check_gate(
    session: SessionDep, project: Checker, record_id: RecordId, gate: str, runtime: RuntimeDep
) -> schemas.GateDecisionRead:
    """Evaluate a gate (`register`, `staging`, `production`, `retired`) for the model
    version now, record the decision as evidence, and return it: `allow` and the reasons,
    each naming the requirement and the missing or failing evidence. Changes nothing
    else — this is what `bastion policy check` asks in a pipeline."""
    gates_service.refuse_unknown_gate(gate)
    decision, evidence = gates_service.decide(
        session=session,
        catalog=runtime.catalog,
        project_id=project.id,
        version_id=record_id,
        gate=gate,
    )
    return _decision_read(decision, evidence)


@router.post(
    "/model-versions/{record_id}/stage",
    operation_id="change_stage",
    responses={409: {"description": "The gate denied the move; its decision is recorded."}},
)
def change_stage(
    session: SessionDep,
    project: Promoter,
    record_id: RecordId,
    data: schemas.StageChange,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> Any:
    """Move the model version to another stage through its release gate. Denied: 409
    with the reasons, and the decision recorded as evidence. An organization admin may
    break the glass with a written justification: the move happens, flagged in the
    decision, the ledger (`gate.break_glass`) and a notification."""
    change = gates_service.change_stage(
        session=session,
        catalog=runtime.catalog,
        principal=principal,
        notifier=runtime.notifier,
        project_id=project.id,
        version_id=record_id,
        stage=data.stage,
        break_glass=data.break_glass,
    )
    read = schemas.StageChangeRead(
        changed=change.changed,
        stage=change.version.stage,
        decision=_decision_read(change.decision, change.evidence),
    )
    if change.changed:
        return read
    # Returned, not raised: the decision's evidence is committed with the response.
    return problem(
        status.HTTP_409_CONFLICT,
        "Denied by the release gate",
        change.evidence.summary,
        slug="gate-denied",
        field="stage",
        decision=read.decision.model_dump(mode="json"),
    )


def _request_read(session: SessionDep, request: PromotionRequest) -> schemas.PromotionRequestRead:
    read = schemas.PromotionRequestRead.model_validate(request)
    read.approvals = [
        schemas.ApprovalRead.model_validate(a)
        for a in gates_service.approvals_of(session=session, request_id=request.id)
    ]
    return read


@router.post(
    "/model-versions/{record_id}/promotion-requests",
    status_code=status.HTTP_201_CREATED,
    operation_id="request_promotion",
)
def request_promotion(
    session: SessionDep,
    project: Promoter,
    record_id: RecordId,
    data: schemas.PromotionRequestCreate,
    runtime: RuntimeDep,
) -> schemas.PromotionRequestRead:
    """Ask for approvals to move the model version to a stage; approvers are notified."""
    request = gates_service.create_request(
        session=session,
        notifier=runtime.notifier,
        project_id=project.id,
        version_id=record_id,
        stage=data.stage,
        comment=data.comment,
        valid_days=runtime.settings.promotion_request_days,
    )
    return _request_read(session, request)


@router.get("/promotion-requests", operation_id="list_promotion_requests")
def list_promotion_requests(
    session: SessionDep,
    project: Reader,
    model_version_id: Annotated[uuid.UUID | None, Query()] = None,
) -> list[schemas.PromotionRequestRead]:
    return [
        _request_read(session, r)
        for r in gates_service.list_requests(
            session=session, project_id=project.id, version_id=model_version_id
        )
    ]


@router.get("/promotion-requests/{record_id}", operation_id="get_promotion_request")
def get_promotion_request(
    session: SessionDep, project: Reader, record_id: RecordId
) -> schemas.PromotionRequestRead:
    request = gates_service.get_request(
        session=session, project_id=project.id, request_id=record_id
    )
    return _request_read(session, request)


@router.post(
    "/promotion-requests/{record_id}/approvals",
    status_code=status.HTTP_201_CREATED,
    operation_id="answer_promotion_request",
)
def answer_promotion_request(
    session: SessionDep,
    project: Approver,
    record_id: RecordId,
    data: schemas.ApprovalCreate,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> schemas.ApprovalRead:
    """Approve or reject. Refused: the requester, a principal without a role the policy
    asks for, and a second answer by the same principal. An approval given before the
    model version changed no longer counts."""
    approval = gates_service.answer_request(
        session=session,
        catalog=runtime.catalog,
        principal=principal,
        notifier=runtime.notifier,
        project_id=project.id,
        request_id=record_id,
        decision=data.decision,
        comment=data.comment,
    )
    return schemas.ApprovalRead.model_validate(approval)


@router.post("/promotion-requests/{record_id}/withdraw", operation_id="withdraw_promotion_request")
def withdraw_promotion_request(
    session: SessionDep, project: Promoter, record_id: RecordId
) -> schemas.PromotionRequestRead:
    request = gates_service.withdraw_request(
        session=session, project_id=project.id, request_id=record_id
    )
    return _request_read(session, request)


def _bundle_read(row: Any) -> schemas.PolicyBundleRead:
    return schemas.PolicyBundleRead(
        id=row.id,
        version=row.version,
        name=row.name,
        digest=row.digest,
        files=sorted(row.files),
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
    )


@router.post(
    "/policy-bundles",
    status_code=status.HTTP_201_CREATED,
    operation_id="upload_policy_bundle",
    openapi_extra={
        "requestBody": {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
        }
    },
)
async def upload_policy_bundle(
    request: Request,
    session: SessionDep,
    project: PolicyManager,
    name: Annotated[str, Query(min_length=1, max_length=200)] = "bundle",
) -> schemas.PolicyBundleRead:
    """Upload a zip of `.rego` modules (and an optional `data.json`): compiled first and
    refused with the file, line and message of an error; in force for the project's gates
    from now on, and recorded in the audit ledger."""
    limit = MAX_BYTES * 2  # compressed zip, before the bundle's own limits
    refuse_declared_excess(request, max_size=limit, what="policy bundle")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"policy bundle exceeds {limit} bytes", limit=limit)

    def upload() -> schemas.PolicyBundleRead:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / f"{name}.zip"
            path.write_bytes(bytes(body))
            bundle = load_bundle(path)
        row = gates_service.upload_bundle(session=session, project_id=project.id, bundle=bundle)
        return _bundle_read(row)

    return await run_in_threadpool(upload)


@router.get("/policy-bundles", operation_id="list_policy_bundles")
def list_policy_bundles(session: SessionDep, project: Reader) -> dict[str, Any]:
    """The bundle in force (`builtin` until one is uploaded) and every uploaded version."""
    in_force = gates_service.bundle_in_force(session=session, project_id=project.id)
    rows = gates_service.list_bundles(session=session, project_id=project.id)
    return {
        "in_force": {"version": in_force.label, "digest": in_force.bundle.digest},
        "versions": [_bundle_read(r).model_dump(mode="json") for r in rows],
    }
