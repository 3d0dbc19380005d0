"""Each biller may sign payment notices with its own secret; the shared one is only the fallback; replays are no-ops."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from models import Biller, LinkEvent, Payment
from tests.builders import make_bill
from tests.web.test_console import login, settings_form
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture
from tests.webhooks.test_payment_webhook import SECRET as SHARED_SECRET
from tests.webhooks.test_payment_webhook import notice, post
from tests.webhooks.test_payment_webhook import tr as tr

BILLER_SECRET = "whsec_asansol-own-secret-0123456789"


@pytest.fixture
def bill(session, api):
    return make_bill(session, api.biller, amount=124550)


@pytest.fixture
def own_secret(session, api):
    api.biller.payment_webhook_secret = BILLER_SECRET
    session.commit()


def count(session, model, *conditions) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def test_a_biller_with_its_own_secret_accepts_notices_signed_with_it(client, session, bill, tr, own_secret):
    response = post(client, notice(tr), secret=BILLER_SECRET)
    assert response.status_code == 200 and response.json["status"] == "recorded"


def test_a_biller_with_its_own_secret_refuses_the_shared_one(client, session, bill, tr, own_secret):
    response = post(client, notice(tr), secret=SHARED_SECRET)
    assert response.status_code == 401
    assert response.json["error"]["field"] == "X-Signature"
    assert count(session, Payment) == 0


def test_another_billers_secret_does_not_sign_for_this_one(client, session, bill, tr, own_secret, other_api):
    other_api.biller.payment_webhook_secret = "whsec_bhopal-own-secret-0123456789"
    session.commit()
    assert post(client, notice(tr), secret="whsec_bhopal-own-secret-0123456789").status_code == 401


def test_a_biller_without_its_own_secret_falls_back_to_the_shared_one(client, session, bill, tr):
    assert post(client, notice(tr), secret=SHARED_SECRET).status_code == 200
    assert count(session, Payment) == 1


def test_an_unknown_transaction_is_checked_against_the_shared_secret(client, session, bill):
    assert post(client, notice("UNKNOWNTR1"), secret=BILLER_SECRET).status_code == 401
    assert post(client, notice("UNKNOWNTR1"), secret=SHARED_SECRET).status_code == 404


def test_a_replayed_failure_notice_is_recorded_once(client, session, bill, tr):
    timestamp = int(time.time())
    body = notice(tr, status="FAILURE", utr="FAILED0001")
    statuses = [post(client, body, timestamp=timestamp).json["status"] for _ in range(4)]
    assert statuses == ["failure_recorded", "duplicate", "duplicate", "duplicate"]
    assert count(session, LinkEvent, LinkEvent.kind == "payment_failed") == 1


def test_distinct_failures_of_one_bill_are_each_recorded(client, session, bill, tr):
    post(client, notice(tr, status="FAILURE", utr="FAILED0001"))
    post(client, notice(tr, status="FAILURE", utr="FAILED0002"))
    assert count(session, LinkEvent, LinkEvent.kind == "payment_failed") == 2


def test_a_replayed_success_notice_pays_once(client, session, bill, tr):
    timestamp = int(time.time())
    statuses = [post(client, notice(tr), timestamp=timestamp).json["status"] for _ in range(3)]
    assert statuses == ["recorded", "duplicate", "duplicate"]
    assert count(session, Payment) == 1


def test_the_cli_gives_a_biller_a_new_secret_shown_once_and_stored_encrypted(app, session, api):
    result = app.test_cli_runner().invoke(args=["secrets", "payment-webhook", "--biller", str(api.biller.id)])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().rsplit(" ", 1)[1]
    assert secret.startswith("whsec_") and len(secret) > 40
    session.expire_all()
    assert session.get(Biller, api.biller.id).payment_webhook_secret == secret
    raw = session.execute(text("SELECT payment_webhook_secret FROM billers WHERE id = :id"), {"id": api.biller.id})
    assert secret not in raw.scalar_one()


def test_the_cli_refuses_a_short_secret_and_an_unknown_biller(app, api):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["secrets", "payment-webhook", "--biller", str(api.biller.id), "--secret", "abc"])
    assert short.exit_code == 2 and "--secret: must be 16 to 200 characters" in short.output
    unknown = runner.invoke(args=["secrets", "payment-webhook", "--biller", "999999"])
    assert unknown.exit_code == 2 and "no biller has id 999999" in unknown.output


def test_a_biller_admin_sets_the_secret_in_console_settings(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    form = settings_form(client, payment_webhook_secret=BILLER_SECRET)
    assert client.post("/console/settings", data=form).status_code == 302
    session.expire_all()
    assert session.get(Biller, api.biller.id).payment_webhook_secret == BILLER_SECRET
    assert BILLER_SECRET not in client.get("/console/settings").get_data(as_text=True)
