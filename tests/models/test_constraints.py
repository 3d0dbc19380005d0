"""What the database itself refuses, whatever the code above it does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from models import Bill, Biller, Customer, OutboundMessage, Payment, PaymentLink
from tests.builders import make_bill, make_biller


@pytest.fixture
def bill(session, api):
    return make_bill(session, api.biller)


def _commit_fails(session, *rows) -> None:
    for row in rows:
        session.add(row)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_bill_reference_is_unique_per_biller(session, bill):
    _commit_fails(
        session,
        Bill(
            biller_id=bill.biller_id,
            customer_id=bill.customer_id,
            reference=bill.reference,
            due_date=date.today(),
            amount_paise=1,
            amount_due_paise=1,
        ),
    )


def test_customer_reference_is_unique_per_biller(session, bill):
    existing = session.get(Customer, bill.customer_id)
    _commit_fails(session, Customer(biller_id=existing.biller_id, reference=existing.reference, name="Twin"))


def test_link_token_is_unique(session, bill):
    token = session.exec(select(PaymentLink.token).where(PaymentLink.bill_id == bill.id)).one()
    _commit_fails(session, PaymentLink(bill_id=bill.id, token=token))


def test_payment_reference_is_unique_per_biller(session, bill):
    first = Payment(biller_id=bill.biller_id, bill_id=bill.id, amount_paise=100, reference="UTR1", source="api")
    session.add(first)
    session.commit()
    _commit_fails(
        session,
        Payment(biller_id=bill.biller_id, bill_id=bill.id, amount_paise=100, reference="UTR1", source="webhook"),
    )


def test_outbox_idempotency_key_is_unique(session, bill):
    def message():
        return OutboundMessage(
            biller_id=bill.biller_id,
            channel="sms",
            recipient="+919810000001",
            body="hi",
            idempotency_key="bill:1:step:0:sms",
        )

    session.add(message())
    session.commit()
    _commit_fails(session, message())


def test_foreign_keys_are_enforced(session, api):
    _commit_fails(
        session,
        Bill(
            biller_id=api.biller.id,
            customer_id=999_999,
            reference="ORPHAN",
            due_date=date.today(),
            amount_paise=1,
            amount_due_paise=1,
        ),
    )


@pytest.mark.parametrize(("amount", "due"), [(0, 0), (100, -1)])
def test_amounts_cannot_be_zero_or_due_negative(session, bill, amount, due):
    _commit_fails(
        session,
        Bill(
            biller_id=bill.biller_id,
            customer_id=bill.customer_id,
            reference="NEG",
            due_date=date.today(),
            amount_paise=amount,
            amount_due_paise=due,
        ),
    )


def test_large_amounts_fit(session, bill):
    bill.amount_paise = bill.amount_due_paise = 9_999_999_999
    session.commit()
    session.expire_all()
    assert session.get(Bill, bill.id).amount_due_paise == 9_999_999_999


def test_timestamps_come_back_aware_in_utc(session, bill):
    ist = timezone(timedelta(hours=5, minutes=30))
    bill.next_reminder_at = datetime(2026, 12, 1, 10, 0, tzinfo=ist)
    session.commit()
    session.expire_all()
    stored = session.get(Bill, bill.id).next_reminder_at
    assert stored == datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(session, bill):
    bill.next_reminder_at = datetime(2026, 12, 1, 10, 0)
    with pytest.raises(StatementError):
        session.commit()
    session.rollback()


def test_deleting_a_biller_takes_its_data_with_it(session, bill):
    bill_id, biller_id = bill.id, bill.biller_id
    other_id = make_biller(session, name="Other", upi_vpa="other@sbi").id
    session.delete(session.get(Biller, biller_id))
    session.commit()
    session.expire_all()
    assert session.get(Bill, bill_id) is None
    assert session.get(Biller, other_id) is not None
