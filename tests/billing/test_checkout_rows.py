"""The page's plain rows, read on the driver's connection, hold what the models' objects hold."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from billing.bills import current_link
from billing.checkout_rows import PAGE_COLUMNS, PAYMENT_COLUMNS, load_checkout_rows, read_checkout_rows
from billing.receipts import payments_of
from models.db import utcnow
from tests.builders import make_bill
from workflows import SYSTEM
from workflows.payments import record_payment


def columns(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def test_plain_rows_hold_the_models_values(app, session, api):
    early = date.today() + timedelta(days=2)
    bill = make_bill(
        session,
        api.biller,
        amount=100000,
        amount_exactness="EXACT_AND_BELOW",
        early_payment_amount=95000,
        early_payment_date=early.isoformat(),
    )
    link = current_link(session=session, bill_id=bill.id)
    link.expires_at = utcnow() + timedelta(days=30)
    bill.fetched_at = utcnow()
    record_payment(
        session=session, actor=SYSTEM, now=utcnow(), bill=bill, amount_paise=40000, reference="UTR-1", source="api"
    )
    session.commit()
    session.expire_all()

    *plain, payments = read_checkout_rows(database=app.extensions["database"], token=link.token)
    loaded = load_checkout_rows(session=session, token=link.token)
    for row, model_object, names in zip(plain, loaded, PAGE_COLUMNS.values(), strict=True):
        assert columns(row, names) == columns(model_object, names)
    link_row, bill_row, biller_row, _ = plain
    assert bill_row.early_payment_date == early and bill_row.status == "partially_paid"
    assert link_row.expires_at.tzinfo == UTC and biller_row.payment_apps == api.biller.payment_apps
    paid = payments_of(session=session, bill_id=bill.id)
    assert [columns(p, PAYMENT_COLUMNS) for p in payments] == [columns(p, PAYMENT_COLUMNS) for p in paid]
    assert len(payments) == 1


def test_no_rows_for_a_token_that_is_no_link(app):
    assert read_checkout_rows(database=app.extensions["database"], token="x" * 22) is None
