"""Domain and HTTP errors as responses: JSON for machine clients (/api, /webhooks), a page for people.

Shared by every surface (api, webhooks, web), so none of them imports another to explain a refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, jsonify, request
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from errors import DomainError

JSON_PREFIXES = ("/api/", "/webhooks/")
# The database cannot answer just now (down, restarting, failing over, every pooled connection busy): a retry cures
# these, so the client is told when to retry instead of getting a 500 and the log a stack trace per request.
DATABASE_OUTAGES = (OperationalError, InterfaceError, PoolTimeout)
OUTAGE_RETRY_AFTER_SECONDS = 30

log = logging.getLogger(__name__)


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


def passed_on_headers(exc: HTTPException) -> dict[str, str]:
    """An HTTP error's own headers (Allow on a 405, Retry-After on a 429 or 503), for whichever body answers it."""
    return {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}


def http_error_json(exc: HTTPException):
    """An HTTP error in the API's JSON shape, keeping its headers."""
    code = (exc.name or "error").lower().replace(" ", "_")
    body, status = error_response(exc.code or 500, code, exc.description or exc.name)
    body.headers.update(passed_on_headers(exc))
    return body, status


def outage_reason(exc: Exception) -> str:
    """The driver's first line about an outage, for a log line: not the SQL or its parameters (customers' data)."""
    return str(getattr(exc, "orig", None) or exc).strip().partition("\n")[0][:200]


def database_unavailable(exc: Exception) -> ServiceUnavailable:
    """A database outage as a 503 with Retry-After, logged as one warning line: the route and the driver's reason,
    no stack trace and nothing from the request (its path holds a link's token)."""
    log.warning("database unavailable, answered 503: %s %s: %s", request.method, request.endpoint, outage_reason(exc))
    return ServiceUnavailable(
        "The database cannot be reached just now. Try again in a minute.", retry_after=OUTAGE_RETRY_AFTER_SECONDS
    )


def register_domain_errors(app: Flask, *, page: Callable[[DomainError], object]) -> None:
    """Answer a domain error with its own status: JSON for machine clients, `page(error)` for people."""

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        if wants_json(request.path):
            return error_response(exc.status, exc.code, exc.message, exc.field)
        return page(exc)


def register_database_outages(app: Flask, *, page: Callable[[ServiceUnavailable], object]) -> None:
    """Answer a database outage with 503 and Retry-After: JSON for machine clients, `page(the 503)` for people."""

    def _database_unavailable(exc: Exception):
        unavailable = database_unavailable(exc)
        if wants_json(request.path):
            return http_error_json(unavailable)
        return page(unavailable)

    for outage in DATABASE_OUTAGES:
        app.register_error_handler(outage, _database_unavailable)
