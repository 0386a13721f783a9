"""Signed checkpoints of the audit ledger, in the C2SP formats.

A checkpoint states "the ledger called ``origin`` had ``size`` entries, with Merkle root
``root_hash``" (C2SP tlog-checkpoint, https://c2sp.org/tlog-checkpoint), and is signed as
a C2SP signed note (https://c2sp.org/signed-note) with Ed25519. The ledger signs one
after appending entries; an auditor opens it with the verifier key alone and then checks
:mod:`bastion.merkle` inclusion and consistency proofs against its root. The note and key
encodings are byte-compatible with Go's ``golang.org/x/mod/sumdb/note`` (tested with its
published example), so transparency-log tooling and witnesses can read our checkpoints.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "MAX_SIGNATURES",
    "Checkpoint",
    "CheckpointError",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "key_id",
    "open_note",
    "sign_note",
]

ALG_ED25519 = 0x01
"""Signature type of Ed25519 in C2SP signed-note key IDs and key strings."""

MAX_SIGNATURES = 100
"""Notes with more signature lines are rejected, as Go's ``note.Open`` does."""

_HASH_SIZE = 32
_MAX_TREE_SIZE = 2**64 - 1  # tlog-checkpoint sizes are uint64
_SIG_PREFIX = "\u2014 "  # EM DASH, SPACE: the start of every signature line
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
# Notes must not contain ASCII control characters other than newline (signed-note).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(ValueError):
    """A signed note is malformed, or none of its signatures verifies with a known key."""


class CheckpointError(ValueError):
    """A checkpoint body is malformed, or its fields break tlog-checkpoint's rules."""


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """Canonical standard base64 (RFC 4648 section 4), or None if it is not that.

    Canonical means padded and with zero unused bits in the last character: otherwise
    one signature could be written several ways, and a changed byte could go unnoticed.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    return raw if _b64encode(raw) == text else None


def _is_valid_name(name: str) -> bool:
    # signed-note: a key name is non-empty UTF-8 with no Unicode spaces and no "+"
    # (Go's isValidName: unicode.IsSpace and "+").
    if not name or "+" in name or any(c.isspace() for c in name):
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be sent as UTF-8
        return False
    return _CONTROL.search(name) is None


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _is_valid_name(name):
        raise NoteError(f"invalid key name {name!r}: it must be non-empty, without spaces or '+'")


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 note key.

    ``SHA-256(name || 0x0A || 0x01 || public_key)[:4]`` (C2SP signed-note, "Signatures").

    Parameters
    ----------
    name
        The key name (for the ledger, its origin).
    public_key
        The raw 32-byte Ed25519 public key.

    Returns
    -------
    bytes
        The first four bytes of the hash; big-endian, it is the ``uint32`` key hash.
    """
    if len(public_key) != 32:
        raise NoteError(f"an Ed25519 public key is 32 bytes, got {len(public_key)}")
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key
    ).digest()[:4]


@dataclass(frozen=True)
class NoteVerifier:
    """A public Ed25519 note key: checks signatures by one named key.

    Parameters
    ----------
    name
        The key name (C2SP signed-note: non-empty, no spaces, no ``+``).
    public_key
        The raw 32-byte Ed25519 public key.

    Examples
    --------
    >>> v = NoteVerifier.from_key(
    ...     "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    >>> v.name, v.key_id.hex()
    ('PeterNeumann', 'c74f20a3')
    """

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise NoteError("an Ed25519 public key must be 32 bytes")

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID, see :func:`key_id`."""
        return key_id(self.name, self.public_key)

    @classmethod
    def from_key(cls, vkey: str) -> NoteVerifier:
        """Parse a verifier key string ``<name>+<key id hex>+<base64(0x01 || key)>``.

        Parameters
        ----------
        vkey
            The verifier key, as :meth:`key` or Go's ``note.GenerateKey`` writes it.

        Returns
        -------
        NoteVerifier

        Raises
        ------
        NoteError
            If the string is malformed, names another algorithm than Ed25519, or its
            key ID does not match its name and key.
        """
        name, _, rest = vkey.partition("+")
        hex_id, _, key64 = rest.partition("+")
        raw = _b64decode(key64)
        if not _HEX8.fullmatch(hex_id) or raw is None or not raw or not _is_valid_name(name):
            raise NoteError(f"malformed verifier key {vkey!r}")
        if raw[0] != ALG_ED25519:
            raise NoteError(f"verifier key {name!r} has unknown algorithm {raw[0]}")
        if len(raw) != 33:
            raise NoteError(f"verifier key {name!r} is not a 32-byte Ed25519 key")
        verifier = cls(name, raw[1:])
        if verifier.key_id != bytes.fromhex(hex_id):
            raise NoteError(f"verifier key {name!r}: key ID {hex_id} does not match the key")
        return verifier

    def key(self) -> str:
        """The verifier key string, readable by :meth:`from_key` and Go's ``note``.

        Returns
        -------
        str
            ``<name>+<key id hex>+<base64(0x01 || public key)>``.
        """
        raw = bytes([ALG_ED25519]) + self.public_key
        return f"{self.name}+{self.key_id.hex()}+{_b64encode(raw)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``.

        Parameters
        ----------
        message
            The signed bytes (for a note, its UTF-8 text including the final newline).
        signature
            The 64-byte signature, without the key ID prefix.

        Returns
        -------
        bool
        """
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class NoteSigner:
    """A private Ed25519 note key: signs notes under one key name.

    Parameters
    ----------
    name
        The key name (C2SP signed-note: non-empty, no spaces, no ``+``). For a ledger's
        checkpoints, use the ledger's origin.
    private_key
        The Ed25519 private key.

    Examples
    --------
    >>> signer = NoteSigner.generate("bastion.example/audit")
    >>> signer.verifier().key().startswith("bastion.example/audit+")
    True
    """

    __slots__ = ("_private_key", "name", "public_key")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._private_key = private_key
        self.public_key = private_key.public_key().public_bytes_raw()

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        """Create a new Ed25519 key pair under ``name``.

        Parameters
        ----------
        name
            The key name.

        Returns
        -------
        NoteSigner
            Keep :meth:`key` secret; hand out :meth:`verifier` ``.key()``.
        """
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_key(cls, skey: str) -> NoteSigner:
        """Parse a signer key ``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>``.

        Parameters
        ----------
        skey
            The secret signer key, as :meth:`key` or Go's ``note.GenerateKey`` writes it.

        Returns
        -------
        NoteSigner

        Raises
        ------
        NoteError
            If the string is malformed, names another algorithm than Ed25519, or its key
            ID does not match the public key derived from the seed. The message never
            contains the key material.
        """
        private, _, rest = skey.partition("+")
        key_word, _, rest = rest.partition("+")
        name, _, rest = rest.partition("+")
        hex_id, _, key64 = rest.partition("+")
        raw = _b64decode(key64)
        if (
            private != "PRIVATE"
            or key_word != "KEY"
            or not _HEX8.fullmatch(hex_id)
            or raw is None
            or not raw
            or not _is_valid_name(name)
        ):
            raise NoteError("malformed signer key (expected PRIVATE+KEY+<name>+<id>+<key>)")
        if raw[0] != ALG_ED25519:
            raise NoteError(f"signer key {name!r} has unknown algorithm {raw[0]}")
        if len(raw) != 33:
            raise NoteError(f"signer key {name!r} is not a 32-byte Ed25519 seed")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.key_id != bytes.fromhex(hex_id):
            raise NoteError(f"signer key {name!r}: key ID {hex_id} does not match the key")
        return signer

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID, see :func:`key_id`."""
        return key_id(self.name, self.public_key)

    def key(self) -> str:
        """The secret signer key string, readable by :meth:`from_key` and Go's ``note``.

        Returns
        -------
        str
            ``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>``; keep it secret.
        """
        seed = self._private_key.private_bytes_raw()
        raw = bytes([ALG_ED25519]) + seed
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{_b64encode(raw)}"

    def verifier(self) -> NoteVerifier:
        """The matching public key.

        Returns
        -------
        NoteVerifier
        """
        return NoteVerifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message`` (RFC 8032, deterministic).

        Parameters
        ----------
        message
            The bytes to sign.

        Returns
        -------
        bytes
        """
        return self._private_key.sign(message)

    def __repr__(self) -> str:
        # Never show the private key, not even in a traceback.
        return f"NoteSigner(name={self.name!r}, key_id={self.key_id.hex()})"


def _check_note_text(text: str) -> None:
    if not isinstance(text, str):
        raise NoteError(f"note text must be str, not {type(text).__name__}")
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if _CONTROL.search(text):
        raise NoteError("note text must not contain control characters other than newline")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError("note text is not valid UTF-8") from exc


def sign_note(text: str, *signers: NoteSigner) -> str:
    """Sign ``text`` as a C2SP signed note.

    Parameters
    ----------
    text
        The note text: UTF-8, ending with a newline, without control characters other
        than newline (for a checkpoint, :meth:`Checkpoint.body`).
    *signers
        One or more signers; their signature lines follow in this order.

    Returns
    -------
    str
        ``text``, a blank line, then one line ``— <name> <base64(key id || sig)>`` per
        signer, each signature over the UTF-8 bytes of ``text``.

    Raises
    ------
    NoteError
        If ``text`` is not a valid note text or no signer is given.
    """
    _check_note_text(text)
    if not signers:
        raise NoteError("sign_note needs at least one signer")
    message = text.encode("utf-8")
    lines = [f"{_SIG_PREFIX}{s.name} {_b64encode(s.key_id + s.sign(message))}\n" for s in signers]
    return text + "\n" + "".join(lines)


def open_note(signed_text: str | bytes, verifiers: Iterable[NoteVerifier]) -> tuple[str, list[str]]:
    """Check a C2SP signed note and return its text and who signed it.

    Signature lines from keys that are not among ``verifiers`` are skipped (a note may
    carry cosignatures from witnesses the reader does not know; C2SP signed-note and
    Go's ``note.Open`` ignore them too). Every line from a known key must verify — this
    is stricter than Go, which looks only at the first line per key — and at least one
    must be present.

    Parameters
    ----------
    signed_text
        The signed note, as text or as UTF-8 bytes.
    verifiers
        The trusted keys.

    Returns
    -------
    text : str
        The note text, including its final newline (for a checkpoint, pass it to
        :meth:`Checkpoint.parse`).
    names : list of str
        The names of the keys whose signatures verified, in note order, each once.

    Raises
    ------
    NoteError
        If the note is malformed, a signature by a known key does not verify, two
        trusted keys share a name and key ID, or no signature is by a known key.
    """
    if isinstance(signed_text, bytes):
        try:
            signed_text = signed_text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("malformed note: not valid UTF-8") from exc
    if _CONTROL.search(signed_text):
        raise NoteError("malformed note: control characters other than newline")
    # The signature block follows the last blank line: it is the only blank line that
    # cannot be part of the text, since signature lines are never empty.
    split = signed_text.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = signed_text[: split + 1], signed_text[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("malformed note: the signature block must end with a newline")
    try:
        message = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError("malformed note: not valid UTF-8") from exc

    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for v in verifiers:
        other = known.setdefault((v.name, v.key_id), v)
        if other.public_key != v.public_key:
            raise NoteError(
                f"ambiguous verifiers: two keys named {v.name!r} with ID {v.key_id.hex()}"
            )

    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    names: list[str] = []
    unknown: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(
                f"malformed note: signature line {number} does not start with an em dash "
                "and a space"
            )
        name, _, sig64 = line[len(_SIG_PREFIX) :].partition(" ")
        raw = _b64decode(sig64)
        if not _is_valid_name(name) or raw is None or len(raw) < 5:
            raise NoteError(
                f"malformed note: signature line {number} is not '— <name> <base64 signature>'"
            )
        verifier = known.get((name, raw[:4]))
        if verifier is None:
            unknown.append(f"{name}+{raw[:4].hex()}")
            continue
        if not verifier.verify(message, raw[4:]):
            raise NoteError(f"invalid signature by key {name}+{raw[:4].hex()}")
        if name not in names:
            names.append(name)
    if not names:
        seen = ", ".join(unknown)
        raise NoteError(f"note has no signature by a trusted key (signed by: {seen})")
    return text, names


@dataclass(frozen=True)
class Checkpoint:
    """A transparency-log tree head in the C2SP tlog-checkpoint format.

    Parameters
    ----------
    origin
        The unique name of the log (C2SP recommends a schema-less URL, e.g.
        ``bastion.example.org/audit``); non-empty, one line.
    size
        The number of leaves in the tree, ``0 <= size < 2**64``.
    root_hash
        The 32-byte RFC 9162 Merkle root of those leaves.
    extensions
        Optional extra lines after the root (non-empty, one line each). C2SP calls
        them NOT RECOMMENDED; they are kept for reading other logs' checkpoints.

    Examples
    --------
    >>> cp = Checkpoint("example.com/log", 2, bytes(32))
    >>> print(cp.body(), end="")
    example.com/log
    2
    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
    >>> Checkpoint.parse(cp.body()) == cp
    True
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise CheckpointError(f"size must be an int, not {type(self.size).__name__}")
        if not 0 <= self.size <= _MAX_TREE_SIZE:
            raise CheckpointError(f"size must be between 0 and 2**64 - 1, got {self.size}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != _HASH_SIZE:
            got = len(self.root_hash) if isinstance(self.root_hash, bytes) else "not"
            raise CheckpointError(f"root_hash must be 32 bytes, got {got} bytes")
        if not isinstance(self.extensions, tuple):
            raise CheckpointError("extensions must be a tuple of lines")
        for i, line in enumerate(self.extensions):
            _check_line(line, f"extension line {i}")

    def body(self) -> str:
        """The note text: origin, size, base64 root, then extension lines, each + ``\\n``.

        Returns
        -------
        str
            The text to sign with :func:`sign_note` (or :meth:`sign`).
        """
        lines = [self.origin, str(self.size), _b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body (the text of an opened note).

        Strict: the size must be canonical decimal and the root canonical base64 of 32
        bytes, so that ``parse(text).body() == text`` for every text it accepts.

        Parameters
        ----------
        text
            The checkpoint body, ending with a newline.

        Returns
        -------
        Checkpoint

        Raises
        ------
        CheckpointError
            If the body is not a tlog-checkpoint.
        """
        if not isinstance(text, str) or not text.endswith("\n"):
            raise CheckpointError("checkpoint body must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(
                f"checkpoint body has {len(lines)} lines; it needs origin, size and root hash"
            )
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text) or int(size_text) > _MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {size_text!r} is not a decimal uint64")
        root_hash = _b64decode(root_text)
        if root_hash is None:
            raise CheckpointError(f"root hash {root_text!r} is not canonical base64")
        return cls(origin, int(size_text), root_hash, tuple(extensions))

    def sign(self, *signers: NoteSigner) -> str:
        """Sign this checkpoint as a note, see :func:`sign_note`.

        Parameters
        ----------
        *signers
            The log's signer (its key name should be the origin), and any others.

        Returns
        -------
        str
            The signed checkpoint.
        """
        return sign_note(self.body(), *signers)

    @classmethod
    def open(
        cls,
        signed_text: str | bytes,
        verifiers: Iterable[NoteVerifier],
        *,
        origin: str | None = None,
    ) -> Checkpoint:
        """Verify a signed checkpoint and parse it.

        Parameters
        ----------
        signed_text
            The signed checkpoint note.
        verifiers
            The trusted keys, see :func:`open_note`.
        origin
            If given, the origin the checkpoint must name: tlog-checkpoint clients must
            not accept one log's checkpoint for another.

        Returns
        -------
        Checkpoint

        Raises
        ------
        NoteError
            If the note does not verify.
        CheckpointError
            If the verified text is not a checkpoint, or not for ``origin``.
        """
        text, _ = open_note(signed_text, verifiers)
        checkpoint = cls.parse(text)
        if origin is not None and checkpoint.origin != origin:
            raise CheckpointError(
                f"checkpoint is for origin {checkpoint.origin!r}, expected {origin!r}"
            )
        return checkpoint


def _check_line(value: str, what: str) -> None:
    if not isinstance(value, str):
        raise CheckpointError(f"{what} must be str, not {type(value).__name__}")
    if not value:
        raise CheckpointError(f"{what} must not be empty")
    if "\n" in value or _CONTROL.search(value):
        raise CheckpointError(f"{what} must be one line without control characters")
