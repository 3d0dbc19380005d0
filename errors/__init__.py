"""Domain errors that every surface (API, CSV report, bot, console) can explain to a person.

The lowest layer: every package may raise them; only the surfaces turn them into JSON or pages (errors.http)."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses, with a stable code, a message and the field at fault."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidInput(DomainError):
    """A value that breaks a rule of the domain."""

    status = 422
    code = "invalid"


class Conflict(DomainError):
    """The request clashes with what already exists (a duplicate reference, a closed bill)."""

    status = 409
    code = "conflict"


class NotFound(DomainError):
    """Nothing by that name exists for this biller."""

    status = 404
    code = "not_found"
