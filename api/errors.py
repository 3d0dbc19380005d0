"""Reading API requests strictly: every refusal names its code, a message and the field at fault (errors.http)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from billing.text import first_text_problem, text_problem
from config import current_settings
from errors import InvalidInput
from errors.http import ApiError, validation_error

M = TypeVar("M", bound=BaseModel)


def parse_json_body(model: type[M]) -> M:
    """Validate the request's JSON body against a model, strictly (no silent type coercion)."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json")
    raw = request.get_data(cache=True)
    if len(raw) > current_settings().max_json_bytes:
        raise ApiError(413, "payload_too_large", "The JSON body is larger than the API accepts")
    try:
        data = json.loads(raw, parse_float=_whole_numbers_as_int)
    except ValueError:
        raise ApiError(400, "malformed_json", "The body is not valid JSON") from None
    try:
        # JSON has one number type: 1250.0 is the integer 1250 (as JSON Schema says); 1250.5 stays a float.
        parsed = model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        raise validation_error(exc) from None
    found = first_text_problem(data)
    if found:
        field, problem = found
        raise InvalidInput(f"{field}: {problem}", field=field)
    return parsed


def _whole_numbers_as_int(literal: str) -> int | float:
    number = Decimal(literal)
    whole = number.is_finite() and abs(number) < 2**63 and number == number.to_integral_value()
    return int(number) if whole else float(literal)


# Header values we store or compare, with the longest value their column or use allows.
HEADER_LIMITS = {"Idempotency-Key": 128}  # stored inside a 200-character idempotency key
QUERY_VALUE_LIMIT = 1000


def check_request_text() -> None:
    """Refuse (422, naming it) a header or query value that is too long or carries unfit characters."""
    for name, limit in HEADER_LIMITS.items():
        value = request.headers.get(name)
        if value is not None and (len(value) > limit or text_problem(value)):
            problem = text_problem(value) or f"must be at most {limit} characters"
            raise InvalidInput(f"{name}: {problem}", field=name)
    for name, value in request.args.items(multi=True):
        problem = text_problem(value) or (
            f"must be at most {QUERY_VALUE_LIMIT} characters" if len(value) > QUERY_VALUE_LIMIT else None
        )
        if problem:
            raise InvalidInput(f"{name}: {problem}", field=name)
