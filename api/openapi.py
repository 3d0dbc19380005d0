"""The API's routes, declared once: `api_route` registers a view and documents it; the OpenAPI 3.1 description."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.errors import HEADER_LIMITS
from billing.schemas import ErrorResponse
from jobs.store import JobPublic
from models.db import MAX_ID


@dataclass(frozen=True)
class Operation:
    """One documented API operation."""

    method: str
    path: str
    summary: str
    request: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    request_content_type: str
    headers: tuple[str, ...]
    other_statuses: dict[int, str]
    background: bool = False  # large requests answer 202 with a job to follow
    query: type[BaseModel] | None = None
    integer_parameters: tuple[str, ...] = ()


_operations: list[Operation] = []
# Flask names a path argument for the view (`bill_id`); the published description keeps its own name (`{id}`).
PUBLISHED_NAMES = {"bill_id": "id"}
FLASK_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def published_path(rule: str) -> tuple[str, tuple[str, ...]]:
    """The OpenAPI path of a Flask rule, and which of its parameters are integers (`<int:…>`)."""
    integers = tuple(
        PUBLISHED_NAMES.get(name, name) for converter, name in FLASK_ARGUMENT.findall(rule) if converter == "int"
    )
    return FLASK_ARGUMENT.sub(lambda m: "{" + PUBLISHED_NAMES.get(m.group(2), m.group(2)) + "}", rule), integers


def api_route(
    blueprint: Blueprint,
    method: str,
    rule: str,
    *,
    summary: str,
    request: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    request_content_type: str = "application/json",
    background: bool = False,
    query: type[BaseModel] | None = None,
    headers: tuple[str, ...] = (),
    other_statuses: dict[int, str] | None = None,
):
    """Register the view on the blueprint at `rule` and document it at the same path: each written once."""
    path, integers = published_path(rule)
    operation = Operation(
        method.lower(),
        path,
        summary,
        request,
        response,
        status,
        request_content_type,
        headers,
        other_statuses or {},
        background,
        query,
        integers,
    )

    def register(view):
        _operations.append(operation)
        return blueprint.route(rule, methods=[method.upper()])(view)

    return register


def openapi_document(*, server_url: str) -> dict:
    """The whole description, with every model under components/schemas."""
    models = {op.request for op in _operations} | {op.response for op in _operations} | {ErrorResponse, JobPublic}
    models.discard(None)
    ordered = sorted(models, key=lambda model: model.__name__)
    _, schemas = models_json_schema(
        [(model, "validation") for model in ordered], ref_template="#/components/schemas/{model}"
    )
    paths: dict[str, dict] = {}
    for op in _operations:
        paths.setdefault(op.path, {})[op.method] = _operation_object(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ClickPay Assistant biller API", "version": "1.0.0"},
        "servers": [{"url": server_url}],
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"apiKey": []}],
        "paths": paths,
    }


# Every operation can answer these: malformed or oversized bodies, wrong media types, bad keys, missing ids.
ERROR_STATUSES = (
    ("400", "Malformed request (for example, the body is not valid JSON)"),
    ("401", "Missing or invalid API key"),
    ("404", "Not found for this biller"),
    ("409", "Conflicts with existing data"),
    ("413", "The body is larger than the API accepts"),
    ("415", "The body's media type is not one this operation takes"),
    ("422", "A field, header or query value breaks a rule"),
)


def _path_schema(name: str, integers: tuple[str, ...]) -> dict:
    if name in integers:
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"type": "string", "minLength": 1, "maxLength": 64}


def _operation_object(op: Operation) -> dict:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    responses: dict = {str(op.status): {"description": "Success"}}
    responses.update({str(status): {"description": text} for status, text in op.other_statuses.items()})
    if op.response:
        for status in (op.status, *op.other_statuses):
            responses[str(status)]["content"] = {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{op.response.__name__}"}}
            }
    if op.background:
        responses["202"] = {
            "description": "Too large to answer at once: queued as a background job; follow Location",
            "headers": {"Location": {"description": "/api/v1/jobs/{id}", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobPublic"}}},
        }
    for status, description in ERROR_STATUSES:
        responses[status] = {"description": description, **error}
    operation = {"summary": op.summary, "responses": responses}
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(name, op.integer_parameters)}
        for name in re.findall(r"{(\w+)}", op.path)
    ]
    if op.query:
        schema = op.query.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": field}
            for name, field in schema["properties"].items()
        ]
    parameters += [
        {"name": header, "in": "header", "required": False, "schema": {"type": "string", "maxLength": limit}}
        for header, limit in ((name, HEADER_LIMITS[name]) for name in op.headers)
    ]
    if parameters:
        operation["parameters"] = parameters
    if op.request:
        schema = {"$ref": f"#/components/schemas/{op.request.__name__}"}
        operation["requestBody"] = {"required": True, "content": {op.request_content_type: {"schema": schema}}}
    elif op.request_content_type == "text/csv":
        operation["requestBody"] = {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    return operation
