"""The audit ledger through the SDK: ``client.audit``.

Proofs are checked here, on the caller's side, against checkpoints signed by a key the
caller holds, so that a verifier does not have to trust the server it asks.
"""

import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bastion.checkpoint import Checkpoint, NoteVerifier
from bastion.ledger.schemas import (
    CheckpointRead,
    ConsistencyProofRead,
    EntryPage,
    EntryRead,
    InclusionProofRead,
    VerifierKeyRead,
)
from bastion.merkle import ProofError, verify_consistency, verify_inclusion
from bastion.sdk.errors import BastionClientError, error_from_response, map_transport_errors

if TYPE_CHECKING:
    from bastion.sdk.client import Client

API = "/api/v1"


class VerificationError(BastionClientError):
    """A proof or checkpoint from the server does not verify."""


def _drop_none(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.isoformat() if isinstance(v, datetime) else v
        for k, v in params.items()
        if v is not None
    }


class AuditClient:
    """Ledger entries, proofs, checkpoints and exports. Reach it as ``client.audit``."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def _get(self, path: str, **params: Any) -> Any:
        return self._client._request("GET", f"{API}{path}", params=_drop_none(params)).json()

    def entries(
        self,
        *,
        project: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> EntryPage:
        """One page of entries: a project's (``project``) or, for admins, the whole ledger."""
        path = f"/projects/{project}/audit/entries" if project else "/audit/entries"
        return EntryPage.model_validate(
            self._get(path, since=since, until=until, action=action, cursor=cursor, limit=limit)
        )

    def iter_entries(self, **filters: Any) -> Iterator[EntryRead]:
        """Every entry matching the filters of :meth:`entries`, page after page."""
        while True:
            page = self.entries(**filters)
            yield from page.items
            if not page.next_cursor:
                return
            filters["cursor"] = page.next_cursor

    def entry(self, seq: int) -> EntryRead:
        return EntryRead.model_validate(self._get(f"/audit/entries/{seq}"))

    def inclusion_proof(
        self, seq: int, *, size: int | None = None, project: str | None = None
    ) -> InclusionProofRead:
        """The proof that entry ``seq`` is in the tree of ``size`` entries (default: the
        latest checkpoint)."""
        base = f"/projects/{project}/audit/entries" if project else "/audit/entries"
        return InclusionProofRead.model_validate(self._get(f"{base}/{seq}/proof", size=size))

    def consistency_proof(self, first: int, second: int) -> ConsistencyProofRead:
        return ConsistencyProofRead.model_validate(
            self._get("/audit/consistency", first=first, second=second)
        )

    def checkpoints(self) -> list[CheckpointRead]:
        return [CheckpointRead.model_validate(c) for c in self._get("/audit/checkpoints")]

    def latest_checkpoint(self) -> CheckpointRead:
        return CheckpointRead.model_validate(self._get("/audit/checkpoints/latest"))

    def sign_checkpoint(self) -> CheckpointRead:
        """Ask the server to sign its current tree head now."""
        response = self._client._request("POST", f"{API}/audit/checkpoints")
        return CheckpointRead.model_validate(response.json())

    def verifier_key(self) -> VerifierKeyRead:
        return VerifierKeyRead.model_validate(self._get("/audit/verifier-key"))

    def prove_entry(
        self, seq: int, verifier: NoteVerifier, *, project: str | None = None
    ) -> InclusionProofRead:
        """Fetch entry ``seq``'s inclusion proof and check it against the signed checkpoint.

        Raises
        ------
        VerificationError
            The checkpoint is not signed by ``verifier``, or the proof does not lead from
            the entry's leaf hash to the signed root.
        """
        proof = self.inclusion_proof(seq, project=project)
        if proof.checkpoint is None:
            raise VerificationError(f"no signed checkpoint for tree size {proof.tree_size}")
        try:
            checkpoint = Checkpoint.open(proof.checkpoint, [verifier], origin=verifier.name)
            if checkpoint.size != proof.tree_size:
                raise VerificationError("the checkpoint is for another tree size")
            verify_inclusion(
                bytes.fromhex(proof.leaf_hash),
                seq,
                proof.tree_size,
                [bytes.fromhex(node) for node in proof.proof],
                checkpoint.root_hash,
            )
        except (ValueError, ProofError) as exc:
            raise VerificationError(f"entry {seq}: {exc}") from exc
        return proof

    def prove_consistency(
        self, older: CheckpointRead, newer: CheckpointRead, verifier: NoteVerifier
    ) -> None:
        """Check that ``newer`` extends ``older`` (nothing in ``older`` was rewritten)."""
        try:
            first = Checkpoint.open(older.note, [verifier], origin=verifier.name)
            second = Checkpoint.open(newer.note, [verifier], origin=verifier.name)
            proof = self.consistency_proof(first.size, second.size)
            verify_consistency(
                first.size,
                second.size,
                [bytes.fromhex(node) for node in proof.proof],
                first.root_hash,
                second.root_hash,
            )
        except (ValueError, ProofError) as exc:
            raise VerificationError(f"checkpoints {older.size} → {newer.size}: {exc}") from exc

    def export(
        self,
        dest: str | os.PathLike[str],
        *,
        format: Literal["jsonl", "cef"] = "jsonl",
        project_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Path:
        """Stream the ledger into ``dest``, written atomically (all of it or nothing)."""
        target = Path(dest)
        params = _drop_none(
            {"format": format, "project_id": project_id, "since": since, "until": until}
        )
        http = self._client._http
        with (
            map_transport_errors(self._client.url, self._client.timeout),
            http.stream("GET", f"{API}/audit/export", params=params) as response,
        ):
            if response.is_error:
                response.read()
                raise error_from_response(response)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            try:
                with os.fdopen(fd, "wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                os.replace(name, target)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
        return target
