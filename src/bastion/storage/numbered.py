"""Records that people name by number as well as by id: risks (``R-12``) and incidents
(``I-3``), numbered per project."""

import re
import uuid
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.errors import NotFound
from bastion.storage.base import Base

# A mapped class with ``id``, ``project_id`` and ``number`` columns.
RecordT = TypeVar("RecordT", bound=Base)


def get_numbered(
    session: Session,
    model: type[RecordT],
    *,
    project_id: uuid.UUID,
    ref: str | uuid.UUID,
    number: re.Pattern[str],
    noun: str,
    example: str,
    lock: bool = False,
) -> RecordT:
    """The project's record ``ref``: an id, or a number ``number`` matches (its group 1).

    With ``lock``, changes of one record queue here (FOR UPDATE on PostgreSQL), so the
    version a change is checked against is the latest committed one.
    """
    columns = model.__table__.c
    stmt = select(model).where(columns.project_id == project_id)
    match = None if isinstance(ref, uuid.UUID) else number.match(ref.strip())
    if match:
        stmt = stmt.where(columns.number == int(match[1]))
    else:
        try:
            record_id = ref if isinstance(ref, uuid.UUID) else uuid.UUID(ref)
        except ValueError:
            raise NotFound(
                f"no {noun} {ref!r}: give its id or its number, e.g. {example}"
            ) from None
        stmt = stmt.where(columns.id == record_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    record = session.scalar(stmt)
    if record is None:
        raise NotFound(f"no {noun} {ref} in this project")
    return record
