"""The worker composes a round of messages with one query per table it reads, not one per message."""

from __future__ import annotations

import re

from sqlalchemy import event

from tests.builders import make_bill
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
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = app.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        run_worker(app)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert len(twilio.messages) == REMINDERS
    assert {message.status for message in messages(session)} == {"sent"}
    # Each message's bill, customer and biller had been loaded again for it: a dozen SELECTs on each table.
    assert {table: selects_from(statements, table) for table in ("bills", "customers", "billers")} == {
        "bills": 1,
        "customers": 1,
        "billers": 1,
    }
