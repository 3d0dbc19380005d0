"""A payment link's rows: its bill, biller and customer, by token, in one statement.

The actions on a link (choosing an app, the QR code, the receipt, the bot) load them as ORM objects into their
session, to write through. A view of the page only shows the bill, and loading ORM objects cost it more than the
SELECT itself: the identity map, attribute instrumentation, a transaction opened and committed with nothing written.
So the page reads the columns it shows as plain rows, on the driver's connection outside any transaction
(`Database.read`: no ORM, no SQLAlchemy result objects); they carry the models' attribute names, so the page's rules
and template take either.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from sqlalchemy import bindparam
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from models import Bill, Biller, Customer, Payment, PaymentLink
from models.db import Database
from models.reads import PlainReads
from models.vocab import BillStatus


@cache
def _checkout_rows_statement():
    """The link, its bill, biller and customer by token: built and compiled once, reused by every view."""
    return (
        select(PaymentLink, Bill, Biller, Customer)
        .join(Bill, Bill.id == PaymentLink.bill_id)
        .join(Biller, Biller.id == Bill.biller_id)
        .join(Customer, Customer.id == Bill.customer_id)
        .where(PaymentLink.token == bindparam("token"))
        # The biller's secrets are decrypted only when used: a live fetch loads its secret, the page needs neither.
        .options(defer(Biller.bill_fetch_secret), defer(Biller.payment_webhook_secret))
    )


def load_checkout_rows(*, session: Session, token: str) -> tuple[PaymentLink, Bill, Biller, Customer] | None:
    """The link, its bill, biller and customer as ORM objects in the session, in one round trip."""
    return session.execute(_checkout_rows_statement(), {"token": token}).first()


# What the page, its rules (amount choice, state, receipt, apps, the biller's today) and a live fetch's freshness
# check read of each table. The biller's secrets are not among them: only a live fetch uses one, via the session.
PAGE_COLUMNS = {
    PaymentLink: ("id", "bill_id", "token", "expires_at"),
    Bill: (
        "id",
        "reference",
        "period",
        "due_date",
        "amount_paise",
        "amount_due_paise",
        "amount_exactness",
        "min_amount_paise",
        "max_amount_paise",
        "early_payment_amount_paise",
        "early_payment_date",
        "late_payment_amount_paise",
        "min_partial_amount_paise",
        "status",
        "fetched_at",
        "updated_at",
    ),
    Biller: ("id", "name", "upi_vpa", "timezone", "payment_apps", "bbps_biller_id", "bill_fetch_url"),
    Customer: ("id", "name", "reference", "language", "preferred_app", "telegram_chat_id", "telegram_link_token"),
}
# What a receipt shows of each of the bill's payments.
PAYMENT_COLUMNS = ("id", "amount_paise", "reference", "paid_at")


class PlainRow(SimpleNamespace):
    """One table's columns as attributes, named as on its model, with no session or ORM state behind them."""


@cache
def _page_statement():
    """The link, its bill, biller and customer by token: built once, compiled once per database (Database.read)."""
    columns = [getattr(model, name) for model, names in PAGE_COLUMNS.items() for name in names]
    return (
        select(*columns)
        .join_from(PaymentLink, Bill, Bill.id == PaymentLink.bill_id)
        .join(Biller, Biller.id == Bill.biller_id)
        .join(Customer, Customer.id == Bill.customer_id)
        .where(PaymentLink.token == bindparam("token"))
    )


@cache
def _payments_statement():
    """A bill's payments, oldest first."""
    return (
        select(*(getattr(Payment, name) for name in PAYMENT_COLUMNS))
        .where(Payment.bill_id == bindparam("bill_id"))
        .order_by(Payment.id)
    )


def read_checkout_rows(*, database: Database, token: str) -> tuple[PlainRow, PlainRow, PlainRow, PlainRow, list] | None:
    """The link, bill, biller, customer and (unless the bill is untouched) its payments; None for no such link."""
    return database.read(lambda reads: _read(reads, token))


def _read(reads: PlainReads, token: str):
    row = reads.first(_page_statement(), token=token)
    if row is None:
        return None
    link, bill, biller, customer = (_plain(names, row[start:end]) for names, start, end in _PAGE_ROW_SPANS)
    payments = []
    if bill.status != BillStatus.OPEN:
        payments = [_plain(PAYMENT_COLUMNS, values) for values in reads.all(_payments_statement(), bill_id=bill.id)]
    return link, bill, biller, customer, payments


def _plain(names: tuple[str, ...], values) -> PlainRow:
    return PlainRow(**dict(zip(names, values, strict=True)))


def _spans():
    end = 0
    for names in PAGE_COLUMNS.values():
        start, end = end, end + len(names)
        yield names, start, end


# Each table's column names and where their values sit in the page's row.
_PAGE_ROW_SPANS = tuple(_spans())
