"""Need-based notifications: one message about a bill now, or at the next moment the biller may call.

`actor` is who asked (support, an API key, a bulk job), named in the audit log: one entry per message asked for
(`bill.notify`); a CSV of them is one entry with its counts (`bills.notify`, written by workflows.bills).
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session

from accounts.audit import record_audit
from billing.bills import bills_by_reference
from billing.csv_files import decode_csv, open_csv
from billing.text import check_text, text_problem
from channels.outbox import enqueue_on_first_channel, reachable_channels, reminder_variables
from errors import Conflict, DomainError, InvalidInput
from models import Bill, Biller, Customer, OutboundMessage
from models.vocab import PAYABLE_STATUSES
from scheduler.cadences import REMINDER_TEMPLATES, next_contact_moment
from workflows import Actor


def notify_bill(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    bill: Bill,
    channels: list[str] | None = None,
    template: str = "notify",
    key: str | None = None,
) -> tuple[OutboundMessage, datetime]:
    """Queue one message about an open bill, honouring opt-outs and contact hours; returns it and when it goes."""
    message, when = _queue_notification(
        session=session, now=now, bill=bill, channels=channels, template=template, key=key
    )
    record_audit(
        session=session,
        biller_id=bill.biller_id,
        actor=str(actor),
        action="bill.notify",
        subject_type="bill",
        subject_id=bill.id,
        detail={"template": template, "channel": message.channel, "message_id": message.id},
    )
    return message, when


def _queue_notification(
    *, session: Session, now: datetime, bill: Bill, channels: list[str] | None, template: str, key: str | None
) -> tuple[OutboundMessage, datetime]:
    if bill.status not in PAYABLE_STATUSES:
        raise Conflict("This bill is not open", field="status", code="bill_closed")
    if template not in REMINDER_TEMPLATES:
        raise InvalidInput("is not a bill message template", field="template")
    customer = session.get(Customer, bill.customer_id)
    biller = session.get(Biller, bill.biller_id)
    reachable = reachable_channels(session=session, customer=customer, biller=biller)
    if channels:
        reachable = sorted((pair for pair in reachable if pair[0] in channels), key=lambda p: channels.index(p[0]))
    if not reachable:
        raise InvalidInput(
            "the customer cannot be reached on these channels (no address, or opted out)", field="channels"
        )
    when = next_contact_moment(session=session, biller_id=bill.biller_id, now=now)
    message = enqueue_on_first_channel(
        session=session,
        bill=bill,
        customer=customer,
        biller=biller,
        template_key=template,
        variables=reminder_variables(session=session, bill=bill, now=now),
        channels=reachable,
        not_before=when,
        idempotency_key=f"notify:bill:{bill.id}:{key or secrets.token_hex(8)}",
    )
    return message, when


def notify_bills_csv(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    biller: Biller,
    data: bytes,
    on_progress: Callable[[int, int], None] | None = None,
    done: Sequence[dict] = (),
    checkpoint: Callable[[list[dict]], None] | None = None,
    checkpoint_rows: int = 1000,
) -> dict:
    """Notify every bill a CSV lists in its 'reference' column; one result per row, bills found in one query.

    A background job passes checkpoint (commits the messages queued so far with the results so far, every
    checkpoint_rows rows: on SQLite the one write lock is held a batch at a time, not for the whole file) and,
    when it runs again after a worker died, done (the results it kept): those rows are not notified twice."""
    try:
        text = decode_csv(data)
        if "\r" in text.replace("\r\n", ""):
            raise csv.Error("new-line character seen in unquoted field")  # a bare carriage return, as before
        columns, reader = open_csv(text)
        rows = [dict(zip(columns, cells, strict=False)) for cells in reader]
    except csv.Error as exc:  # a field over the size limit, a bare carriage return inside a field
        raise InvalidInput(f"could not be read as CSV: {exc}", field="file") from None
    except ValueError as exc:  # not UTF-8, or empty
        raise InvalidInput(str(exc), field="file") from None
    if not rows or "reference" not in columns:
        raise InvalidInput("needs a 'reference' column", field="file")
    references = [(row.get("reference") or "").strip() for row in rows]
    results = list(done)
    found = bills_by_reference(
        session=session,
        biller_id=biller.id,
        references=[ref for ref in references[len(results) :] if text_problem(ref) is None],
    )
    for index in range(len(results), len(rows)):
        if on_progress and index % 200 == 0:
            on_progress(index, len(rows))
        if checkpoint and index > len(done) and index % checkpoint_rows == 0:
            checkpoint(results)
        line, reference = index + 2, rows[index].get("reference")
        try:
            bill, _customer = found.get(check_text(references[index], field="reference"), (None, None))
            if bill is None:
                raise InvalidInput("no bill with this reference", field="reference")
            message, _ = _queue_notification(
                session=session, now=now, bill=bill, channels=None, template="notify", key=None
            )
            results.append({"line": line, "reference": reference, "status": "queued", "channel": message.channel})
        except DomainError as exc:
            results.append({"line": line, "reference": reference, "status": "refused", "reason": exc.message})
    return {"queued": sum(result["status"] == "queued" for result in results), "results": results}
