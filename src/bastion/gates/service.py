"""Release gates: the policy bundle in force, gate decisions recorded as evidence, stage
changes that pass their gate (or an admin's break-glass), and promotion requests with
their approvals.

A decision is evidence about the model version (``policy.decision``) whatever it says:
a denied promotion records its decision and changes nothing else.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bastion.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence, Verdict
from bastion.evidence.schemas import EvidenceCreate
from bastion.frameworks import Catalog, load_catalog
from bastion.gates import document as evidence_document
from bastion.gates.models import Approval, Decision, PolicyBundle, PromotionRequest, RequestStatus
from bastion.iam.service import Principal
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import ModelStage, SubjectType
from bastion.inventory.models import ModelVersion
from bastion.ledger import service as ledger_service
from bastion.notify import Notifier
from bastion.policy import (
    GATES,
    Bundle,
    CompiledBundle,
    builtin_bundle,
    compile_bundle,
    evaluate,
)
from bastion.policy import Decision as GateDecision
from bastion.storage.base import utcnow

DECISION_KIND = "policy.decision"
BUILTIN = "builtin"
CATALOG_KEY = "bastion.catalog"


def session_info(catalog: Catalog) -> dict[str, Catalog]:
    """What every session carries for the gates (see ``Runtime.start``): the frameworks
    catalog, which the register gate needs inside inventory's transaction."""
    return {CATALOG_KEY: catalog}


def catalog_of(session: Session) -> Catalog:
    catalog = session.info.get(CATALOG_KEY)
    return catalog if isinstance(catalog, Catalog) else load_catalog()


# Bundles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleInForce:
    version: int | None  # None: the built-in bundle
    bundle: Bundle

    @property
    def compiled(self) -> CompiledBundle:
        # Stored bundles passed the isolated trial compile at upload (bastion.policy
        # compiles each digest once per process).
        return compile_bundle(self.bundle, isolate=False)

    @property
    def label(self) -> str:
        return BUILTIN if self.version is None else f"v{self.version}"


def bundle_in_force(*, session: Session, project_id: uuid.UUID) -> BundleInForce:
    """The project's newest uploaded bundle, or the built-in one."""
    row = session.scalar(
        select(PolicyBundle)
        .where(PolicyBundle.project_id == project_id)
        .order_by(PolicyBundle.version.desc())
        .limit(1)
    )
    if row is None:
        return BundleInForce(version=None, bundle=builtin_bundle())
    return BundleInForce(version=row.version, bundle=Bundle.from_files(row.name, row.files))


def upload_bundle(*, session: Session, project_id: uuid.UUID, bundle: Bundle) -> PolicyBundle:
    """Compile the bundle (refused with the file, line and message of an error) and make
    it the project's bundle in force."""
    compile_bundle(bundle)
    latest = session.scalar(
        select(func.max(PolicyBundle.version)).where(PolicyBundle.project_id == project_id)
    )
    row = PolicyBundle(
        project_id=project_id,
        version=(latest or 0) + 1,
        name=bundle.name,
        digest=bundle.digest,
        files=dict(bundle.files),
        uploaded_by=ledger_service.context_of(session).actor_id,
    )
    session.add(row)
    session.flush()
    ledger_service.record(
        session,
        action="policy.bundle.upload",
        resource_type="policy_bundle",
        resource_id=row.id,
        project_id=project_id,
        details={"version": row.version, "digest": row.digest, "files": sorted(bundle.files)},
    )
    return row


def list_bundles(*, session: Session, project_id: uuid.UUID) -> list[PolicyBundle]:
    return list(
        session.scalars(
            select(PolicyBundle)
            .where(PolicyBundle.project_id == project_id)
            .order_by(PolicyBundle.version.desc())
        )
    )


# Decisions -------------------------------------------------------------------------------


def _summary(gate: str, decision: GateDecision, break_glass: bool) -> str:
    if break_glass:
        return f"{gate} gate: denied, overridden by break-glass ({len(decision.reasons)} reasons)"
    if decision.allow:
        return f"{gate} gate: allowed"
    first = decision.reasons[0].message if decision.reasons else "no reason given"
    more = f" (and {len(decision.reasons) - 1} more)" if len(decision.reasons) > 1 else ""
    return f"{gate} gate: denied: {first}{more}"[:480]


def decide(
    *,
    session: Session,
    catalog: Catalog,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    gate: str,
    break_glass: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[GateDecision, Evidence]:
    """Evaluate the gate on the model version's evidence document and record the decision."""
    now = now or utcnow()
    document = evidence_document.assemble(
        session=session,
        catalog=catalog,
        project_id=project_id,
        version_id=version_id,
        gate=gate,
        now=now,
    )
    in_force = bundle_in_force(session=session, project_id=project_id)
    decision = evaluate(in_force.compiled, gate, document)
    if decision.allow:
        break_glass = None  # nothing was overridden: no flag in reports
    result = decision.to_dict() | {
        "schema_version": 1,
        "bundle": {"version": in_force.label, "digest": in_force.bundle.digest},
        "break_glass": break_glass,
    }
    verdict = Verdict.PASS if decision.allow else Verdict.WARN if break_glass else Verdict.FAIL
    evidence = evidence_service.record_evidence(
        session=session,
        project_id=project_id,
        data=EvidenceCreate(
            kind=DECISION_KIND,
            subject_type=SubjectType.MODEL_VERSION,
            subject_id=version_id,
            verdict=verdict,
            summary=_summary(gate, decision, break_glass is not None),
            result=result,
            inputs=[
                {"role": "policy_bundle", "sha256": in_force.bundle.digest},
                {"role": "evidence_document", "sha256": decision.input_digest},
            ],
        ),
    )
    return decision, evidence


@dataclass(frozen=True)
class StageChange:
    version: ModelVersion
    decision: GateDecision
    evidence: Evidence
    changed: bool


def change_stage(
    *,
    session: Session,
    catalog: Catalog,
    principal: Principal,
    notifier: Notifier,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    stage: ModelStage,
    break_glass: str | None = None,
) -> StageChange:
    """Move a model version to ``stage`` if its gate allows — or if an organization admin
    breaks the glass with a written justification. A denied move changes nothing but the
    record of its decision."""
    version = inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=version_id
    )
    inventory_service.check_transition(version.stage, stage)
    if version.stage == stage:
        raise Conflict(f"the model version is already in {stage.value}", field="stage")
    glass = None
    if break_glass is not None:
        if not principal.is_admin:
            raise PermissionDenied("only an organization admin may break the glass")
        glass = {"principal": str(principal.id), "justification": break_glass}
    decision, evidence = decide(
        session=session,
        catalog=catalog,
        project_id=project_id,
        version_id=version_id,
        gate=stage.value,
        break_glass=glass,
    )
    if not decision.allow and glass is None:
        return StageChange(version=version, decision=decision, evidence=evidence, changed=False)
    if not decision.allow:
        # Loud on purpose: its own ledger action, so that reports and SIEM rules find it.
        ledger_service.record(
            session,
            action="gate.break_glass",
            resource_type="model_version",
            resource_id=version.id,
            project_id=project_id,
            details={"gate": stage.value, "decision_evidence": str(evidence.id)},
        )
        notifier.notify(
            "gate.break_glass",
            {
                "project_id": str(project_id),
                "model_version_id": str(version.id),
                "gate": stage.value,
            },
        )
    inventory_service.set_stage(session=session, version=version, stage=stage)
    request = evidence_document.open_request(session, version.id, stage.value, utcnow())
    if request is not None:
        request.status = RequestStatus.COMPLETED
        request.closed_at = utcnow()
    return StageChange(version=version, decision=decision, evidence=evidence, changed=True)


def _register_gate(session: Session, version: ModelVersion) -> None:
    """Registering a model version passes the ``register`` gate: its decision is recorded
    about the new version, and a denial refuses the registration (nothing is created; the
    ledger keeps the refusal)."""
    decision, _ = decide(
        session=session,
        catalog=catalog_of(session),
        project_id=version.project_id,
        version_id=version.id,
        gate="register",
    )
    if not decision.allow:
        reasons = "; ".join(r.message for r in decision.reasons) or "no reason given"
        ledger_service.record_on_failure(
            session,
            action="gate.deny",
            resource_type="model_version",
            resource_id=version.id,
            project_id=version.project_id,
            details={"gate": "register", "bundle_digest": decision.bundle_digest},
        )
        raise Conflict(f"the register gate denied the model version: {reasons}", field="version")


inventory_service.on_version_created.append(_register_gate)


# Promotion requests and approvals ---------------------------------------------------------


def create_request(
    *,
    session: Session,
    notifier: Notifier,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    stage: ModelStage,
    comment: str,
    valid_days: int,
) -> PromotionRequest:
    version = inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=version_id
    )
    inventory_service.check_transition(version.stage, stage)
    now = utcnow()
    if evidence_document.open_request(session, version.id, stage.value, now) is not None:
        raise Conflict(
            f"an open request to move this version to {stage.value} exists", field="stage"
        )
    request = PromotionRequest(
        project_id=project_id,
        model_version_id=version.id,
        stage=stage,
        requester_id=ledger_service.context_of(session).actor_id,
        comment=comment,
        model_digest=evidence_document.model_digest(version),
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    session.add(request)
    session.flush()
    ledger_service.record(
        session,
        action="promotion.request",
        resource_type="promotion_request",
        resource_id=request.id,
        project_id=project_id,
        details={"model_version_id": str(version.id), "stage": stage.value},
    )
    notifier.notify(
        "promotion.requested",
        {
            "project_id": str(project_id),
            "request_id": str(request.id),
            "model_version_id": str(version.id),
            "stage": stage.value,
        },
    )
    return request


def get_request(
    *, session: Session, project_id: uuid.UUID, request_id: uuid.UUID
) -> PromotionRequest:
    request = session.get(PromotionRequest, request_id)
    if request is None or request.project_id != project_id:
        raise NotFound(f"no promotion request with id {request_id} in this project")
    return request


def list_requests(
    *, session: Session, project_id: uuid.UUID, version_id: uuid.UUID | None = None
) -> list[PromotionRequest]:
    stmt = select(PromotionRequest).where(PromotionRequest.project_id == project_id)
    if version_id is not None:
        stmt = stmt.where(PromotionRequest.model_version_id == version_id)
    return list(session.scalars(stmt.order_by(PromotionRequest.created_at.desc())))


def approvals_of(*, session: Session, request_id: uuid.UUID) -> list[Approval]:
    return list(
        session.scalars(
            select(Approval).where(Approval.request_id == request_id).order_by(Approval.created_at)
        )
    )


def _required_roles(session: Session, catalog: Catalog, request: PromotionRequest) -> set[str]:
    """The roles whose approval the policy asks for, read from the gate's own answer."""
    document = evidence_document.assemble(
        session=session,
        catalog=catalog,
        project_id=request.project_id,
        version_id=request.model_version_id,
        gate=request.stage.value,
        now=utcnow(),
    )
    in_force = bundle_in_force(session=session, project_id=request.project_id)
    decision = evaluate(in_force.compiled, request.stage.value, document)
    return {a.role for a in decision.approvals}


def answer_request(
    *,
    session: Session,
    catalog: Catalog,
    principal: Principal,
    notifier: Notifier,
    project_id: uuid.UUID,
    request_id: uuid.UUID,
    decision: Decision,
    comment: str,
) -> Approval:
    """Approve or reject a request, with separation of duties: never the requester, once
    per principal, only with a role the policy asks for."""
    request = get_request(session=session, project_id=project_id, request_id=request_id)
    now = utcnow()
    if request.status != RequestStatus.OPEN or request.expires_at <= now:
        state = "expired" if request.status == RequestStatus.OPEN else request.status.value
        raise Conflict(f"the request is {state}; it can no longer be answered")
    if request.requester_id == str(principal.id):
        raise PermissionDenied("the requester cannot approve or reject their own request")
    roles = sorted(role.value for role in principal.roles_in(project_id))
    required = _required_roles(session, catalog, request)
    if decision == Decision.APPROVE and not required & set(roles):
        wanted = ", ".join(sorted(required)) or "none: this promotion needs no approval"
        raise PermissionDenied(f"approving needs one of these roles in the project: {wanted}")
    if session.scalar(
        select(Approval.id).where(
            Approval.request_id == request.id, Approval.principal_id == str(principal.id)
        )
    ):
        raise Conflict("you have already answered this request; one principal counts once")
    version = inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=request.model_version_id
    )
    seq = ledger_service.record(
        session,
        action=f"promotion.{decision.value}",
        resource_type="promotion_request",
        resource_id=request.id,
        project_id=project_id,
        details={"model_version_id": str(version.id), "stage": request.stage.value},
    )
    approval = Approval(
        project_id=project_id,
        request_id=request.id,
        principal_id=str(principal.id),
        roles=roles,
        decision=decision,
        comment=comment,
        model_digest=evidence_document.model_digest(version),
        created_at=now,
        ledger_seq=seq,
    )
    session.add(approval)
    if decision == Decision.REJECT:
        request.status = RequestStatus.REJECTED
        request.closed_at = now
    session.flush()
    notifier.notify(
        f"promotion.{decision.value}d",
        {
            "project_id": str(project_id),
            "request_id": str(request.id),
            "stage": request.stage.value,
        },
    )
    return approval


def withdraw_request(
    *, session: Session, project_id: uuid.UUID, request_id: uuid.UUID
) -> PromotionRequest:
    """Close an open request unanswered (who did it is in the ledger): withdrawing grants
    nothing, so anyone who may request a promotion may withdraw one."""
    request = get_request(session=session, project_id=project_id, request_id=request_id)
    if request.status != RequestStatus.OPEN:
        raise Conflict(f"the request is {request.status.value}", field="status")
    request.status = RequestStatus.WITHDRAWN
    request.closed_at = utcnow()
    ledger_service.record(
        session,
        action="promotion.withdraw",
        resource_type="promotion_request",
        resource_id=request.id,
        project_id=project_id,
        details={},
    )
    return request


def refuse_unknown_gate(gate: str) -> None:
    if gate not in GATES:
        raise InvalidInput(f"no gate {gate!r}; gates are {', '.join(GATES)}", field="gate")
