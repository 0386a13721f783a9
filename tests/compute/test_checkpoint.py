"""C2SP signed notes and tlog-checkpoints: Go's published example byte for byte, key
strings, round trips, and rejection of every tampered, malformed or untrusted note."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion import merkle
from bastion.checkpoint import (
    MAX_SIGNATURES,
    Checkpoint,
    CheckpointError,
    NoteError,
    NoteSigner,
    NoteVerifier,
    key_id,
    open_note,
    sign_note,
)

# The example of golang.org/x/mod/sumdb/note (package documentation and
# example_test.go): keys, text, and the signed note that Go's note.Sign prints.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_PETER_LINE = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
    "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
GO_NOTE = GO_TEXT + "\n" + GO_PETER_LINE
# Go's example adds a second signature with GenerateKey(zeroReader, "EnochRoot"): an
# Ed25519 seed of 32 zero bytes.
GO_ENOCH_LINE = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01o"
    "OTGwnWLox33WWd1RvMc+QQ=\n"
)

ORIGIN = "bastion.example/audit"


@pytest.fixture(scope="module")
def signer() -> NoteSigner:
    return NoteSigner.generate(ORIGIN)


@pytest.fixture(scope="module")
def checkpoint() -> Checkpoint:
    leaves = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(10)]
    return Checkpoint(ORIGIN, 10, merkle.root(leaves))


# --- Go's published example -------------------------------------------------------------


def test_go_example_keys_parse_and_round_trip() -> None:
    verifier = NoteVerifier.from_key(GO_VKEY)
    signer = NoteSigner.from_key(GO_SKEY)
    assert verifier.name == signer.name == "PeterNeumann"
    assert verifier.key_id.hex() == signer.key_id.hex() == "c74f20a3"
    assert key_id("PeterNeumann", verifier.public_key) == bytes.fromhex("c74f20a3")
    assert signer.verifier() == verifier
    assert verifier.key() == GO_VKEY
    assert signer.key() == GO_SKEY


def test_go_example_note_is_signed_byte_for_byte() -> None:
    signer = NoteSigner.from_key(GO_SKEY)
    assert sign_note(GO_TEXT, signer) == GO_NOTE
    assert open_note(GO_NOTE, [NoteVerifier.from_key(GO_VKEY)]) == (GO_TEXT, ["PeterNeumann"])
    assert open_note(GO_NOTE.encode(), [NoteVerifier.from_key(GO_VKEY)])[1] == ["PeterNeumann"]


def test_go_example_doubly_signed_note() -> None:
    enoch = NoteSigner("EnochRoot", Ed25519PrivateKey.from_private_bytes(bytes(32)))
    signed = sign_note(GO_TEXT, NoteSigner.from_key(GO_SKEY), enoch)
    assert signed == GO_NOTE + GO_ENOCH_LINE
    both = [NoteVerifier.from_key(GO_VKEY), enoch.verifier()]
    assert open_note(signed, both) == (GO_TEXT, ["PeterNeumann", "EnochRoot"])
    # A reader who knows only one of the keys skips the other's signature.
    assert open_note(signed, [enoch.verifier()]) == (GO_TEXT, ["EnochRoot"])


def _manglings(key: str) -> list[str]:
    """Go's TestNewVerifier / TestNewSigner: every proper substring, every byte + 1."""
    out = [key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)]
    out.remove(key)
    out += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return out


def test_every_mangled_verifier_key_is_rejected() -> None:
    for bad in _manglings(GO_VKEY):
        with pytest.raises(NoteError):
            NoteVerifier.from_key(bad)


def test_every_mangled_signer_key_is_rejected() -> None:
    for bad in _manglings(GO_SKEY):
        with pytest.raises(NoteError):
            NoteSigner.from_key(bad)


def test_go_bad_keys_with_adjusted_key_ids() -> None:
    # From Go's TestNewVerifier: the key IDs match, but the keys are not Ed25519 keys.
    # The first one's base64 is also non-canonical ("Y==" leaves unused bits set), which
    # we reject before looking at its length.
    with pytest.raises(NoteError, match="malformed verifier key"):
        NoteVerifier.from_key(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
    with pytest.raises(NoteError, match="not a 32-byte Ed25519 key"):
        NoteVerifier.from_key(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEQ=="
        )
    with pytest.raises(NoteError, match="unknown algorithm 101"):
        NoteVerifier.from_key("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


# --- keys -----------------------------------------------------------------------------


def test_generated_keys_round_trip(signer: NoteSigner) -> None:
    again = NoteSigner.from_key(signer.key())
    assert again.key() == signer.key()
    assert again.verifier() == signer.verifier()
    verifier = NoteVerifier.from_key(signer.verifier().key())
    assert verifier == signer.verifier()
    assert verifier.key().startswith(f"{ORIGIN}+{signer.key_id.hex()}+")
    assert NoteSigner.generate(ORIGIN).key() != signer.key()


def test_signer_repr_hides_the_private_key(signer: NoteSigner) -> None:
    # PRIVATE+KEY+<name>+<key id>+<key>: the key itself is base64, which may hold "+".
    secret = signer.key().split("+", 4)[4]
    assert secret not in repr(signer)
    assert signer.key_id.hex() in repr(signer)


@pytest.mark.parametrize("name", ["", "with space", "a+b", "tab\tname", "new\nline"])
def test_invalid_key_names_are_rejected(name: str) -> None:
    with pytest.raises(NoteError, match="invalid key name"):
        NoteSigner.generate(name)


def test_key_id_mismatch_is_reported() -> None:
    name, _, rest = GO_VKEY.partition("+")
    with pytest.raises(NoteError, match="key ID 00000000 does not match"):
        NoteVerifier.from_key(f"{name}+00000000+{rest.partition('+')[2]}")
    with pytest.raises(NoteError, match="does not match the key"):
        NoteSigner.from_key(GO_SKEY.replace("PeterNeumann", "PeterNeumannX"))


def test_signer_key_errors_do_not_echo_the_secret() -> None:
    broken = GO_SKEY.replace("PRIVATE", "PRIVAT")
    with pytest.raises(NoteError) as info:
        NoteSigner.from_key(broken)
    assert GO_SKEY.rsplit("+", 1)[1] not in str(info.value)


# --- signing and opening --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no final newline", "must end with a newline"),
        ("bell \a\n", "control characters"),
        ("carriage\r\n", "control characters"),
        ("lone \udc80 surrogate\n", "not valid UTF-8"),
    ],
)
def test_sign_note_rejects_invalid_text(signer: NoteSigner, text: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        sign_note(text, signer)


def test_sign_note_needs_a_signer() -> None:
    with pytest.raises(NoteError, match="at least one signer"):
        sign_note("text\n")


def test_every_changed_byte_is_rejected(signer: NoteSigner, checkpoint: Checkpoint) -> None:
    signed = checkpoint.sign(signer).encode()
    verifiers = [signer.verifier()]
    assert Checkpoint.open(signed, verifiers) == checkpoint
    for i in range(len(signed)):
        for delta in (1, 0x20, 0x80):
            tampered = bytearray(signed)
            tampered[i] ^= delta
            with pytest.raises(NoteError):
                open_note(bytes(tampered), verifiers)


def test_wrong_key_is_rejected(signer: NoteSigner) -> None:
    signed = sign_note("hello\n", signer)
    impostor = NoteSigner.generate(ORIGIN)  # same name, another key: another key ID
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        open_note(signed, [impostor.verifier()])
    with pytest.raises(NoteError, match=rf"signed by: {ORIGIN}\+{signer.key_id.hex()}"):
        open_note(signed, [])


def test_bad_signature_by_a_known_key_is_rejected(signer: NoteSigner) -> None:
    line = f"\u2014 {ORIGIN} {base64.b64encode(signer.key_id + bytes(64)).decode()}\n"
    with pytest.raises(NoteError, match=rf"invalid signature by key {ORIGIN}\+"):
        open_note("hello\n\n" + line, [signer.verifier()])
    # Also when a good signature by the same key comes first.
    good = sign_note("hello\n", signer)
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(good + line, [signer.verifier()])


def test_signature_over_other_text_is_rejected(signer: NoteSigner) -> None:
    line = sign_note("hello\n", signer).split("\n\n", 1)[1]
    with pytest.raises(NoteError, match="invalid signature"):
        open_note("goodbye\n\n" + line, [signer.verifier()])


def test_unknown_signatures_are_skipped_and_duplicates_reported_once(
    signer: NoteSigner,
) -> None:
    witness = NoteSigner.generate("witness.example")
    signed = sign_note("hello\n", witness, signer, signer)
    assert open_note(signed, [signer.verifier()]) == ("hello\n", [ORIGIN])


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("hello\n\u2014 a AAAAAAA=\n", "no blank line"),
        ("hello\n\n", "signature block must end"),
        ("hello\n\n\u2014 a AAAAAAA=", "signature block must end"),
        ("hello\n\n-- a AAAAAAA=\n", "does not start with an em dash"),
        ("hello\n\n\u2014a AAAAAAA=\n", "does not start with an em dash"),
        ("hello\n\n\u2014 a\n", "is not '\u2014 <name>"),
        ("hello\n\n\u2014 a AAAA\n", "is not '\u2014 <name>"),
        ("hello\n\n\u2014 a not-base64!\n", "is not '\u2014 <name>"),
        ("hello\n\n\u2014 a+b AAAAAAA=\n", "is not '\u2014 <name>"),
        ("hello\n\n\u2014 a AAAAAAA=\n\n", "signature block must end"),
        ("hel\x00lo\n\n\u2014 a AAAAAAA=\n", "control characters"),
        (b"hel\xfflo\n\n\xe2\x80\x94 a AAAAAAA=\n", "not valid UTF-8"),
    ],
)
def test_malformed_notes_are_rejected(signer: NoteSigner, note: str | bytes, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        open_note(note, [signer.verifier()])


def test_too_many_signatures_are_rejected(signer: NoteSigner) -> None:
    signed = sign_note("hello\n", signer)
    line = signed.split("\n\n", 1)[1]
    open_note(signed + line * (MAX_SIGNATURES - 1), [signer.verifier()])
    with pytest.raises(NoteError, match=f"more than {MAX_SIGNATURES} signatures"):
        open_note(signed + line * MAX_SIGNATURES, [signer.verifier()])


def test_non_canonical_base64_signature_is_rejected(signer: NoteSigner) -> None:
    signed = sign_note("hello\n", signer)
    line = signed.split("\n\n", 1)[1]
    sig64 = line.rstrip("\n").rsplit(" ", 1)[1]
    # 68 bytes leave 2 unused bits in the last character before "="; set one.
    last = sig64[-2]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = alphabet[alphabet.index(last) ^ 1]
    assert base64.b64decode(sig64[:-2] + twin + "=") == base64.b64decode(sig64)
    forged = signed.replace(sig64, sig64[:-2] + twin + "=")
    with pytest.raises(NoteError, match="is not '\u2014 <name>"):
        open_note(forged, [signer.verifier()])


# --- checkpoints ----------------------------------------------------------------------


def test_checkpoint_body_is_the_c2sp_format(checkpoint: Checkpoint) -> None:
    root64 = base64.b64encode(checkpoint.root_hash).decode()
    assert checkpoint.body() == f"{ORIGIN}\n10\n{root64}\n"
    with_ext = Checkpoint(ORIGIN, 0, merkle.EMPTY_ROOT, ("ext one", "ext two"))
    assert with_ext.body() == (
        f"{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n"
    )
    assert Checkpoint.parse(with_ext.body()) == with_ext


def test_c2sp_example_checkpoint_parses() -> None:
    # The example of the C2SP tlog-checkpoint specification.
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    parsed = Checkpoint.parse(body)
    assert (parsed.origin, parsed.size) == ("example.com/behind-the-sofa", 20852163)
    assert parsed.root_hash.hex().startswith("0ac5186a")
    assert parsed.body() == body


def test_signed_checkpoint_round_trip(signer: NoteSigner, checkpoint: Checkpoint) -> None:
    signed = checkpoint.sign(signer)
    assert signed.startswith(checkpoint.body() + "\n\u2014 " + ORIGIN + " ")
    assert Checkpoint.open(signed, [signer.verifier()], origin=ORIGIN) == checkpoint
    with pytest.raises(CheckpointError, match=r"expected 'other\.example/log'"):
        Checkpoint.open(signed, [signer.verifier()], origin="other.example/log")
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        Checkpoint.open(signed, [NoteSigner.generate(ORIGIN).verifier()])


def test_signed_note_that_is_not_a_checkpoint(signer: NoteSigner) -> None:
    with pytest.raises(CheckpointError, match="needs origin, size and root hash"):
        Checkpoint.open(sign_note("just text\n", signer), [signer.verifier()])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"origin": ""}, "origin must not be empty"),
        ({"origin": "a\nb"}, "origin must be one line"),
        ({"origin": "a\tb"}, "origin must be one line"),
        ({"size": -1}, "size must be between 0 and 2\\*\\*64 - 1"),
        ({"size": 2**64}, "size must be between"),
        ({"size": True}, "size must be an int"),
        ({"size": 1.0}, "size must be an int"),
        ({"root_hash": bytes(31)}, "root_hash must be 32 bytes, got 31"),
        ({"root_hash": "00" * 32}, "root_hash must be 32 bytes"),
        ({"extensions": ("",)}, "extension line 0 must not be empty"),
        ({"extensions": ("ok", "two\nlines")}, "extension line 1 must be one line"),
        ({"extensions": ["a list"]}, "extensions must be a tuple"),
    ],
)
def test_checkpoint_fields_are_validated(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"origin": ORIGIN, "size": 1, "root_hash": bytes(32)}
    fields.update(kwargs)
    with pytest.raises(CheckpointError, match=message):
        Checkpoint(**fields)  # type: ignore[arg-type]


ROOT64 = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{ORIGIN}\n1\n{ROOT64}", "must end with a newline"),
        (f"{ORIGIN}\n1\n", "has 2 lines"),
        (f"{ORIGIN}\n01\n{ROOT64}\n", "'01' is not a decimal uint64"),
        (f"{ORIGIN}\n+1\n{ROOT64}\n", "not a decimal uint64"),
        (f"{ORIGIN}\n 1\n{ROOT64}\n", "not a decimal uint64"),
        (f"{ORIGIN}\n1_0\n{ROOT64}\n", "not a decimal uint64"),
        (f"{ORIGIN}\n\u0661\n{ROOT64}\n", "not a decimal uint64"),
        (f"{ORIGIN}\n{2**64}\n{ROOT64}\n", "not a decimal uint64"),
        (f"{ORIGIN}\n1\n{ROOT64[:-1]}\n", "not canonical base64"),
        (f"{ORIGIN}\n1\n{ROOT64[:-2]}B=\n", "not canonical base64"),
        (f"{ORIGIN}\n1\n{base64.b64encode(bytes(31)).decode()}\n", "must be 32 bytes"),
        (f"\n1\n{ROOT64}\n", "origin must not be empty"),
        (f"{ORIGIN}\n1\n{ROOT64}\n\n", "extension line 0 must not be empty"),
    ],
)
def test_malformed_checkpoint_bodies_are_rejected(body: str, message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        Checkpoint.parse(body)


_line = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)


@settings(max_examples=100, deadline=None)
@given(
    origin=_line,
    size=st.integers(0, 2**64 - 1),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(_line, max_size=3).map(tuple),
)
def test_checkpoint_round_trip_property(
    origin: str, size: int, root_hash: bytes, extensions: tuple[str, ...]
) -> None:
    checkpoint = Checkpoint(origin, size, root_hash, extensions)
    assert Checkpoint.parse(checkpoint.body()) == checkpoint
    signer = NoteSigner.from_key(GO_SKEY)
    assert Checkpoint.open(checkpoint.sign(signer), [signer.verifier()]) == checkpoint
