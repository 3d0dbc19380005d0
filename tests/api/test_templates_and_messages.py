"""POST /api/v1/templates (validated when saved) and GET /api/v1/bills/<id>/messages."""

from __future__ import annotations

import pytest

from channels.worker import OutboxWorker
from tests.builders import bill_payload

SMS = {
    "key": "reminder_due_today",
    "channel": "sms",
    "language": "hi",
    "dlt_template_id": "1107160000000000001",
    "body": "{customer_name}, {biller_name} bill {bill_number} {amount} due today. Pay {link}",
}


def test_valid_template_is_saved_and_replaced(client, api):
    first = client.post("/api/v1/templates", json=SMS, headers=api.headers)
    second = client.post("/api/v1/templates", json={**SMS, "body": "Due today: {amount}. {link}"}, headers=api.headers)
    assert first.status_code == second.status_code == 200
    assert second.json["body"] == "Due today: {amount}. {link}"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"body": "Pay {amount} at {url}"}, "body", "unknown variable(s): url"),
        ({"body": "Pay {amount} now"}, "body", "must use {link}"),
        ({"body": "Pay {amount!r} {link}"}, "body", "plain {name}"),
        ({"body": "Pay {amount {link}"}, "body", "not a valid template"),
        ({"dlt_template_id": None}, "dlt_template_id", "DLT"),
        ({"body": "{link} " + "आपका बिल देय है। " * 30}, "body", "SMS segments"),
        ({"key": "birthday_wishes"}, "key", "must be one of"),
        ({"language": "fr"}, "language", "en, hi or bn"),
        ({"channel": "whatsapp", "content_sid": "HX123"}, "content_sid", "Content SID"),
    ],
)
def test_template_that_could_not_be_sent_is_refused_when_saved(client, api, change, field, message):
    response = client.post("/api/v1/templates", json={**SMS, **change}, headers=api.headers)
    assert response.status_code == 422
    assert response.json["error"]["field"] == field
    assert message in response.json["error"]["message"]


def test_receipt_template_must_name_the_reference(client, api):
    body = {"key": "receipt", "channel": "email", "language": "en", "body": "Thanks {customer_name}"}
    response = client.post("/api/v1/templates", json=body, headers=api.headers)
    assert response.status_code == 422 and "{reference}" in response.json["error"]["message"]


def test_bill_messages_show_channel_and_status(app, client, api):
    bill = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers).json
    client.post(
        f"/api/v1/bills/{bill['id']}/payments",
        json={"amount": bill["amount"], "reference": "UTR1"},
        headers=api.headers,
    )
    OutboxWorker(app).run(once=True)
    response = client.get(f"/api/v1/bills/{bill['id']}/messages", headers=api.headers)
    assert response.status_code == 200
    assert [(m["channel"], m["template"], m["status"]) for m in response.json["messages"]] == [
        ("whatsapp", "receipt", "failed"),
        ("sms", "receipt", "sent"),
    ]


def test_another_billers_bill_messages_are_404(client, api, other_api):
    bill = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers).json
    assert client.get(f"/api/v1/bills/{bill['id']}/messages", headers=other_api.headers).status_code == 404
