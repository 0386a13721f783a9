"""Password hashing: argon2id with RFC 9106 parameters; wrong passwords fail."""

import pytest
from argon2 import extract_parameters

from bastion.errors import InvalidInput
from bastion.iam import passwords


def test_hashes_are_argon2id_with_the_documented_parameters() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    params = extract_parameters(stored)
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 64 * 1024, 4)
    assert passwords.hash_password("correct horse battery") != stored  # salted


def test_verify_accepts_the_password_and_nothing_else() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "correct horse batterY")
    assert not passwords.verify_password(stored, "")
    assert not passwords.verify_password(None, "correct horse battery")
    assert not passwords.verify_password("not a hash", "correct horse battery")


@pytest.mark.parametrize("password", ["short", "x" * 1025])
def test_weak_or_huge_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput):
        passwords.hash_password(password)
