"""Remote inventory commands: projects, systems, models, versions, datasets, deployments,
documents and lineage, each a thin call into the SDK."""

from pathlib import Path
from typing import Annotated

import typer

from bastion.cli import output
from bastion.cli.register import register_dataset_file, register_model_file
from bastion.cli.remote import (
    CursorOption,
    JsonOption,
    Kind,
    LimitOption,
    ProjectOption,
    QueryOption,
    TagOption,
    add_list,
    add_show,
    connect,
    created,
    show_page,
)
from bastion.inventory.enums import (
    ActorRole,
    DataClassification,
    DeploymentStatus,
    LifecycleStage,
    ModelStage,
    SubjectType,
    TaskType,
)
from bastion.sdk.errors import GateDeniedError

projects = typer.Typer(help="Projects: the unit of access and reporting.", no_args_is_help=True)
systems = typer.Typer(help="AI systems: what the organization runs.", no_args_is_help=True)
models = typer.Typer(help="Models, and registering a model file.", no_args_is_help=True)
versions = typer.Typer(help="Model versions: list, show, promote.", no_args_is_help=True)
datasets = typer.Typer(help="Datasets, and registering a data file.", no_args_is_help=True)
deployments = typer.Typer(help="Where model versions serve.", no_args_is_help=True)
documents = typer.Typer(help="Files attached to records.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="Name.", show_default=False)]
TagsOption = Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")]
DescriptionOption = Annotated[str, typer.Option(help="Free text.")]
OwnerOption = Annotated[str, typer.Option(help="Owner (a person or team).")]
FileArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, show_default=False)
]

# Projects ------------------------------------------------------------------------------


@projects.command("create")
def create_project(
    ctx: typer.Context,
    name: NameArgument,
    slug: Annotated[str | None, typer.Option(help="URL name; derived from the name.")] = None,
    description: DescriptionOption = "",
    tag: TagsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a project (admin keys only).

    Example:

        bastion projects create "Credit scoring" --tag finance
    """
    with connect(ctx) as bastion:
        project = bastion.create_project(
            name=name, slug=slug, description=description, tags=tag or []
        )
    created(project, f"created project {project.slug} (id {project.id})", as_json=as_json)


@projects.command("list")
def list_projects(
    ctx: typer.Context,
    q: QueryOption = None,
    tag: TagOption = None,
    limit: LimitOption = 50,
    cursor: CursorOption = None,
    as_json: JsonOption = False,
) -> None:
    """List projects.

    Example:

        bastion projects list --q credit --json
    """
    with connect(ctx) as bastion:
        page = bastion.list_projects(limit=limit, cursor=cursor, q=q, tag=tag or [])
    show_page(page, title="Projects", columns=("slug", "name", "id", "tags"), as_json=as_json)


@projects.command("show")
def show_project(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project slug or id.", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Show a project.

    Example:

        bastion projects show credit-scoring
    """
    with connect(ctx) as bastion:
        record = bastion.get_project(project)
    if as_json:
        output.print_json(record)
    else:
        output.print_record("Project", record)


# Project records: the list and show commands come from one declaration per kind ---------

SYSTEMS = Kind(
    "AI systems",
    ("id", "name", "lifecycle_stage", "actor_role", "risk_tier", "owner"),
    lambda c: c.list_systems,
    lambda c: c.get_system,
)
MODELS = Kind(
    "models",
    ("id", "name", "system_id", "owner"),
    lambda c: c.list_models,
    lambda c: c.get_model,
    parent="system",
)
MODEL_VERSIONS = Kind(
    "model versions",
    ("id", "model_id", "version", "stage", "task_type", "artifact_size"),
    lambda c: c.list_model_versions,
    lambda c: c.get_model_version,
    parent="model",
)
DATASETS = Kind(
    "datasets",
    ("id", "name", "classification", "owner"),
    lambda c: c.list_datasets,
    lambda c: c.get_dataset,
)
DATASET_VERSIONS = Kind(
    "dataset versions",
    ("id", "dataset_id", "version", "row_count", "artifact_size"),
    lambda c: c.list_dataset_versions,
    lambda c: c.get_dataset_version,
    parent="dataset",
)
DEPLOYMENTS = Kind(
    "deployments",
    ("id", "name", "model_version_id", "environment", "status"),
    lambda c: c.list_deployments,
    lambda c: c.get_deployment,
)
DOCUMENTS = Kind(
    "documents",
    ("id", "title", "kind", "subject_type", "subject_id", "filename", "size"),
    lambda c: c.list_documents,
    lambda c: c.get_document,
)

for _app, _kind, _noun in (
    (systems, SYSTEMS, "systems"),
    (models, MODELS, "models"),
    (versions, MODEL_VERSIONS, "versions"),
    (datasets, DATASETS, "datasets"),
    (deployments, DEPLOYMENTS, "deployments"),
    (documents, DOCUMENTS, "documents"),
):
    add_list(_app, _kind, name="list", example=f"bastion {_noun} list --project credit-scoring")
    if _app is not documents:
        add_show(_app, _kind, example=f"bastion {_noun} show ID --project credit-scoring")
add_list(
    datasets,
    DATASET_VERSIONS,
    name="versions",
    example="bastion datasets versions --project credit-scoring --dataset ID",
)


# Creating records ----------------------------------------------------------------------


@systems.command("create")
def create_system(
    ctx: typer.Context,
    name: NameArgument,
    project: ProjectOption,
    purpose: Annotated[str, typer.Option(help="What the system is for.")] = "",
    intended_use: Annotated[str, typer.Option(help="Intended use and users.")] = "",
    owner: OwnerOption = "",
    business_unit: Annotated[str, typer.Option(help="Business unit.")] = "",
    deployment_context: Annotated[str, typer.Option(help="Where and how it runs.")] = "",
    affected_group: Annotated[
        list[str] | None, typer.Option(help="A group of people affected (repeatable).")
    ] = None,
    lifecycle_stage: Annotated[LifecycleStage, typer.Option()] = LifecycleStage.IDEA,
    role: Annotated[
        ActorRole, typer.Option(help="The organization's role (EU AI Act).")
    ] = ActorRole.DEPLOYER,
    tag: TagsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an AI system.

    Example:

        bastion systems create "Loan approval" -p credit --affected-group applicants
    """
    with connect(ctx) as bastion:
        system = bastion.create_system(
            project,
            name=name,
            purpose=purpose,
            intended_use=intended_use,
            owner=owner,
            business_unit=business_unit,
            deployment_context=deployment_context,
            affected_groups=affected_group or [],
            lifecycle_stage=lifecycle_stage,
            actor_role=role,
            tags=tag or [],
        )
    created(system, f"created AI system {system.name!r} (id {system.id})", as_json=as_json)


@models.command("create")
def create_model(
    ctx: typer.Context,
    name: NameArgument,
    project: ProjectOption,
    system: Annotated[str | None, typer.Option(help="AI system id it belongs to.")] = None,
    description: DescriptionOption = "",
    owner: OwnerOption = "",
    tag: TagsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a model (versions are added with `bastion models register`).

    Example:

        bastion models create scorer -p credit-scoring --system SYSTEM_ID
    """
    with connect(ctx) as bastion:
        model = bastion.create_model(
            project,
            name=name,
            system_id=system,
            description=description,
            owner=owner,
            tags=tag or [],
        )
    created(model, f"created model {model.name!r} (id {model.id})", as_json=as_json)


@datasets.command("create")
def create_dataset(
    ctx: typer.Context,
    name: NameArgument,
    project: ProjectOption,
    description: DescriptionOption = "",
    source: Annotated[str, typer.Option(help="Where the data comes from.")] = "",
    owner: OwnerOption = "",
    classification: Annotated[DataClassification, typer.Option()] = DataClassification.INTERNAL,
    tag: TagsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a dataset (versions are added with `bastion datasets register`).

    Example:

        bastion datasets create adult -p credit-scoring --classification confidential
    """
    with connect(ctx) as bastion:
        dataset = bastion.create_dataset(
            project,
            name=name,
            description=description,
            source=source,
            owner=owner,
            classification=classification,
            tags=tag or [],
        )
    created(dataset, f"created dataset {dataset.name!r} (id {dataset.id})", as_json=as_json)


@deployments.command("create")
def create_deployment(
    ctx: typer.Context,
    name: NameArgument,
    project: ProjectOption,
    model_version: Annotated[
        str, typer.Option(help="The model version deployed (id).", show_default=False)
    ],
    environment: Annotated[str, typer.Option(help="e.g. production, staging.")] = "",
    endpoint_url: Annotated[str, typer.Option(help="Where it answers.")] = "",
    status: Annotated[DeploymentStatus, typer.Option()] = DeploymentStatus.ACTIVE,
    tag: TagsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a deployment of a model version.

    Example:

        bastion deployments create scorer-prod -p credit --model-version ID
    """
    with connect(ctx) as bastion:
        deployment = bastion.create_deployment(
            project,
            name=name,
            model_version_id=model_version,
            environment=environment,
            endpoint_url=endpoint_url,
            status=status,
            tags=tag or [],
        )
    created(
        deployment, f"created deployment {deployment.name!r} (id {deployment.id})", as_json=as_json
    )


@versions.command("promote")
def promote(
    ctx: typer.Context,
    version_id: Annotated[str, typer.Argument(metavar="ID", help="Model version id.")],
    stage: Annotated[ModelStage, typer.Argument(help="The new stage.")],
    project: ProjectOption,
    break_glass: Annotated[
        str | None,
        typer.Option(
            "--break-glass",
            help="Organization admins only: promote although the gate denies, with this "
            "written justification (flagged in reports and the audit ledger).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Move a model version to another stage through its release gate. Exit 1 with the
    gate's reasons when it denies.

    Example:

        bastion versions promote ID production -p credit-scoring
    """
    with connect(ctx) as bastion:
        try:
            change = bastion.change_stage(project, version_id, stage.value, break_glass=break_glass)
        except GateDeniedError as denied:
            for reason in denied.decision.get("reasons", []):
                typer.echo(f"DENIED: {reason['message']}", err=True)
            raise output.CliError(f"the {stage.value} gate denied the promotion") from None
    if as_json:
        output.print_json(change)
        return
    flagged = " (break-glass)" if change.decision.evidence.result.get("break_glass") else ""
    output.done(f"model version is now in {change.stage.value}{flagged}")


# Files ---------------------------------------------------------------------------------

RepeatableIds = Annotated[list[str] | None, typer.Option(help="A dataset version id (repeatable).")]


@models.command("register")
def register_model(
    ctx: typer.Context,
    file: FileArgument,
    project: ProjectOption,
    model: Annotated[str, typer.Option(help="Model name; created if new.", show_default=False)],
    version: Annotated[str, typer.Option(help="Version label.", show_default=False)],
    framework: Annotated[str, typer.Option(help="e.g. scikit-learn, onnx.")] = "",
    task_type: Annotated[TaskType, typer.Option()] = TaskType.OTHER,
    training_data: RepeatableIds = None,
    evaluation_data: RepeatableIds = None,
    system: Annotated[str | None, typer.Option(help="AI system id, for a new model.")] = None,
) -> None:
    """Register a model file as a new model version and upload it.

    The file's SHA-256 is declared first, so the server verifies the upload. Running the
    same command again after an interrupted upload resumes it.

    Example:

        bastion models register model.skops -p credit --model scorer --version 1.0.0
    """
    links = [{"dataset_version_id": d, "role": "training"} for d in training_data or []]
    links += [{"dataset_version_id": d, "role": "evaluation"} for d in evaluation_data or []]
    with connect(ctx) as bastion:
        register_model_file(
            bastion,
            project,
            file,
            name=model,
            version=version,
            model_fields={"system_id": system},
            version_fields={"framework": framework, "task_type": task_type, "datasets": links},
        )


@datasets.command("register")
def register_dataset(
    ctx: typer.Context,
    file: FileArgument,
    project: ProjectOption,
    dataset: Annotated[str, typer.Option(help="Dataset name; created if new.", show_default=False)],
    version: Annotated[str, typer.Option(help="Version label.", show_default=False)],
    rows: Annotated[int | None, typer.Option(min=0, help="Number of rows.")] = None,
) -> None:
    """Register a data file as a new dataset version and upload it.

    Example:

        bastion datasets register adult.csv -p credit --dataset adult --version 2024-01
    """
    with connect(ctx) as bastion:
        register_dataset_file(
            bastion,
            project,
            file,
            name=dataset,
            version=version,
            version_fields={"row_count": rows},
        )


@documents.command("upload")
def upload_document(
    ctx: typer.Context,
    file: FileArgument,
    project: ProjectOption,
    subject_type: Annotated[
        SubjectType, typer.Option("--type", help="Kind of record it is about.")
    ],
    subject_id: Annotated[str, typer.Option("--id", help="Id of that record.")],
    title: Annotated[str, typer.Option(help="Title.", show_default=False)],
    kind: Annotated[str, typer.Option(help="e.g. model_card, dpia.")] = "document",
    media_type: Annotated[str | None, typer.Option(help="Guessed from the name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Attach a file to a record.

    Example:

        bastion documents upload card.md -p credit --type model_version --id ID --title Card
    """
    with connect(ctx) as bastion:
        document = bastion.upload_document(
            project,
            file,
            subject_type=subject_type,
            subject_id=subject_id,
            title=title,
            kind=kind,
            media_type=media_type,
        )
    created(document, f"uploaded {document.filename} as document {document.id}", as_json=as_json)
