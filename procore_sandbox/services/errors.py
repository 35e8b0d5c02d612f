"""Errors raised by services; the API and the pages turn them into Procore-shaped answers."""

from __future__ import annotations


class SandboxError(Exception):
    """A request Procore would refuse. ``status`` is the HTTP status the API answers with."""

    status = 422

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors

    def body(self) -> dict:
        return {"errors": self.errors if self.errors is not None else self.message}


class BadRequest(SandboxError):
    status = 400


class NotFound(SandboxError):
    status = 404


class Forbidden(SandboxError):
    status = 403


class Conflict(SandboxError):
    status = 409


class PayloadTooLarge(SandboxError):
    status = 413


class ItemError(Exception):
    """One item of a sync call failed; it goes to the response's ``errors`` list."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(str(errors))
        self.errors = errors


def field_error(field: str, message: str) -> ItemError:
    return ItemError({field: [message]})
