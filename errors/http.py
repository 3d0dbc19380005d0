"""Domain and HTTP errors as responses: JSON for machine clients (/api, /webhooks), a page for people.

Shared by every surface (api, webhooks, web), so none of them imports another to explain a refusal.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from errors import DomainError

JSON_PREFIXES = ("/api/", "/webhooks/")


class ApiError(DomainError):
    """A protocol-level refusal (auth, content type, size) with its own HTTP status."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code=code)
        self.status = status


def error_response(status: int, code: str, message: str, field: str | None = None):
    """The one JSON error shape: {"error": {"code", "message", "field"}}."""
    return jsonify({"error": {"code": code, "message": message, "field": field}}), status


def validation_error(exc: ValidationError) -> DomainError:
    """The first problem pydantic found, as an error naming its field in dotted form."""
    first = exc.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return ApiError(400, "malformed_json", "The body is not valid JSON")
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    code = {"missing": "missing", "extra_forbidden": "unknown_field"}.get(first["type"], "invalid")
    error = DomainError(f"{field}: {message}" if field else message, field=field, code=code)
    error.status = 422
    return error


def wants_json(path: str) -> bool:
    """Machine clients (the API, webhook senders) get JSON errors; people get pages."""
    return path.startswith(JSON_PREFIXES)


def http_error_json(exc: HTTPException):
    """An HTTP error in the API's JSON shape, keeping its headers (Allow on a 405, Retry-After on a 429)."""
    code = (exc.name or "error").lower().replace(" ", "_")
    body, status = error_response(exc.code or 500, code, exc.description or exc.name)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            body.headers[name] = value
    return body, status


def register_domain_errors(app: Flask, *, page: Callable[[DomainError], object]) -> None:
    """Answer a domain error with its own status: JSON for machine clients, `page(error)` for people."""

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        if wants_json(request.path):
            return error_response(exc.status, exc.code, exc.message, exc.field)
        return page(exc)
