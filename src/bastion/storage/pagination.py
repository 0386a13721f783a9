"""Keyset pagination with an opaque cursor, sortable on a fixed set of columns per list.

A cursor holds the sort key and the last row's (value, id), so pages stay stable while
rows are inserted, and reading page N costs the same as reading page 1.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from bastion.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def _encode(sort: str, value: Any, row_id: uuid.UUID) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    raw = json.dumps({"s": sort, "v": value, "id": str(row_id)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, sort: str, column: InstrumentedAttribute[Any]) -> tuple[Any, uuid.UUID]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        sort_key, value, row_id = data["s"], data["v"], uuid.UUID(str(data["id"]))
        if column.type.python_type is datetime:
            value = datetime.fromisoformat(value)
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("malformed cursor", field="cursor") from exc
    if sort_key != sort:
        raise InvalidInput("cursor belongs to another sort order", field="cursor")
    return value, row_id


def paginate(
    session: Session,
    stmt: Select[T],
    *,
    entity: Any,
    sortable: Mapping[str, InstrumentedAttribute[Any]],
    sort: str,
    cursor: str | None,
    limit: int,
) -> PageResult[T]:
    """One page of ``stmt`` ordered by ``sort`` (a column name, ``-`` prefix for descending)."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in sortable:
        allowed = ", ".join(sorted(sortable))
        raise InvalidInput(f"cannot sort by {key!r}; choose one of: {allowed}", field="sort")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    column, id_column = sortable[key], entity.id
    if cursor:
        value, row_id = _decode(cursor, sort, column)
        if descending:
            after = or_(column < value, and_(column == value, id_column < row_id))
        else:
            after = or_(column > value, and_(column == value, id_column > row_id))
        stmt = stmt.where(after)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return PageResult(items=rows, next_cursor=None)
    last: Any = rows[limit - 1]
    return PageResult(items=rows[:limit], next_cursor=_encode(sort, getattr(last, key), last.id))
