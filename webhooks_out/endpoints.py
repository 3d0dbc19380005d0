"""A biller's webhook endpoints: register (URL checked by the outbound rules), list, remove, test, read the log."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session, func, select

from billing.outbound import OutboundPolicy, check_url
from errors import Conflict, InvalidInput, NotFound
from events import queue
from models.db import utcnow
from models.webhooks import TEST_EVENT, DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint

MAX_ENDPOINTS = 10
MAX_WAITING_TESTS = 5  # test events not yet delivered (or failed) per endpoint: the worker is no request cannon
MAX_DELIVERY_PAGE = 100


class WebhookEndpointIn(BaseModel):
    """An endpoint as a biller registers it: where to send, and which events."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    events: list[EventType] = Field(min_length=1, max_length=len(EventType))


class WebhookEndpointPublic(BaseModel):
    """An endpoint as the API shows it (the secret only once, when created)."""

    id: int
    url: str
    events: list[str]
    created_at: datetime
    secret: str | None = Field(None, description="Only in the answer to POST; keep it to check signatures")


class WebhookEndpointList(BaseModel):
    """All of a biller's endpoints."""

    endpoints: list[WebhookEndpointPublic]


class DeliveryPublic(BaseModel):
    """One delivery of an event to an endpoint and how it went."""

    id: int
    event_id: str
    type: str
    status: str
    attempts: int
    response_status: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryList(BaseModel):
    """A page of an endpoint's deliveries, newest first."""

    deliveries: list[DeliveryPublic]
    next_cursor: str | None


def new_secret() -> str:
    """A signing secret for an endpoint."""
    return f"whsec_{secrets.token_urlsafe(32)}"


def create_endpoint(
    *, session: Session, biller_id: int, data: WebhookEndpointIn, policy: OutboundPolicy
) -> WebhookEndpoint:
    """Register an endpoint; its URL must be one the bill fetch could call too. Flushes."""
    check_url(data.url, policy=policy, field="url")
    count = session.exec(select(func.count()).where(WebhookEndpoint.biller_id == biller_id)).one()
    if count >= MAX_ENDPOINTS:
        raise InvalidInput(f"at most {MAX_ENDPOINTS} endpoints per biller", field="url")
    endpoint = WebhookEndpoint(
        biller_id=biller_id,
        url=data.url,
        events=sorted({str(event) for event in data.events}),
        secret=new_secret(),
        created_at=utcnow(),
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def list_endpoints(*, session: Session, biller_id: int) -> list[WebhookEndpoint]:
    """The biller's endpoints, oldest first."""
    return list(
        session.exec(
            select(WebhookEndpoint).where(WebhookEndpoint.biller_id == biller_id).order_by(WebhookEndpoint.id)
        ).all()
    )


def get_endpoint(*, session: Session, biller_id: int, endpoint_id: int) -> WebhookEndpoint:
    """The biller's endpoint with this id, or NotFound (also when it is another biller's)."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.biller_id != biller_id:
        raise NotFound("No webhook endpoint with that id", field="id")
    return endpoint


def delete_endpoint(*, session: Session, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its log; nothing more is sent to it. Flushes."""
    for delivery in session.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).all():
        session.delete(delivery)
    session.delete(endpoint)
    session.flush()


def send_test(*, session: Session, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `webhook.test` event for this endpoint alone, signed and retried like any other. Flushes.

    Refused (Conflict) while MAX_WAITING_TESTS of them still wait: each is retried for a day, so a loop of test
    requests would otherwise have the worker post to any public address without end.
    """
    waiting = session.exec(
        select(func.count()).where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.event_type == TEST_EVENT,
            WebhookDelivery.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value]),
        )
    ).one()
    if waiting >= MAX_WAITING_TESTS:
        raise Conflict(
            f"{waiting} test events are still on their way to this endpoint; see the delivery log",
            field="id",
            code="tests_waiting",
        )
    data = {"endpoint_id": endpoint.id, "message": "A test event from ClickPay Assistant"}
    [delivery] = queue(session, biller_id=endpoint.biller_id, endpoint_ids=[endpoint.id], type=TEST_EVENT, data=data)
    return delivery


def list_deliveries(
    *, session: Session, endpoint: WebhookEndpoint, limit: int = 50, cursor: str | None = None
) -> tuple[list[WebhookDelivery], str | None]:
    """The endpoint's deliveries newest first, a page at a time; the cursor is opaque to callers."""
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if cursor:
        if not cursor.isdigit() or len(cursor) > 18:
            raise InvalidInput("is not a cursor this API gave out", field="cursor")
        query = query.where(WebhookDelivery.id < int(cursor))
    rows = list(session.exec(query.order_by(WebhookDelivery.id.desc()).limit(limit + 1)).all())
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def endpoint_public(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> WebhookEndpointPublic:
    """The endpoint in its API shape; the secret only when just created."""
    return WebhookEndpointPublic(
        id=endpoint.id,
        url=endpoint.url,
        events=list(endpoint.events),
        created_at=endpoint.created_at,
        secret=endpoint.secret if with_secret else None,
    )


def delivery_public(delivery: WebhookDelivery) -> DeliveryPublic:
    """A delivery in its API shape; next_attempt_at only while another attempt is to come."""
    waiting = delivery.status in ("pending", "sending")
    return DeliveryPublic(
        id=delivery.id,
        event_id=delivery.event_id,
        type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        response_status=delivery.response_status,
        last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at if waiting else None,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
    )
