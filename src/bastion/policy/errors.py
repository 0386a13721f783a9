"""The one error of the policy package: a bundle that cannot be used as it is."""

from bastion.errors import InvalidInput


class PolicyError(InvalidInput):
    """A bundle refused on upload or load: its file, line and message when known.

    ``str(error)`` reads ``policy.rego:12: Invalid assignment operator``; ``field`` is the
    file, for the API's problem+json.
    """

    def __init__(
        self,
        detail: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        message: str | None = None,
    ) -> None:
        super().__init__(detail, field=file, file=file, line=line, column=column)
        self.file = file
        self.line = line
        self.column = column
        self.message = message or detail
