"""Outbound webhook endpoints: register, list, read, remove, send a test event, read the delivery log."""

from __future__ import annotations

from typing import Annotated

from flask import g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from accounts.audit import record_audit
from api import route
from api.auth import current_biller
from api.errors import parse_json_body
from billing.outbound import OutboundPolicy
from config import current_settings
from errors.http import validation_error
from models.db import get_session
from webhooks_out.endpoints import (
    MAX_DELIVERY_PAGE,
    DeliveryList,
    DeliveryPublic,
    WebhookEndpointIn,
    WebhookEndpointList,
    WebhookEndpointPublic,
    create_endpoint,
    delete_endpoint,
    delivery_public,
    endpoint_public,
    get_endpoint,
    list_deliveries,
    list_endpoints,
    send_test,
)


class DeliveryQuery(BaseModel):
    """A page of the delivery log."""

    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=MAX_DELIVERY_PAGE)] = 50
    cursor: Annotated[str, StringConstraints(max_length=20)] | None = None


@route(
    "POST",
    "/webhook-endpoints",
    summary="Register an endpoint for the events it wants; the answer carries its signing secret, once",
    request=WebhookEndpointIn,
    response=WebhookEndpointPublic,
    status=201,
)
def post_webhook_endpoint():
    """Register an endpoint; its URL must pass the same outbound rules as the bill fetch."""
    data = parse_json_body(WebhookEndpointIn)
    session = get_session()
    biller = current_biller()
    policy = OutboundPolicy.from_settings(current_settings())
    endpoint = create_endpoint(session=session, biller_id=biller.id, data=data, policy=policy)
    _audit(session, biller.id, "webhook_endpoint.create", endpoint.id)
    body = endpoint_public(endpoint, with_secret=True).model_dump(mode="json")
    session.commit()
    return jsonify(body), 201


@route("GET", "/webhook-endpoints", summary="List the biller's webhook endpoints", response=WebhookEndpointList)
def get_webhook_endpoints():
    """Every endpoint of the biller, without secrets."""
    endpoints = list_endpoints(session=get_session(), biller_id=current_biller().id)
    return jsonify(WebhookEndpointList(endpoints=[endpoint_public(e) for e in endpoints]).model_dump(mode="json"))


@route("GET", "/webhook-endpoints/<int:endpoint_id>", summary="Read a webhook endpoint", response=WebhookEndpointPublic)
def read_webhook_endpoint(endpoint_id: int):
    """The endpoint, without its secret."""
    endpoint = get_endpoint(session=get_session(), biller_id=current_biller().id, endpoint_id=endpoint_id)
    return jsonify(endpoint_public(endpoint).model_dump(mode="json"))


@route("DELETE", "/webhook-endpoints/<int:endpoint_id>", summary="Remove a webhook endpoint and its log", status=204)
def remove_webhook_endpoint(endpoint_id: int):
    """Nothing more is sent to it."""
    session = get_session()
    biller = current_biller()
    endpoint = get_endpoint(session=session, biller_id=biller.id, endpoint_id=endpoint_id)
    delete_endpoint(session=session, endpoint=endpoint)
    _audit(session, biller.id, "webhook_endpoint.delete", endpoint_id)
    session.commit()
    return "", 204


@route(
    "POST",
    "/webhook-endpoints/<int:endpoint_id>/test",
    summary="Queue a signed webhook.test event for this endpoint",
    response=DeliveryPublic,
    status=202,
)
def test_webhook_endpoint(endpoint_id: int):
    """The test event is delivered by the worker like any other; follow it in the delivery log."""
    session = get_session()
    endpoint = get_endpoint(session=session, biller_id=current_biller().id, endpoint_id=endpoint_id)
    delivery = send_test(session=session, endpoint=endpoint)
    body = delivery_public(delivery).model_dump(mode="json")
    session.commit()
    return jsonify(body), 202


@route(
    "GET",
    "/webhook-endpoints/<int:endpoint_id>/deliveries",
    summary="The endpoint's delivery log, newest first, a page at a time",
    query=DeliveryQuery,
    response=DeliveryList,
)
def webhook_deliveries(endpoint_id: int):
    """Each delivery with its attempts, the last answer and when the next attempt is due."""
    try:
        query = DeliveryQuery.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise validation_error(exc) from None
    session = get_session()
    endpoint = get_endpoint(session=session, biller_id=current_biller().id, endpoint_id=endpoint_id)
    rows, next_cursor = list_deliveries(session=session, endpoint=endpoint, limit=query.limit, cursor=query.cursor)
    page = DeliveryList(deliveries=[delivery_public(row) for row in rows], next_cursor=next_cursor)
    return jsonify(page.model_dump(mode="json"))


def _audit(session, biller_id: int, action: str, endpoint_id: int) -> None:
    record_audit(
        session=session,
        biller_id=biller_id,
        actor=f"api_key:{g.api_key_id}",
        action=action,
        subject_type="webhook_endpoint",
        subject_id=endpoint_id,
    )
