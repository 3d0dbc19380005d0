"""The biller REST API under /api/v1, authenticated by per-biller API keys."""

from flask import Blueprint, jsonify, request

from api.auth import authenticate_request
from api.errors import check_request_text
from api.openapi import api_route, openapi_document
from config import current_settings

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def route(method: str, rule: str, **documentation):
    """Declare an API operation once: registered on the blueprint and described in /openapi.json."""
    return api_route(bp, method, rule, **documentation)


@bp.before_request
def _authenticate():
    if request.endpoint != "api.openapi_json":
        authenticate_request()
    check_request_text()


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 description of this API, generated from its models."""
    return jsonify(openapi_document(server_url=f"{current_settings().public_base_url}/api/v1"))


from api import (  # noqa: E402,F401  (routes register themselves on bp)
    bills,
    customers,
    dunning,
    jobs,
    listing,
    messages,
    payments,
    reconciliation,
    webhook_endpoints,
)
