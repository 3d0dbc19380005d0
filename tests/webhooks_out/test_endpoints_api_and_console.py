"""Registering endpoints: the outbound-address rules, field-naming refusals, tenancy, and the console page."""

from __future__ import annotations

import re

import pytest

from accounts.users import create_user
from models.vocab import Role
from models.webhooks import WebhookEndpoint
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.web.test_console import csrf, login
from tests.webhooks_out.conftest import log, register
from webhooks_out.dispatch import DeliveryDispatcher
from webhooks_out.endpoints import new_secret

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1:9/hooks", "loopback"),
        ("http://localhost/hooks", "loopback"),
        ("http://10.1.2.3/hooks", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]:8080/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("ftp://example.com/hooks", "https://"),
        ("not a url", "https://"),
    ],
)
def test_destinations_obey_the_outbound_address_rules(client, api, url, words):
    response = client.post("/api/v1/webhook-endpoints", json={"url": url, "events": ["bill.paid"]}, headers=api.headers)
    assert response.status_code == 422 and response.json["error"]["field"] == "url", response.json
    assert words in response.json["error"]["message"]


def test_credentials_in_the_url_are_refused_even_for_an_allowed_host(client, api, receiver):
    url = f"http://user:pw@{receiver.host}/hooks"
    response = client.post("/api/v1/webhook-endpoints", json={"url": url, "events": ["bill.paid"]}, headers=api.headers)
    assert response.status_code == 422 and response.json["error"]["field"] == "url"


def test_a_destination_that_became_unreachable_by_the_rules_is_not_called(app, client, session, api):
    """A stored URL is checked again at every attempt (an address allowed then may not be now)."""
    elsewhere = WebhookReceiver().start()  # loopback, but not in OUTBOUND_ALLOWED_HOSTS
    try:
        endpoint = WebhookEndpoint(
            biller_id=api.biller.id, url=f"{elsewhere.url}/hooks", events=["bill.paid"], secret=new_secret()
        )
        session.add(endpoint)
        session.commit()
        assert client.post(f"/api/v1/webhook-endpoints/{endpoint.id}/test", headers=api.headers).status_code == 202
        DeliveryDispatcher(app).run(once=True)
        [delivery] = log(client, api, endpoint.id)
        assert delivery["status"] == "pending" and delivery["last_error"].startswith("refused")
        assert elsewhere.received == []
    finally:
        elsewhere.stop()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://example.com/", "events": ["bill.exploded"]}, "events.0"),
        ({"url": "https://example.com/", "events": []}, "events"),
        ({"url": "https://example.com/"}, "events"),
        ({"events": ["bill.paid"]}, "url"),
        ({"url": "https://example.com/", "events": ["bill.paid"], "secret": "mine"}, "secret"),
    ],
)
def test_bad_registrations_name_the_field(client, api, body, field):
    response = client.post("/api/v1/webhook-endpoints", json=body, headers=api.headers)
    assert response.status_code == 422 and response.json["error"]["field"] == field, response.json


def test_another_billers_endpoint_is_not_found_by_any_route(client, api, other_api, receiver):
    endpoint = register(client, api, f"{receiver.url}/hooks", ["bill.paid"])
    base = f"/api/v1/webhook-endpoints/{endpoint['id']}"
    for method, path in (("GET", base), ("GET", f"{base}/deliveries"), ("POST", f"{base}/test"), ("DELETE", base)):
        response = client.open(path, method=method, headers=other_api.headers)
        assert response.status_code == 404 and response.json["error"]["field"] == "id", (method, path)
    assert client.get("/api/v1/webhook-endpoints", headers=other_api.headers).json == {"endpoints": []}
    assert client.get(base, headers=api.headers).status_code == 200


def test_the_delivery_log_pages_with_a_cursor(client, api, receiver):
    endpoint = register(client, api, f"{receiver.url}/hooks", ["bill.paid"])
    for _ in range(3):
        client.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/test", headers=api.headers)
    path = f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries"
    first = client.get(path, query_string={"limit": 2}, headers=api.headers).json
    second = client.get(path, query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=api.headers).json
    ids = [d["id"] for d in first["deliveries"] + second["deliveries"]]
    assert len(ids) == 3 == len(set(ids)) and ids == sorted(ids, reverse=True) and second["next_cursor"] is None
    bad = client.get(path, query_string={"cursor": "x"}, headers=api.headers)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "cursor"


@pytest.fixture
def admins(session, api, other_api):
    for who, biller in (("boss@a.example", api.biller), ("boss@b.example", other_api.biller)):
        create_user(session=session, email=who, password=PASSWORD, role=Role.BILLER_ADMIN, biller_id=biller.id)
    session.commit()


def test_console_registers_an_endpoint_sends_a_test_event_and_shows_the_log(app, client, api, admins, receiver):
    login(client, "boss@a.example", PASSWORD)
    page = "/console/settings/webhooks"
    token = csrf(client, page)
    refused = client.post(page, data={"csrf_token": token, "url": "http://10.0.0.1/x", "events": ["bill.paid"]})
    assert refused.status_code == 200 and "not a public one" in refused.get_data(as_text=True)
    created = client.post(
        page, data={"csrf_token": token, "url": f"{receiver.url}/hooks", "events": ["bill.paid", "bill.expired"]}
    )
    html = created.get_data(as_text=True)
    secret = re.search(r'<code id="new-secret">([^<]+)</code>', html).group(1)
    assert secret.startswith("whsec_") and f"{receiver.url}/hooks" in html and "bill.expired" in html
    assert secret not in client.get(page).get_data(as_text=True)  # shown once
    [endpoint] = client.get("/api/v1/webhook-endpoints", headers=api.headers).json["endpoints"]
    assert client.post(f"{page}/test", data={"endpoint": endpoint["id"]}).status_code == 400  # no CSRF token
    sent = client.post(f"{page}/test", data={"csrf_token": csrf(client, page), "endpoint": endpoint["id"]})
    assert sent.status_code == 302
    DeliveryDispatcher(app).run(once=True)
    [request] = receiver.received
    assert request.json["type"] == "webhook.test"
    html = client.get(page).get_data(as_text=True)
    assert "webhook.test" in html and "succeeded" in html


def test_console_actions_on_another_billers_endpoint_are_404(app, client, api, admins, receiver):
    endpoint = register(client, api, f"{receiver.url}/hooks", ["bill.paid"])
    login(client, "boss@b.example", PASSWORD)
    page = "/console/settings/webhooks"
    assert f"{receiver.url}/hooks" not in client.get(page).get_data(as_text=True)
    for action in ("test", "delete"):
        response = client.post(f"{page}/{action}", data={"csrf_token": csrf(client, page), "endpoint": endpoint["id"]})
        assert response.status_code == 404, action
    assert client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=api.headers).status_code == 200
    assert receiver.received == []
