"""A biller's system on loopback, reachable by our outbound calls (OUTBOUND_ALLOWED_HOSTS), and helpers."""

from __future__ import annotations

import pytest

from tests.fakes.webhook_receiver import WebhookReceiver


@pytest.fixture
def receiver():
    fake = WebhookReceiver().start()
    yield fake
    fake.stop()


@pytest.fixture
def app_overrides(receiver):
    return {"outbound_allowed_hosts": receiver.host}


def register(client, api, url: str, events: list[str]) -> dict:
    """POST /webhook-endpoints as the biller; the 201 answer (with its secret)."""
    response = client.post("/api/v1/webhook-endpoints", json={"url": url, "events": events}, headers=api.headers)
    assert response.status_code == 201, response.json
    return response.json


def log(client, api, endpoint_id: int) -> list[dict]:
    """The endpoint's delivery log through the API, newest first."""
    response = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=api.headers)
    assert response.status_code == 200, response.json
    return response.json["deliveries"]
