"""Keys: one piece of material gives all three keys, from bytes, a file or the
environment; short or malformed material is refused without ever being shown."""

import os
import stat
from pathlib import Path

import pytest

from bastion.anonymize import KeyMaterialError, Keys, generate_key_file
from bastion.errors import InvalidInput


def test_generated_key_file_is_private_random_and_never_overwritten(tmp_path: Path) -> None:
    path = generate_key_file(tmp_path / "anon.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    material = bytes.fromhex(path.read_text())
    assert len(material) == 32
    other = generate_key_file(tmp_path / "other.key")
    assert other.read_text() != path.read_text()
    before = path.read_text()
    with pytest.raises(KeyMaterialError, match="exists already"):
        generate_key_file(path)
    assert path.read_text() == before


def test_file_hex_and_bytes_give_the_same_keys(tmp_path: Path) -> None:
    path = generate_key_file(tmp_path / "anon.key")
    material = bytes.fromhex(path.read_text())
    from_file = Keys.from_file(path)
    assert from_file == Keys.from_hex(path.read_text().strip()) == Keys.from_bytes(material)
    # The three keys are distinct derivations, not the material itself.
    assert len({from_file.hmac_key, from_file.ff3_key, material}) == 3
    assert len(from_file.ff3_tweak) == 7
    assert from_file != Keys.from_bytes(material[::-1])


def test_the_tweak_can_be_managed_apart(keys: Keys) -> None:
    material = bytes(range(32))
    mine = Keys.from_bytes(material, tweak=b"\x01" * 7)
    assert mine.ff3_tweak == b"\x01" * 7
    assert mine.hmac_key == keys.hmac_key
    assert mine.key_id != keys.key_id
    with pytest.raises(KeyMaterialError, match="56-bit"):
        Keys.from_bytes(material, tweak=b"\x01" * 8)  # FF3's 64-bit tweak: FF3-1 only


@pytest.mark.parametrize("length", [0, 8, 15])
def test_a_key_under_128_bits_is_refused(tmp_path: Path, length: int) -> None:
    short = os.urandom(length)
    with pytest.raises(KeyMaterialError, match="at least 128") as caught:
        Keys.from_bytes(short)
    assert isinstance(caught.value, InvalidInput)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "key"
    if length:
        (tmp_path / "short.key").write_text(short.hex())
        with pytest.raises(KeyMaterialError, match="at least 128"):
            Keys.from_file(tmp_path / "short.key")
        with pytest.raises(KeyMaterialError, match="at least 128"):
            Keys.from_hex(short.hex())


def test_key_material_is_never_shown(tmp_path: Path) -> None:
    secret = "this is not hex but it is secret"
    (tmp_path / "bad.key").write_text(secret)
    with pytest.raises(KeyMaterialError, match="hex") as caught:
        Keys.from_file(tmp_path / "bad.key")
    assert "secret" not in str(caught.value)
    with pytest.raises(KeyMaterialError, match="hex") as caught:
        Keys.from_hex(secret, source="BASTION_ANONYMIZE_KEY")
    assert "secret" not in str(caught.value)
    keys = Keys.from_bytes(b"\xab" * 32)
    shown = repr(keys) + str(keys)
    for material in (keys.hmac_key, keys.ff3_key, b"\xab" * 32):
        assert material.hex() not in shown
    assert keys.key_id in shown


def test_missing_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError, match="no such file"):
        Keys.from_file(tmp_path / "absent.key")
    (tmp_path / "empty.key").write_text("\n")
    with pytest.raises(KeyMaterialError, match="holds no key"):
        Keys.from_file(tmp_path / "empty.key")


def test_separately_managed_keys_are_checked() -> None:
    good = {"hmac_key": b"h" * 32, "ff3_key": b"f" * 32, "ff3_tweak": b"t" * 7}
    assert Keys(**good).ff3_key == b"f" * 32
    with pytest.raises(KeyMaterialError, match="128, 192 or 256"):
        Keys(**{**good, "ff3_key": b"f" * 20})
    with pytest.raises(KeyMaterialError, match="at least 128"):
        Keys(**{**good, "hmac_key": b"h" * 10})
