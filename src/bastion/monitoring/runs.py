"""Running a monitor: evaluate its complete windows not evaluated yet, record each as
``monitoring.window`` evidence about the model version, and re-evaluate past windows
whose labels changed.

A window row is unique per monitor and window number and is inserted before anything
else is recorded: when two servers run the same monitor at once, the second insert
conflicts and that server skips the window. Each window is committed on its own, so a
failure later in a run keeps the windows before it.

Late labels: a window remembers the newest label batch it has seen (``labels_seq``).
When newer labels exist, a run reads the window's rows again (the same batches: up to
its ``batch_seq``), joins them with every label logged so far and, if the figures
changed, records a new revision of the window's evidence (drift is not computed again:
the rows are the same). Only the newest ``RELABEL_WINDOWS`` windows are looked at.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
import pyarrow as pa
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bastion import __version__
from bastion.anomaly import AnomalyModel
from bastion.drift import DriftConfig, DriftReport, Profile, compare
from bastion.errors import NotFound
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence, Verdict
from bastion.evidence.schemas import SUMMARY_LIMIT, EvidenceCreate
from bastion.inventory.enums import SubjectType
from bastion.monitoring import evaluate, log, schemas, windows
from bastion.monitoring import reference as monitor_reference
from bastion.monitoring.models import LabelBatch, Monitor, MonitorWindow
from bastion.monitoring.service import WINDOW_KIND, get_monitor, on_window_recorded
from bastion.storage.artifacts import ArtifactStore
from bastion.storage.pagination import PageResult, paginate

MAX_WINDOWS_PER_RUN = 100
RELABEL_WINDOWS = 100


@dataclass
class Outcome:
    monitor_id: uuid.UUID
    evaluated: list[MonitorWindow] = field(default_factory=list)
    reevaluated: list[MonitorWindow] = field(default_factory=list)
    pending: bool = False
    note: str = ""

    def read(self) -> schemas.RunRead:
        return schemas.RunRead(
            monitor_id=self.monitor_id,
            evaluated=[schemas.WindowRead.from_model(w) for w in self.evaluated],
            reevaluated=[schemas.WindowRead.from_model(w) for w in self.reevaluated],
            pending=self.pending,
            note=self.note,
        )


@dataclass(frozen=True)
class _Context:
    """What every window of one run shares: loaded once."""

    monitor: Monitor
    reference: Profile
    config: DriftConfig
    anomaly_model: AnomalyModel | None
    settings: evaluate.Settings
    labels: pa.Table
    labels_seq: int
    label_digests: tuple[str, ...]


def _context(
    session: Session, store: ArtifactStore, monitor: Monitor, profile_digest: str
) -> _Context:
    reference = monitor_reference.load_profile(store, profile_digest)
    prediction = (
        monitor.prediction_column if monitor.prediction_column in reference.columns else None
    )
    batches = list(
        session.scalars(
            select(LabelBatch)
            .where(LabelBatch.model_version_id == monitor.model_version_id)
            .order_by(LabelBatch.seq)
        )
    )
    anomaly_model = None
    if monitor.anomaly_digest is not None:
        anomaly_model = AnomalyModel.from_dict(
            monitor_reference.load_json(store, monitor.anomaly_digest)
        )
    return _Context(
        monitor=monitor,
        reference=reference,
        config=monitor_reference.drift_config(monitor.drift_config, prediction),
        anomaly_model=anomaly_model,
        settings=evaluate.Settings.of(
            prediction_column=monitor.prediction_column,
            protected_attributes=monitor.protected_attributes,
            performance=monitor.performance,
            min_rows=monitor.min_rows,
        ),
        labels=log.labels(store, batches),
        labels_seq=batches[-1].seq if batches else 0,
        label_digests=tuple(b.digest for b in batches),
    )


def run_monitor(
    *, session: Session, store: ArtifactStore, monitor: Monitor, now: datetime
) -> Outcome:
    """Evaluate the monitor's complete windows (at most ``MAX_WINDOWS_PER_RUN``; the
    rest wait for the next run) and re-evaluate windows that late labels changed."""
    outcome = Outcome(monitor_id=monitor.id)
    if monitor.profile_digest is None:
        outcome.note = "no reference yet: upload one (PUT …/monitors/{id}/reference)"
        return outcome
    context = _context(session, store, monitor, monitor.profile_digest)
    last = session.scalar(
        select(func.max(MonitorWindow.number)).where(MonitorWindow.monitor_id == monitor.id)
    )
    spans, outcome.pending = windows.complete(
        session, store, monitor, after=last, now=now, limit=MAX_WINDOWS_PER_RUN
    )
    max_seq = windows.newest_seq(session, monitor.model_version_id)
    for span in spans:
        pieces = windows.load(session, store, monitor, span, max_seq=max_seq)
        if not pieces:
            continue  # every row was a duplicate of an earlier batch's
        result = evaluate.evaluate(
            [p.frame for p in pieces],
            reference=context.reference,
            config=context.config,
            anomaly_model=context.anomaly_model,
            labels=context.labels,
            settings=context.settings,
        )
        window = _record(session, store, context, span, pieces, result, max_seq)
        if window is not None:
            outcome.evaluated.append(window)
            session.commit()
    fresh = {w.number for w in outcome.evaluated}
    outcome.reevaluated = _relabel(session, store, context, skip=fresh)
    session.execute(
        update(Monitor)
        .where(Monitor.id == monitor.id)
        .values(last_run_at=now, last_error=None, updated_at=Monitor.updated_at)
        .execution_options(synchronize_session=False)
    )
    return outcome


def _bounds(span: windows.Span, pieces: list[windows.Piece]) -> tuple[datetime, datetime]:
    """A time window's period; for a row window, the range of its rows' timestamps."""
    if isinstance(span, windows.TimeSpan):
        return span.start_at, span.end_at
    return min(p.batch.started_at for p in pieces), max(p.batch.ended_at for p in pieces)


def _window_doc(window: MonitorWindow) -> dict[str, Any]:
    return {
        "index": window.number,
        "start": window.start_at.isoformat(),
        "end": window.end_at.isoformat(),
        "start_row": window.start_row,
        "end_row": window.end_row,
        "rows": window.rows,
        "labelled": window.labelled,
    }


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _inputs(context: _Context, pieces_digests: list[str], labelled: int) -> list[dict[str, str]]:
    inputs = [
        {"role": "reference", "sha256": str(context.monitor.reference.get("digest"))},
        {"role": "predictions", "sha256": _digest(pieces_digests)},
    ]
    if labelled:
        inputs.append({"role": "labels", "sha256": _digest(list(context.label_digests))})
    return inputs


def _record(
    session: Session,
    store: ArtifactStore,
    context: _Context,
    span: windows.Span,
    pieces: list[windows.Piece],
    result: evaluate.WindowResult,
    max_seq: int,
) -> MonitorWindow | None:
    """Claim the window (None if another server did), then record its evidence."""
    monitor = context.monitor
    start_at, end_at = _bounds(span, pieces)
    window = MonitorWindow(
        project_id=monitor.project_id,
        monitor_id=monitor.id,
        number=span.number,
        start_at=start_at,
        end_at=end_at,
        start_row=span.start_row if isinstance(span, windows.RowSpan) else None,
        end_row=span.end_row if isinstance(span, windows.RowSpan) else None,
        rows=result.rows,
        labelled=result.labels.labelled,
        status=result.status,
        metrics=result.metrics,
        batch_seq=max_seq,
        labels_seq=context.labels_seq,
    )
    try:
        with session.begin_nested():
            session.add(window)
            session.flush()
    except IntegrityError:
        return None
    if result.profile is not None:
        window.profile_digest = log.store_bytes(
            store, json.dumps(result.profile.to_dict(), separators=(",", ":")).encode()
        )
    document = {
        "schema_version": 1,
        "monitor_id": str(monitor.id),
        "monitor": monitor.name,
        "window": _window_doc(window),
        "status": result.status,
        "revision": 1,
        "metrics": result.metrics,
        "drift": result.drift,
        "anomaly": result.anomaly,
        "performance": result.labels.performance,
        "fairness": result.labels.fairness,
        "reference": {
            "digest": monitor.reference.get("digest"),
            "profile_digest": monitor.profile_digest,
        },
        "batches": sorted({p.batch.seq for p in pieces}),
    }
    digests = [f"{p.batch.digest}:{p.frame.height}" for p in pieces]
    _publish(session, context, window, result.verdict, result.summary, document,
             _inputs(context, digests, result.labels.labelled))  # fmt: skip
    return window


def _publish(
    session: Session,
    context: _Context,
    window: MonitorWindow,
    verdict: Verdict,
    summary: str,
    document: dict[str, Any],
    inputs: list[dict[str, str]],
) -> Evidence:
    monitor = context.monitor
    text = f"{monitor.name} window {window.number}: {summary}"
    if len(text) > SUMMARY_LIMIT:
        text = text[: SUMMARY_LIMIT - 1] + "…"
    evidence = evidence_service.record_evidence(
        session=session,
        project_id=monitor.project_id,
        data=EvidenceCreate(
            kind=WINDOW_KIND,
            subject_type=SubjectType.MODEL_VERSION,
            subject_id=monitor.model_version_id,
            verdict=verdict,
            summary=text,
            result=document,
            inputs=inputs,
            software={"name": "bastion-server", "version": __version__},
        ),
    )
    window.evidence_id = evidence.id
    session.flush()
    for subscriber in on_window_recorded:
        subscriber(session, monitor, window, evidence)
    return evidence


def _relabel(
    session: Session, store: ArtifactStore, context: _Context, *, skip: set[int]
) -> list[MonitorWindow]:
    """Compute performance and fairness again for windows that newer labels may change."""
    monitor = context.monitor
    stale = list(
        session.scalars(
            select(MonitorWindow)
            .where(
                MonitorWindow.monitor_id == monitor.id,
                MonitorWindow.labels_seq < context.labels_seq,
            )
            .order_by(MonitorWindow.number.desc())
            .limit(RELABEL_WINDOWS)
        )
    )
    changed = []
    for window in stale:
        if window.number in skip:
            continue
        span: windows.Span = (
            windows.RowSpan(window.number, window.start_row, window.end_row)
            if window.start_row is not None and window.end_row is not None
            else windows.TimeSpan(window.number, window.start_at, window.end_at)
        )
        pieces = windows.load(session, store, monitor, span, max_seq=window.batch_seq)
        frame = pl.concat([p.frame for p in pieces], how="diagonal_relaxed")
        judged = evaluate.judge_labels(frame, context.labels, context.settings)
        window.labels_seq = context.labels_seq
        metrics = dict(window.metrics) | judged.metrics
        if metrics == window.metrics:
            session.flush()
            continue
        previous = session.get(Evidence, window.evidence_id) if window.evidence_id else None
        document = dict(previous.result) if previous is not None else {}
        window.revision += 1
        window.labelled = judged.labelled
        window.metrics = metrics
        document |= {
            "window": _window_doc(window),
            "revision": window.revision,
            "metrics": metrics,
            "performance": judged.performance,
            "fairness": judged.fairness,
        }
        verdict = previous.verdict if previous is not None else Verdict.PASS
        summary = (
            f"{judged.labelled} of {window.rows} predictions labelled (revision {window.revision})"
        )
        digests = [f"{p.batch.digest}:{p.frame.height}" for p in pieces]
        _publish(session, context, window, verdict, summary, document,
                 _inputs(context, digests, judged.labelled))  # fmt: skip
        changed.append(window)
        session.commit()
    return changed


# Reading windows ---------------------------------------------------------------------------


def list_windows(
    *, session: Session, project_id: uuid.UUID, monitor_id: uuid.UUID, query: schemas.WindowQuery
) -> PageResult[MonitorWindow]:
    monitor = get_monitor(session=session, project_id=project_id, monitor_id=monitor_id)
    return paginate(
        session,
        select(MonitorWindow).where(MonitorWindow.monitor_id == monitor.id),
        entity=MonitorWindow,
        sortable={"index": MonitorWindow.number},
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )


def get_window(
    *, session: Session, project_id: uuid.UUID, monitor_id: uuid.UUID, number: int
) -> MonitorWindow:
    monitor = get_monitor(session=session, project_id=project_id, monitor_id=monitor_id)
    window = session.scalar(
        select(MonitorWindow).where(
            MonitorWindow.monitor_id == monitor.id, MonitorWindow.number == number
        )
    )
    if window is None:
        raise NotFound(f"monitor {monitor_id} has no evaluated window {number}")
    return window


def window_report(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    monitor_id: uuid.UUID,
    number: int,
) -> DriftReport:
    """The window's drift report, compared again from the stored profiles (the same
    figures as its evidence: the reference profile it used is content-addressed)."""
    window = get_window(
        session=session, project_id=project_id, monitor_id=monitor_id, number=number
    )
    if window.profile_digest is None:
        raise NotFound(
            f"window {number} has no drift report: it had {window.rows} rows, fewer than the "
            "monitor's min_rows"
        )
    evidence = session.get(Evidence, window.evidence_id) if window.evidence_id else None
    monitor = get_monitor(session=session, project_id=project_id, monitor_id=monitor_id)
    # The reference profile the window was compared with, even if the monitor's changed.
    used = (evidence.result.get("reference") or {}).get("profile_digest") if evidence else None
    reference = monitor_reference.load_profile(store, str(used or monitor.profile_digest))
    current = monitor_reference.load_profile(store, window.profile_digest)
    prediction = (
        monitor.prediction_column if monitor.prediction_column in reference.columns else None
    )
    return compare(
        reference, current, monitor_reference.drift_config(monitor.drift_config, prediction)
    )
