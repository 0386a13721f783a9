"""Password hashing with argon2id (RFC 9106), through argon2-cffi.

The parameters are RFC 9106's second recommended option (64 MiB of memory, 3 passes,
4 lanes); stored hashes carry their parameters, so raising them later only needs
``needs_rehash`` at the next login.
"""

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bastion.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024

HASHER = PasswordHasher(
    time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, salt_len=16, type=Type.ID
)
# Verified against when the username is unknown, so that a miss costs as much as a hit
# and response times do not tell which usernames exist.
_DUMMY_HASH = HASHER.hash("bastion-dummy-password")


def check_strength(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidInput(
            f"password must be {MIN_LENGTH} to {MAX_LENGTH} characters long", field="password"
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; False for no hash (which costs the same time)."""
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)
