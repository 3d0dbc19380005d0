"""Headers: HSTS in production, nothing cached that carries personal data, forms post only to us."""

from __future__ import annotations

from cryptography.fernet import Fernet

from app import create_app
from tests.builders import make_bill
from tests.conftest import PUBLIC_BASE_URL


def test_production_answers_carry_hsts(database_url, schema):
    app = create_app(
        {
            "app_env": "production",
            "database_url": database_url,
            "secret_key": "s" * 40,
            "public_base_url": PUBLIC_BASE_URL,
            "payment_webhook_secret": "w" * 40,
            "secrets_encryption_keys": Fernet.generate_key().decode(),
        }
    )
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    app.extensions["database"].dispose()


def test_development_and_tests_send_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_console_pages_are_not_stored(client, desk):
    for path in ("/console/", "/console/customers", "/console/login"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_api_answers_are_not_stored(client, session, api):
    bill = make_bill(session, api.biller)
    assert client.get(f"/api/v1/bills/{bill.id}", headers=api.headers).headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/bills/1", headers={}).headers["Cache-Control"] == "no-store"


def test_console_forms_may_post_only_to_this_site(client):
    policy = client.get("/console/login").headers["Content-Security-Policy"]
    assert "form-action 'self';" in policy + ";"


def test_the_payment_page_form_may_hand_over_to_upi_apps_only(client, session, api):
    bill = make_bill(session, api.biller)
    token = bill_token(session, bill)
    policy = client.get(f"/p/{token}").headers["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part).split()
    assert form_action[:2] == ["form-action", "'self'"]
    assert {"upi:", "intent:", "phonepe:"} <= set(form_action)
    assert not any(source.startswith(("http", "*")) for source in form_action)


def bill_token(session, bill) -> str:
    from sqlmodel import select

    from models import PaymentLink

    return session.exec(select(PaymentLink).where(PaymentLink.bill_id == bill.id)).one().token
