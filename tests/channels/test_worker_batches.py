"""The worker composes a round of messages with one query per table it reads, not one per message."""

from __future__ import annotations

import re

from sqlalchemy import event, text

from tests.builders import make_bill, statements_run
from tests.channels.helpers import messages, queue_reminder, run_worker

REMINDERS = 12


def selects_from(statements: list[str], table: str) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and re.search(rf"\bFROM {table}\b", s))


def test_a_round_reads_its_bills_customers_and_billers_once_each(app, session, api, twilio):
    for n in range(REMINDERS):
        phone = f"+9198100001{n:02d}"
        customer = {"reference": f"C-{n}", "name": f"Customer {n}", "phone": phone, "language": "en"}
        bill = make_bill(session, api.biller, reference=f"B-{n}", customer=customer)
        queue_reminder(session, bill, channels=[("sms", phone)])
    with statements_run(app) as statements:
        run_worker(app)

    assert len(twilio.messages) == REMINDERS
    assert {message.status for message in messages(session)} == {"sent"}
    # Each message's bill, customer and biller had been loaded again for it: a dozen SELECTs on each table. The
    # bills are read twice a round: before composing, and again once composed (a bill paid meanwhile: below).
    assert {table: selects_from(statements, table) for table in ("bills", "customers", "billers")} == {
        "bills": 2,
        "customers": 1,
        "billers": 1,
    }


def test_a_bill_paid_while_its_round_is_composed_gets_no_reminder(app, session, api, twilio):
    """The round's bills are read once, before its first message is composed; a payment committed after that read
    (here by another connection, the moment it answers) still withdraws the bill's reminder."""
    bills = []
    for n in range(3):
        phone = f"+9198100002{n:02d}"
        customer = {"reference": f"P-{n}", "name": f"Payer {n}", "phone": phone, "language": "en"}
        bills.append(make_bill(session, api.biller, reference=f"P-{n}", customer=customer))
        queue_reminder(session, bills[-1], channels=[("sms", phone)])
    engine = app.extensions["database"].engine
    paid = bills[1]

    def pay_once_the_bills_are_read(connection, cursor, statement, parameters, context, executemany):
        if re.search(r"\bFROM bills\b", statement) and " IN " in statement and not paid_already:
            paid_already.append(True)
            with engine.connect() as other:
                other.execute(
                    text("UPDATE bills SET status = 'paid', amount_due_paise = 0 WHERE id = :id"), {"id": paid.id}
                )
                other.commit()

    paid_already: list[bool] = []
    event.listen(engine, "after_cursor_execute", pay_once_the_bills_are_read)
    try:
        run_worker(app)
    finally:
        event.remove(engine, "after_cursor_execute", pay_once_the_bills_are_read)

    assert paid_already
    by_bill = {message.bill_id: (message.status, message.error_code) for message in messages(session)}
    assert by_bill == {bills[0].id: ("sent", None), paid.id: ("cancelled", "bill_settled"), bills[2].id: ("sent", None)}
    assert len(twilio.messages) == 2
