"""The keys behind keyed pseudonymization and format-preserving tokenization.

A :class:`Keys` object holds three secrets: the HMAC-SHA256 key of ``pseudonymize``, and
the AES key and 56-bit tweak of FF3-1 for ``tokenize``. They come from the caller — bytes,
a key file, an environment variable — never from a spec, so a spec can be shared and
reviewed while the keys stay with whoever may link or reverse the output.

One piece of key material (at least 128 bits) gives all three through HKDF-SHA256
(RFC 5869) with a separate ``info`` label each, so the pseudonyms reveal nothing about the
tokenization key and the other way round. Nothing here logs, prints or reprs key material:
a :class:`Keys` shows only its ``key_id``, a fingerprint safe to record in reports.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bastion.anonymize.errors import KeyMaterialError

__all__ = ["MIN_KEY_BYTES", "Keys", "generate_key_file"]

MIN_KEY_BYTES = 16
"""Key material shorter than 128 bits is refused (NIST SP 800-131A: 112 bits at least;
128 is what AES, the smallest FF3-1 key, needs)."""

"""The environment variable :meth:`Keys.from_env` reads unless told another."""

_GENERATED_BYTES = 32
_TWEAK_BYTES = 7  # FF3-1's tweak is 56 bits (NIST SP 800-38G Rev. 1 draft, 2019)
_FF3_KEY_BYTES = (16, 24, 32)  # AES-128, -192, -256
_INFO_HMAC = b"bastion.anonymize/pseudonymize/hmac-sha256/v1"
_INFO_FF3_KEY = b"bastion.anonymize/tokenize/ff3-1-key/v1"
_INFO_FF3_TWEAK = b"bastion.anonymize/tokenize/ff3-1-tweak/v1"
_KEY_ID_LABEL = b"bastion.anonymize/key-id/v1"


def _derive(material: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(material)


def _check_material(material: bytes, where: str) -> bytes:
    if not isinstance(material, bytes | bytearray):
        raise KeyMaterialError(
            f"{where}: key material must be bytes, got {type(material).__name__}", field="key"
        )
    if len(material) < MIN_KEY_BYTES:
        raise KeyMaterialError(
            f"{where}: the key is {len(material) * 8} bits; at least {MIN_KEY_BYTES * 8} are "
            "needed (generate one with bastion.anonymize.generate_key_file)",
            field="key",
        )
    return bytes(material)


def _from_hex(text: str, where: str) -> bytes:
    cleaned = "".join(text.split())
    if not cleaned:
        raise KeyMaterialError(f"{where}: holds no key", field="key")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        # The content is secret: say what was expected, never what was found.
        raise KeyMaterialError(
            f"{where}: does not hold a key written in hex (as generate_key_file writes it)",
            field="key",
        ) from None


class Keys:
    """The caller's keys for ``pseudonymize`` and ``tokenize``.

    Build one with :meth:`from_bytes`, :meth:`from_file` or :meth:`from_env` (one piece of
    key material, the three keys derived from it), or directly from the three keys when
    they are managed separately.

    Parameters
    ----------
    hmac_key : bytes
        The HMAC-SHA256 key of pseudonymization, at least 16 bytes.
    ff3_key : bytes
        The AES key of FF3-1: 16, 24 or 32 bytes.
    ff3_tweak : bytes
        The FF3-1 tweak: 7 bytes (56 bits). Tokens made with one tweak detokenize only
        with the same tweak.

    Raises
    ------
    KeyMaterialError
        If a key is shorter than 128 bits, or the FF3-1 key or tweak has another length.
    """

    __slots__ = ("_ff3_key", "_ff3_tweak", "_hmac_key", "_key_id")

    def __init__(self, *, hmac_key: bytes, ff3_key: bytes, ff3_tweak: bytes) -> None:
        self._hmac_key = _check_material(hmac_key, "hmac_key")
        ff3_key = _check_material(ff3_key, "ff3_key")
        if len(ff3_key) not in _FF3_KEY_BYTES:
            raise KeyMaterialError(
                f"ff3_key: FF3-1 takes an AES key of 128, 192 or 256 bits, not {len(ff3_key) * 8}",
                field="key",
            )
        self._ff3_key = ff3_key
        if not isinstance(ff3_tweak, bytes | bytearray) or len(ff3_tweak) != _TWEAK_BYTES:
            length = len(ff3_tweak) * 8 if isinstance(ff3_tweak, bytes | bytearray) else None
            raise KeyMaterialError(
                f"ff3_tweak: FF3-1 takes a 56-bit (7-byte) tweak, got "
                f"{length if length is not None else type(ff3_tweak).__name__} bits",
                field="tweak",
            )
        self._ff3_tweak = bytes(ff3_tweak)
        # A fingerprint of all three keys: two reports with the same key_id were made
        # with the same keys (their pseudonyms join), and it reveals nothing of them.
        inner = hashlib.sha256(self._ff3_key + self._ff3_tweak).digest()
        self._key_id = hmac.new(self._hmac_key, _KEY_ID_LABEL + inner, "sha256").hexdigest()[:16]

    @classmethod
    def from_bytes(cls, material: bytes, *, tweak: bytes | None = None) -> Keys:
        """The keys derived from one piece of key material (HKDF-SHA256).

        Parameters
        ----------
        material : bytes
            At least 16 bytes of secret, random key material.
        tweak : bytes, optional
            The FF3-1 tweak (7 bytes), when the caller manages it apart from the key;
            by default it is derived from the material too.
        """
        material = _check_material(material, "key material")
        return cls(
            hmac_key=_derive(material, _INFO_HMAC, 32),
            ff3_key=_derive(material, _INFO_FF3_KEY, 32),
            ff3_tweak=tweak if tweak is not None else _derive(material, _INFO_FF3_TWEAK, 7),
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, tweak: bytes | None = None) -> Keys:
        """The keys derived from a key file holding hex key material.

        Such a file is written by :func:`generate_key_file`. Its content is never shown,
        not even in errors.
        """
        p = Path(path)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise KeyMaterialError(f"key file {p}: no such file", field="key") from None
        except OSError as exc:
            raise KeyMaterialError(
                f"key file {p}: cannot be read ({exc.strerror})", field="key"
            ) from None
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            text = "not hex"  # a binary file: reported as not holding hex, content unshown
        return cls.from_bytes(_from_hex(text, f"key file {p}"), tweak=tweak)

    @classmethod
    def from_hex(cls, text: str, *, source: str = "key", tweak: bytes | None = None) -> Keys:
        """The keys derived from hex key material, e.g. a secret setting
        (``BASTION_ANONYMIZE_KEY`` for the CLI). ``source`` names it in errors; the
        material itself is never shown."""
        return cls.from_bytes(_from_hex(text, source), tweak=tweak)

    @property
    def hmac_key(self) -> bytes:
        """The HMAC-SHA256 key of ``pseudonymize`` (secret)."""
        return self._hmac_key

    @property
    def ff3_key(self) -> bytes:
        """The AES key of FF3-1 (secret)."""
        return self._ff3_key

    @property
    def ff3_tweak(self) -> bytes:
        """The 56-bit FF3-1 tweak."""
        return self._ff3_tweak

    @property
    def key_id(self) -> str:
        """A fingerprint of the keys (16 hex digits) that reveals nothing about them."""
        return self._key_id

    def __repr__(self) -> str:
        return f"Keys(key_id={self._key_id!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Keys):
            return NotImplemented
        return hmac.compare_digest(self._key_id, other._key_id)

    def __hash__(self) -> int:
        return hash(self._key_id)


def generate_key_file(path: str | os.PathLike[str]) -> Path:
    """Write 32 random bytes of key material, in hex, to a new file readable by its owner only.

    The file is created with mode 0600 and never overwritten; the key is not printed or
    returned. Read it back with :meth:`Keys.from_file`.

    Raises
    ------
    KeyMaterialError
        If the file exists already, or cannot be created.
    """
    p = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags, 0o600)
    except FileExistsError:
        raise KeyMaterialError(
            f"key file {p} exists already; it is never overwritten (a lost key makes its "
            "pseudonyms unlinkable and its tokens irreversible)",
            field="key",
        ) from None
    except OSError as exc:
        raise KeyMaterialError(f"key file {p}: cannot be created ({exc.strerror})") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask: the owner alone reads it
        os.write(fd, binascii.hexlify(secrets.token_bytes(_GENERATED_BYTES)) + b"\n")
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        p.unlink(missing_ok=True)
        raise
    os.close(fd)
    return p
