"""The canonical encoding hashed into the tree."""

import pytest

from bastion.ledger.entry import ENTRY_FIELDS, canonical_bytes, entry_leaf_hash


def _entry(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = dict.fromkeys(ENTRY_FIELDS)
    entry.update(seq=0, recorded_at="2026-11-26T06:00:00.000000Z", actor_kind="test")
    entry.update(action="a", resource_type="r", outcome="success", details={})
    entry.update(overrides)
    return entry


def test_encoding_is_compact_sorted_utf8() -> None:
    raw = canonical_bytes(_entry(details={"b": 1, "a": "é"}))
    assert raw.startswith(b'{"action":"a","actor_id":null')
    assert '"details":{"a":"é","b":1}'.encode() in raw
    assert b" " not in raw


def test_field_order_and_extra_fields_do_not_change_the_hash() -> None:
    entry = _entry()
    reordered = dict(reversed(list(entry.items())))
    assert entry_leaf_hash(entry) == entry_leaf_hash({**reordered, "leaf_hash": "x"})


def test_any_change_changes_the_hash() -> None:
    assert entry_leaf_hash(_entry()) != entry_leaf_hash(_entry(outcome="failure"))
    assert entry_leaf_hash(_entry()) != entry_leaf_hash(_entry(seq=1))


@pytest.mark.parametrize("bad", [1.5, float("nan"), b"bytes", {1: "x"}, object()])
def test_values_without_one_text_form_are_refused(bad: object) -> None:
    with pytest.raises(TypeError, match="details"):
        canonical_bytes(_entry(details={"value": bad}), check=True)


def test_missing_field_is_named() -> None:
    entry = _entry()
    del entry["outcome"]
    with pytest.raises(ValueError, match="outcome"):
        canonical_bytes(entry)
