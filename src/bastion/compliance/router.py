"""Compliance routes: the framework catalogs and questionnaires (read by every principal),
and per project the EU AI Act classification of systems, their questionnaires, control
implementations and compliance status."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from bastion import classification, questionnaires
from bastion.api.deps import CurrentPrincipal, ProjectAccess, RecordId, RuntimeDep, SessionDep
from bastion.compliance import schemas
from bastion.compliance import service as compliance_service
from bastion.compliance.models import ControlImplementation
from bastion.errors import NotFound
from bastion.evidence.schemas import EvidenceRead
from bastion.frameworks import Catalog, rollup
from bastion.iam.permissions import Permission
from bastion.inventory import service as inventory_service
from bastion.inventory.models import Project

catalogs = APIRouter(prefix="/api/v1", tags=["compliance"])
router = APIRouter(prefix="/api/v1/projects/{project}", tags=["compliance"])

Reader = Annotated[Project, ProjectAccess(Permission.INVENTORY_READ)]
Writer = Annotated[Project, ProjectAccess(Permission.COMPLIANCE_WRITE)]
FrameworkId = Annotated[str, Path(max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
QuestionnaireId = Annotated[str, Path(max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]


def _catalog(runtime: RuntimeDep) -> Catalog:
    return runtime.catalog


CatalogDep = Annotated[Catalog, Depends(_catalog)]


# Catalogs: the same for everyone, so any signed-in principal reads them -----------------


@catalogs.get("/frameworks", operation_id="list_frameworks")
def list_frameworks(
    catalog: CatalogDep, _principal: CurrentPrincipal
) -> list[schemas.FrameworkSummary]:
    """The frameworks loaded: built-in catalogs and the organization's own."""
    return [
        schemas.FrameworkSummary(
            id=f.id,
            name=f.name,
            title=f.title,
            version=f.version,
            publisher=f.publisher,
            kind=f.kind,
            url=f.url,
            requirements=len(f.requirements),
        )
        for f in catalog.frameworks.values()
    ]


@catalogs.get("/frameworks/{framework_id}", operation_id="get_framework")
def get_framework(
    catalog: CatalogDep, _principal: CurrentPrincipal, framework_id: FrameworkId
) -> dict[str, Any]:
    """A framework with its requirements: when each applies and which evidence satisfies
    it, and the requirements of other frameworks it is linked to."""
    framework = catalog.framework(framework_id)
    document = framework.model_dump(mode="json")
    for requirement in document["requirements"]:
        key = f"{framework.id}:{requirement['id']}"
        requirement["equivalents"] = sorted(catalog.equivalents(key))
        requirement["related"] = sorted(catalog.related(key))
    return document


@catalogs.get("/questionnaires", operation_id="list_questionnaires")
def list_questionnaires(_principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """The questionnaires the law asks for (DPIA, record of processing, FRIA, Art. 22)."""
    return [
        {
            "id": q.id,
            "title": q.title,
            "basis": q.basis,
            "version": q.version,
            "evidence_kind": q.evidence_kind,
        }
        for q in map(questionnaires.builtin, sorted(questionnaires.BUILTIN_IDS))
    ]


@catalogs.get("/questionnaires/{questionnaire_id}", operation_id="get_questionnaire")
def get_questionnaire(
    _principal: CurrentPrincipal, questionnaire_id: QuestionnaireId
) -> dict[str, Any]:
    """A questionnaire's questions: types, options, help and when each is asked."""
    if questionnaire_id not in questionnaires.BUILTIN_IDS:
        raise NotFound(f"no questionnaire {questionnaire_id!r}")
    return questionnaires.builtin(questionnaire_id).model_dump(mode="json")


@catalogs.get("/classification/eu-ai-act", operation_id="get_classification_tree")
def get_classification_tree(_principal: CurrentPrincipal) -> dict[str, Any]:
    """The EU AI Act decision tree: its questions, and the rules that turn the answers into
    a tier and facts."""
    return classification.tree().model_dump(mode="json")


# Per system ------------------------------------------------------------------------------


def _classification_read(
    session: SessionDep, project: Project, record_id: Any
) -> schemas.ClassificationRead:
    system = inventory_service.get_system(
        session=session, project_id=project.id, system_id=record_id
    )
    state = compliance_service.classification_state(
        session=session, project_id=project.id, system=system
    )
    evidence = state.evidence
    return schemas.ClassificationRead(
        system_id=system.id,
        risk_tier=system.risk_tier.value,
        role=system.actor_role.value,
        stale=state.stale,
        status=state.reason,
        obligations=evidence.result.get("obligations", []) if evidence else [],
        evidence=EvidenceRead.model_validate(evidence) if evidence else None,
    )


@router.post(
    "/systems/{record_id}/classification",
    status_code=status.HTTP_201_CREATED,
    operation_id="classify_system",
)
def classify_system(
    session: SessionDep,
    project: Writer,
    record_id: RecordId,
    data: schemas.Answers,
    catalog: CatalogDep,
) -> schemas.ClassificationRead:
    """Classify the system under the EU AI Act from answers to the decision tree: records
    the classification as evidence and sets the system's risk tier and role. An answer that
    does not belong to its question is refused (422) naming the question."""
    compliance_service.classify_system(
        session=session,
        catalog=catalog,
        project_id=project.id,
        system_id=record_id,
        answers=data.answers,
    )
    return _classification_read(session, project, record_id)


@router.get("/systems/{record_id}/classification", operation_id="get_classification")
def get_classification(
    session: SessionDep, project: Reader, record_id: RecordId
) -> schemas.ClassificationRead:
    """The system's current classification, and whether its purpose changed since."""
    return _classification_read(session, project, record_id)


@router.post(
    "/systems/{record_id}/questionnaires/{questionnaire_id}",
    status_code=status.HTTP_201_CREATED,
    operation_id="record_questionnaire",
)
def record_questionnaire(
    session: SessionDep,
    project: Writer,
    record_id: RecordId,
    questionnaire_id: QuestionnaireId,
    data: schemas.Answers,
) -> EvidenceRead:
    """Record a completed questionnaire about the system as evidence."""
    evidence = compliance_service.record_questionnaire(
        session=session,
        project_id=project.id,
        system_id=record_id,
        questionnaire_id=questionnaire_id,
        answers=data.answers,
    )
    return EvidenceRead.model_validate(evidence)


def _implementation_read(row: ControlImplementation) -> schemas.ImplementationRead:
    return schemas.ImplementationRead.model_validate(row)


@router.put(
    "/systems/{record_id}/controls/{requirement}", operation_id="set_control_implementation"
)
def set_control_implementation(
    session: SessionDep,
    project: Writer,
    record_id: RecordId,
    requirement: Annotated[schemas.RequirementKey, Path(description="e.g. `eu_ai_act:art9`.")],
    data: schemas.ImplementationSet,
    catalog: CatalogDep,
) -> schemas.ImplementationRead:
    """Who owns a requirement for this system and by when, or why it does not apply."""
    row = compliance_service.set_implementation(
        session=session,
        catalog=catalog,
        project_id=project.id,
        system_id=record_id,
        requirement=requirement,
        data=data,
    )
    return _implementation_read(row)


@router.get("/systems/{record_id}/controls", operation_id="list_control_implementations")
def list_control_implementations(
    session: SessionDep, project: Reader, record_id: RecordId
) -> list[schemas.ImplementationRead]:
    system = inventory_service.get_system(
        session=session, project_id=project.id, system_id=record_id
    )
    rows = compliance_service.implementations(session=session, system_id=system.id)
    return [_implementation_read(rows[key]) for key in sorted(rows)]


@router.get("/systems/{record_id}/compliance", operation_id="get_system_compliance")
def get_system_compliance(
    session: SessionDep,
    project: Reader,
    record_id: RecordId,
    catalog: CatalogDep,
    framework: Annotated[str | None, Query(max_length=100)] = None,
) -> schemas.ComplianceRead:
    """Requirement by requirement: applicable or not (and why), satisfied by current
    evidence, expired, failing or missing, with the owner and due date of each."""
    result = compliance_service.system_status(
        session=session,
        catalog=catalog,
        project_id=project.id,
        system_id=record_id,
        framework=framework,
    )
    return compliance_service.as_read(result)


def _systems(results: list[compliance_service.SystemCompliance]) -> list[dict[str, Any]]:
    return [
        {
            "system_id": str(result.system.id),
            "name": result.system.name,
            "risk_tier": result.system.risk_tier.value,
            "classification": result.classification.reason,
            "frameworks": {
                f.framework_id: {
                    "counts": {status.value: n for status, n in f.counts.items()},
                    "score": f.score,
                    "overdue": f.overdue,
                }
                for f in result.frameworks
            },
        }
        for result in results
    ]


@router.get("/compliance", operation_id="get_project_compliance")
def get_project_compliance(
    session: SessionDep, project: Reader, catalog: CatalogDep
) -> schemas.RollupRead:
    """Every AI system of the project, its tier and its counts per framework and status."""
    results = compliance_service.project_rollup(
        session=session, catalog=catalog, project_id=project.id
    )
    totals = rollup(f for result in results for f in result.frameworks)
    return schemas.RollupRead(systems=_systems(results), totals=totals)


@catalogs.get("/compliance", operation_id="get_organization_compliance")
def get_organization_compliance(
    session: SessionDep, principal: CurrentPrincipal, catalog: CatalogDep
) -> schemas.OrganizationRollupRead:
    """The organization-wide roll-up: every project the caller may read (admins: all),
    its systems' counts per framework and status, and the totals over all of them."""
    readable = None
    if not principal.is_admin:
        readable = [
            project_id
            for project_id in principal.project_roles
            if principal.can(Permission.INVENTORY_READ, project_id)
        ]
    projects = compliance_service.organization_rollup(
        session=session, catalog=catalog, project_ids=readable
    )
    every = [f for _, results in projects for result in results for f in result.frameworks]
    return schemas.OrganizationRollupRead(
        projects=[
            {
                "project_id": str(project.id),
                "slug": project.slug,
                "name": project.name,
                "systems": _systems(results),
                "totals": rollup(f for result in results for f in result.frameworks),
            }
            for project, results in projects
        ],
        totals=rollup(every),
    )
