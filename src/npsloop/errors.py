"""The one error a service raises for input it will not store."""

from __future__ import annotations

# Neither PostgreSQL's text nor its jsonb can hold a NUL character: refused on both
# databases alike, by the imports (contacts.tabular) and at the door (npsloop.inbound).
NUL_REASON = "contains a NUL character, which can't be stored"


class InvalidInput(ValueError):
    """Input that was rejected, with a message per field saying what is accepted.

    Every face turns it into its own shape: a 422 with field errors in the API, a line in
    the rejects file of an import, a message on stderr in the CLI.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class NotFound(LookupError):
    """Something the caller named does not exist in their workspace."""
