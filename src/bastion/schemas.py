"""API schema building blocks shared by every domain: tags, metadata, pages, updates."""

import json
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

MAX_TAGS = 50
MAX_METADATA_BYTES = 64 * 1024

Tag = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/=-]*$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Version = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


def _dedupe(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


def _bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value)) > MAX_METADATA_BYTES:
        raise ValueError(f"must serialize to at most {MAX_METADATA_BYTES} bytes of JSON")
    return value


Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_dedupe)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded_json)]


class Input(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Labelled(Input):
    tags: Tags = Field(default_factory=list)
    metadata: JsonObject = Field(default_factory=dict)


class Update(Input):
    """A partial update: omitted fields keep their value.

    Fields are optional so that they can be omitted; an explicit ``null`` is accepted only
    for the fields listed in ``nullable``.
    """

    nullable: ClassVar[frozenset[str]] = frozenset()

    tags: Tags | None = None
    metadata: JsonObject | None = None

    # A field validator (not a model validator) so that the error names the field.
    @field_validator("*", mode="after")
    @classmethod
    def _no_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError(f"{info.field_name} cannot be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LabelledOutput(Output):
    tags: list[str]
    # Tables name the column `metadata_` (SQLAlchemy reserves `metadata`); JSON says `metadata`.
    metadata: dict[str, Any] = Field(validation_alias=AliasChoices("metadata_", "metadata"))


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class ListQuery(BaseModel):
    """Paging, sorting and the filters every list shares; lists add their own fields."""

    model_config = ConfigDict(extra="forbid")
    paging_fields: ClassVar[frozenset[str]] = frozenset({"limit", "cursor", "sort", "q", "tag"})

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: str = Field(
        default="-created_at",
        max_length=100,
        description="Column to sort by; prefix with `-` for descending.",
    )
    q: str | None = Field(
        default=None, max_length=200, description="Case-insensitive substring of the name."
    )
    tag: list[Tag] = Field(default_factory=list, description="Records carrying all these tags.")

    def equality_filters(self) -> dict[str, Any]:
        return self.model_dump(exclude=set(self.paging_fields), exclude_none=True)
