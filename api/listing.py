"""GET /bills and GET /payments: a biller's bills and payments a page at a time; payments as CSV for the books."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

from flask import Response, jsonify, request, stream_with_context
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from api import route
from api.auth import current_biller
from billing.bills import bill_public
from billing.csv_files import spreadsheet_cell
from billing.listing import MAX_PAGE, BillFilter, iter_payments, list_bills, list_payments
from billing.schemas import BillPublic
from billing.text import EARLIEST_DATE, LATEST_DATE
from config import current_settings
from errors.http import validation_error
from models import Biller, Payment
from models.db import get_session
from models.vocab import BillStatus

Q = TypeVar("Q", bound=BaseModel)


def _day(text: str) -> date:
    """A calendar day written YYYY-MM-DD, within the window every date in this API keeps to."""
    day = date.fromisoformat(text)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


def _day_or_instant(text: str) -> date | datetime:
    """YYYY-MM-DD is a day; anything longer is an instant, which must carry its UTC offset."""
    if len(text) == len("2026-11-01"):
        return _day(text)
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError("an instant needs its UTC offset, e.g. 2026-11-01T00:00:00+05:30")
    return instant


Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_day)]
DayOrInstant = Annotated[str, StringConstraints(max_length=40), AfterValidator(_day_or_instant)]
Cursor = Annotated[str, StringConstraints(max_length=100)]
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE)]
CSV_COLUMNS = ("payment_id", "bill_id", "bill_reference", "amount_paise", "reference", "app", "source", "paid_at")


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class BillQuery(_Query):
    """Filters for GET /bills; every one optional."""

    reference: Annotated[str, StringConstraints(max_length=64)] | None = None
    customer: Annotated[str, StringConstraints(max_length=64)] | None = Field(None, description="customer reference")
    status: BillStatus | None = None
    due_from: Day | None = None
    due_to: Day | None = None
    limit: Limit = 50
    cursor: Cursor | None = None


class PaymentQuery(_Query):
    """The range for GET /payments: a day is the biller's calendar day, an instant needs its UTC offset."""

    paid_from: DayOrInstant | None = Field(None, alias="from")
    paid_to: DayOrInstant | None = Field(None, alias="to")
    limit: Limit = 100
    cursor: Cursor | None = None


class BillList(BaseModel):
    """A page of bills."""

    bills: list[BillPublic]
    next_cursor: str | None


class PaymentRecord(BaseModel):
    """A payment as the books need it."""

    id: int
    bill_id: int
    bill_reference: str
    amount: int
    reference: str
    app: str | None
    source: str
    paid_at: datetime


class PaymentList(BaseModel):
    """A page of payments."""

    payments: list[PaymentRecord]
    next_cursor: str | None


@route("GET", "/bills", summary="List bills, filtered, a page at a time", query=BillQuery, response=BillList)
def get_bills():
    """The biller's bills in creation order; follow next_cursor for the next page."""
    query = _query(BillQuery)
    session, settings = get_session(), current_settings()
    where = BillFilter(query.reference, query.customer, query.status, query.due_from, query.due_to)
    bills, next_cursor = list_bills(
        session=session, biller_id=current_biller().id, where=where, limit=query.limit, cursor=query.cursor
    )
    page = BillList(
        bills=[bill_public(session=session, bill=bill, settings=settings) for bill in bills], next_cursor=next_cursor
    )
    return jsonify(page.model_dump(mode="json"))


@route("GET", "/payments", summary="List payments received, a page at a time", query=PaymentQuery, response=PaymentList)
def get_payments():
    """Payments in the order they were recorded, from `from` up to `to` (a day given as `to` is included)."""
    query = _query(PaymentQuery)
    biller = current_biller()
    rows, next_cursor = list_payments(
        session=get_session(),
        biller_id=biller.id,
        paid_from=_instant(query.paid_from, biller, "from"),
        paid_to=_instant(query.paid_to, biller, "to"),
        limit=query.limit,
        cursor=query.cursor,
    )
    page = PaymentList(payments=[_record(payment, reference) for payment, reference in rows], next_cursor=next_cursor)
    return jsonify(page.model_dump(mode="json"))


@route("GET", "/payments.csv", summary="Every payment in a range as CSV, for the biller's books", query=PaymentQuery)
def get_payments_csv():
    """The same payments as GET /payments, all of them, streamed as CSV (amounts in paise, times in UTC)."""
    query = _query(PaymentQuery)
    biller = current_biller()
    rows = iter_payments(
        session=get_session(),
        biller_id=biller.id,
        paid_from=_instant(query.paid_from, biller, "from"),
        paid_to=_instant(query.paid_to, biller, "to"),
    )

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for payment, reference in rows:
            record = _record(payment, reference)
            writer.writerow(
                (
                    record.id,
                    record.bill_id,
                    spreadsheet_cell(record.bill_reference),
                    record.amount,
                    spreadsheet_cell(record.reference),
                    spreadsheet_cell(record.app or ""),
                    record.source,
                    record.paid_at.isoformat(),
                )
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    filename = f"payments-{biller.id}.csv"
    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _query(model: type[Q]) -> Q:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise validation_error(exc) from None


def _instant(value: date | datetime | None, biller: Biller, field: str) -> datetime | None:
    """A bound of the range as an instant: a day starts (`from`) or ends (`to`) in the biller's time zone."""
    if value is None or isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if field == "to" else value
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(biller.timezone))


def _record(payment: Payment, bill_reference: str) -> PaymentRecord:
    return PaymentRecord(
        id=payment.id,
        bill_id=payment.bill_id,
        bill_reference=bill_reference,
        amount=payment.amount_paise,
        reference=payment.reference,
        app=payment.app,
        source=payment.source,
        paid_at=payment.paid_at,
    )
