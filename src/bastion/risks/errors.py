"""Refusals of the risk register that need their own problem type."""

from bastion.errors import BastionError, Conflict


class StaleVersion(Conflict):
    """The change was based on a version of the risk that someone has changed since."""

    title = "Stale risk version"
    slug = "risk-version-conflict"


class UnsupportedMediaType(BastionError):
    """An import body that is neither CSV nor JSON."""

    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"
