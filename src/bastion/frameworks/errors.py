"""The errors of the framework catalogs: a catalog that cannot be loaded, and a lookup of
a framework or requirement that no loaded catalog defines.

They derive from :mod:`bastion.errors`, so the API answers them as problem+json (422
for a broken catalog or a bad status input, 404 for an unknown id) and the CLI as one
line, with no mapping of their own.
"""

from collections.abc import Iterable, Sequence

from bastion.errors import InvalidInput, NotFound

__all__ = [
    "CatalogError",
    "StatusInputError",
    "UnknownFramework",
    "UnknownRequirement",
    "locate",
]


def locate(file: str, problem: str, *, requirement: str | None = None, field: str | None) -> str:
    """One problem as ``file: requirement id: field: problem``, omitting what is unknown."""
    parts = [file]
    if requirement is not None:
        parts.append(f"requirement {requirement}")
    if field:
        parts.append(field)
    parts.append(problem)
    return ": ".join(parts)


class CatalogError(InvalidInput):
    """A catalog file that cannot be used.

    ``detail`` is the first problem, located as ``file: requirement id: field: problem``;
    ``problems`` lists all that were found (a schema check reports every bad field at
    once, so ``bastion frameworks validate`` can show them together).
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str,
        requirement: str | None = None,
        field: str | None = None,
        more: Sequence[str] = (),
    ) -> None:
        first = locate(file, problem, requirement=requirement, field=field)
        self.problems: tuple[str, ...] = (first, *more)
        detail = first if not more else f"{first} (and {len(more)} more)"
        super().__init__(
            detail, field=field, file=file, requirement=requirement, problems=list(self.problems)
        )


class UnknownFramework(NotFound):
    """A framework id that no loaded catalog defines."""

    def __init__(self, framework_id: str, known: Iterable[str]) -> None:
        listed = ", ".join(sorted(known)) or "none"
        super().__init__(f"unknown framework {framework_id!r}; known frameworks: {listed}")


class UnknownRequirement(NotFound):
    """A requirement key (``framework:requirement``) that no loaded catalog defines."""


class StatusInputError(InvalidInput, ValueError):
    """A system profile or evidence item that a status cannot be computed from: an
    unknown tier, role, fact or verdict, or a time without a time zone."""
