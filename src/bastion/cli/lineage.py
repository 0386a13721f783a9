"""``bastion lineage``: which data made a model version and where it runs, as a tree."""

import uuid
from typing import Annotated

import typer
from rich.tree import Tree

from bastion.cli import output
from bastion.cli.remote import JsonOption, ProjectOption, connect
from bastion.inventory.enums import SubjectType
from bastion.inventory.lineage import MAX_DEPTH, Direction
from bastion.inventory.schemas import LineageGraph


def as_tree(graph: LineageGraph) -> Tree:
    """The graph unfolded from its root; edges point the way data flows."""
    labels = {node.id: f"{node.label} [dim]({node.type})[/dim]" for node in graph.nodes}
    links: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for edge in graph.edges:
        links.setdefault(edge.source, []).append((edge.target, f"{edge.relation} →"))
        links.setdefault(edge.target, []).append((edge.source, f"← {edge.relation}"))
    tree = Tree(f"[bold]{labels[graph.root.id]}[/bold]")
    seen = {graph.root.id}
    pending = [(graph.root.id, tree)]
    while pending:
        node, branch = pending.pop()
        for neighbour, arrow in sorted(links.get(node, []), key=lambda link: labels[link[0]]):
            if neighbour in seen:
                continue
            seen.add(neighbour)
            pending.append((neighbour, branch.add(f"{arrow} {labels[neighbour]}")))
    return tree


def lineage(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(metavar="ID", help="Id of the starting record.")],
    project: ProjectOption,
    subject_type: Annotated[
        SubjectType, typer.Option("--type", help="Kind of the starting record.")
    ] = SubjectType.MODEL_VERSION,
    direction: Annotated[Direction, typer.Option(help="Towards data, deployments, or both.")] = (
        Direction.BOTH
    ),
    depth: Annotated[int, typer.Option(min=1, max=MAX_DEPTH, help="Hops at most.")] = MAX_DEPTH,
    as_json: JsonOption = False,
) -> None:
    """Show the lineage of a record: training and evaluation data, versions, deployments.

    Example:

        bastion lineage ID -p credit-scoring --type model_version --direction upstream
    """
    with connect(ctx) as bastion:
        graph = bastion.lineage(project, subject_type, subject_id, direction.value, depth)
    if as_json:
        output.print_json(graph)
    else:
        output.stdout().print(as_tree(graph))
