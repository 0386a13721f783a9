"""The checkpoint signing key: an Ed25519 key in the C2SP signed-note format, generated at
first start into the data directory (file mode 0600) unless one is configured."""

import os
from pathlib import Path

from bastion.checkpoint import NoteSigner


def load_or_create_signer(path: Path, origin: str) -> NoteSigner:
    """The signer stored at ``path``; a new one for ``origin`` if the file does not exist."""
    if path.exists():
        return _load(path, origin)
    signer = NoteSigner.generate(origin)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: of two servers starting together, one writes the key, the other reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _load(path, origin)
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.key() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return signer


def _load(path: Path, origin: str) -> NoteSigner:
    signer = NoteSigner.from_key(path.read_text().strip())
    if signer.name != origin:
        raise ValueError(
            f"the ledger key in {path} signs for {signer.name!r}, not the configured "
            f"origin {origin!r}"
        )
    return signer
