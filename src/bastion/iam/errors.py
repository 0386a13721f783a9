"""Errors of the identity domain that the shared tree does not have."""

from bastion.errors import BastionError


class TooManyAttempts(BastionError):
    """Login refused while an account is locked after repeated failures."""

    status = 429
    title = "Too many attempts"
    slug = "too-many-attempts"
