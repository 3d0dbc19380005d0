"""Lists of a biller's bills and payments, a page at a time, for integrators and the biller's books."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, or_, select

from errors import InvalidInput
from models import Bill, Customer, Payment
from models.vocab import PAYABLE_STATUSES

MAX_PAGE = 200
EXPORT_BATCH = 1000
PAYABLE = [status.value for status in PAYABLE_STATUSES]


@dataclass(frozen=True)
class BillFilter:
    """Which bills to list: every field left None matches everything."""

    reference: str | None = None
    customer_reference: str | None = None
    status: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    # The console's habits: bills of customers matching a name, consumer or bill number; unpaid bills due before.
    search: str | None = None
    overdue_before: date | None = None


def encode_cursor(last_id: int) -> str:
    """An opaque cursor that continues a list after the row with this id."""
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id a cursor continues after (0 for the first page); a cursor we did not make is refused."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        last_id = int(value)
    except ValueError:
        last_id, kind = -1, ""
    if kind != "after" or not 0 < last_id < 2**63:
        raise InvalidInput("is not a cursor this API returned", field="cursor")
    return last_id


def list_bills(
    *, session: Session, biller_id: int, where: BillFilter, limit: int, cursor: str | None
) -> tuple[list[Bill], str | None]:
    """A page of the biller's bills in creation order, and the cursor of the next page (None at the end)."""
    query = _bills(biller_id, where).where(Bill.id > decode_cursor(cursor))
    return _page(session, query.order_by(Bill.id), limit)


def iter_bills(*, session: Session, biller_id: int, where: BillFilter) -> Iterator[Bill]:
    """Every bill the filter matches, in creation order, read in batches (for a streamed export)."""
    last_id = 0
    while True:
        rows = session.exec(
            _bills(biller_id, where).where(Bill.id > last_id).order_by(Bill.id).limit(EXPORT_BATCH)
        ).all()
        yield from rows
        if len(rows) < EXPORT_BATCH:
            return
        last_id = rows[-1].id


def _bills(biller_id: int, where: BillFilter):
    query = select(Bill).where(Bill.biller_id == biller_id)
    if where.reference is not None:
        query = query.where(Bill.reference == where.reference)
    if where.customer_reference is not None:
        query = query.join(Customer, Customer.id == Bill.customer_id).where(
            Customer.biller_id == biller_id, Customer.reference == where.customer_reference
        )
    if where.status is not None:
        query = query.where(Bill.status == where.status)
    if where.due_from is not None:
        query = query.where(Bill.due_date >= where.due_from)
    if where.due_to is not None:
        query = query.where(Bill.due_date <= where.due_to)
    if where.overdue_before is not None:
        query = query.where(Bill.due_date < where.overdue_before, Bill.status.in_(PAYABLE))
    if where.search:
        pattern = "%" + where.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matching = select(Customer.id).where(
            Customer.biller_id == biller_id,
            or_(Customer.name.ilike(pattern, escape="\\"), Customer.reference == where.search),
        )
        query = query.where(or_(Bill.reference == where.search, Bill.customer_id.in_(matching)))
    return query


def list_payments(
    *,
    session: Session,
    biller_id: int,
    paid_from: datetime | None,
    paid_to: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[tuple[Payment, str]], str | None]:
    """A page of the payments received, each with its bill's reference, in the order they were recorded."""
    query = _payments(biller_id, paid_from, paid_to).where(Payment.id > decode_cursor(cursor))
    return _page(session, query, limit, last_id=lambda row: row[0].id)


def iter_payments(
    *, session: Session, biller_id: int, paid_from: datetime | None, paid_to: datetime | None
) -> Iterator[tuple[Payment, str]]:
    """Every payment in the range with its bill's reference, read in batches (for a streamed export)."""
    last_id = 0
    while True:
        query = _payments(biller_id, paid_from, paid_to).where(Payment.id > last_id).limit(EXPORT_BATCH)
        rows = session.exec(query).all()
        yield from rows
        if len(rows) < EXPORT_BATCH:
            return
        last_id = rows[-1][0].id


def _payments(biller_id: int, paid_from: datetime | None, paid_to: datetime | None):
    query = (
        select(Payment, Bill.reference)
        .join(Bill, Bill.id == Payment.bill_id)
        .where(Payment.biller_id == biller_id)
        .order_by(Payment.id)
    )
    if paid_from is not None:
        query = query.where(Payment.paid_at >= paid_from)
    if paid_to is not None:
        query = query.where(Payment.paid_at < paid_to)
    return query


def _page(session: Session, query, limit: int, *, last_id=lambda row: row.id):
    rows = list(session.exec(query.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(last_id(rows[-1])) if more else None
