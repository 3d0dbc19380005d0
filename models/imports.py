"""Rows of a background import staged before they are published: written in short batches, keyed by the job.

A large import on SQLite must not hold the single write lock for the whole file, so the job writes its bills
here in batches committed one by one, then moves them into `customers`, `bills` and `payment_links`
(billing/import_staging.py). Nothing here is read by anything but that import; rows of a job that failed or
is retried are deleted.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, PrimaryKeyConstraint, String, Table, Text
from sqlmodel import SQLModel

from models.bills import Bill
from models.customers import Customer
from models.db import UTCDateTime

# A staged bill holds every column of a bill but its id and customer (looked up by reference at publish).
_BILL_COLUMNS = [column for column in Bill.__table__.columns if column.name not in ("id", "customer_id")]
# The customer's values the file gave (text), and which of them it gave (",name,phone,": the others stay).
STAGED_CUSTOMER_COLUMNS = ("name", "phone", "email", "language", "preferred_channel")


def _default(column: Column):
    # The bill's constant defaults (next_step, reminders_sent…); its timestamps are always given.
    return column.default.arg if column.default is not None and not column.default.is_callable else None


staged_bills = Table(
    "import_staged_bills",
    SQLModel.metadata,
    Column("job_id", Integer, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("customer_reference", String(64), nullable=False),
    Column("link_token", String(32), nullable=False),
    Column("link_created_at", UTCDateTime, nullable=False),
    Column("link_expires_at", UTCDateTime, nullable=True),
    *[Column(column.name, column.type, nullable=column.nullable, default=_default(column)) for column in _BILL_COLUMNS],
    PrimaryKeyConstraint("job_id", "seq"),
)

staged_customers = Table(
    "import_staged_customers",
    SQLModel.metadata,
    Column("job_id", Integer, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    Column("reference", String(64), nullable=False),
    *[Column(name, Customer.__table__.c[name].type, nullable=True) for name in STAGED_CUSTOMER_COLUMNS],
    Column("fields", Text, nullable=False),
    PrimaryKeyConstraint("job_id", "reference"),
)
