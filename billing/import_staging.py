"""A background import on SQLite in short transactions: its rows staged in batches, then published in batches.

SQLite has one writer at a time: an import written in one transaction held the write lock for the whole file
(26 s for 220,000 rows) and every other write (a payment, a page open, the job's own lease) waited. Here each
batch is its own transaction, committed by the job runner's `checkpoint`, which also checks the job is still
this worker's (a worker that lost its lease can never commit another batch).

1. Staging: the rows go to import_staged_customers / import_staged_bills under the job's id. Nothing outside
   this module reads them; a retried attempt clears them first, a job that fails for good clears them.
2. The job passes to "publishing" (jobs.stage) in one short statement with its report: from then on the import
   has happened, and a worker that dies is replaced by one that finishes publishing (never one that re-stages).
3. Publishing: batch by batch, in one transaction each, customers are upserted and bills and links inserted
   from the staged rows, which are deleted in the same transaction (a batch is moved exactly once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from billing.schemas import CustomerIn
from models import Bill, Customer, PaymentLink
from models.db import UTCDateTime
from models.imports import STAGED_CUSTOMER_COLUMNS, staged_bills, staged_customers

# The columns a staged bill hands to its bill (the customer's id is looked up by the customer's reference).
_BILL_COLUMNS = [column.name for column in Bill.__table__.columns if column.name not in ("id", "customer_id")]


@dataclass(frozen=True)
class Staging:
    """A background import writing in short transactions: its job, the job runner's fenced commit, the batch."""

    job_id: int
    # Commits what was written so far while the job is still this worker's; raises when it is not.
    checkpoint: Callable[[], None]
    batch_rows: int = 1000  # rows per staging transaction (settings.import_batch_rows)

    @property
    def publish_rows(self) -> int:
        # Publishing is set-based (a few INSERT … SELECT): five times the rows in about the same time.
        return self.batch_rows * 5


def stage_import(
    session: Session,
    staging: Staging,
    bill_rows: list[dict],
    link_rows: list[dict],
    customers: list[CustomerIn],
    lines: list[int],
) -> None:
    """Write the import's rows to the staging tables, one committed batch at a time (an earlier attempt's first
    cleared). lines: each bill's line in the file, its key in staging (and in a report of a publish conflict)."""
    clear_staged(session, staging)
    latest: dict[str, CustomerIn] = {customer.reference: customer for customer in customers}
    rows = [_staged_customer(staging.job_id, customer) for customer in latest.values()]
    for start in range(0, len(rows), staging.batch_rows):
        session.execute(insert(staged_customers), rows[start : start + staging.batch_rows])
        staging.checkpoint()
    staged = [
        {
            **{key: value for key, value in bill.items() if key != "customer_id"},
            "job_id": staging.job_id,
            "seq": line,
            "customer_reference": customer.reference,
            "link_token": link["token"],
            "link_created_at": link["created_at"],
            "link_expires_at": link["expires_at"],
        }
        for bill, link, customer, line in zip(bill_rows, link_rows, customers, lines, strict=True)
    ]
    for start in range(0, len(staged), staging.batch_rows):
        session.execute(insert(staged_bills), staged[start : start + staging.batch_rows])
        staging.checkpoint()


def _staged_customer(job_id: int, customer: CustomerIn) -> dict:
    values = customer.model_dump(mode="json")
    given = "," + ",".join(sorted(customer.model_fields_set - {"reference"})) + ","
    return {
        "job_id": job_id,
        "reference": customer.reference,
        **{name: values[name] for name in STAGED_CUSTOMER_COLUMNS},
        "fields": given,
    }


def clear_staged(session: Session, staging: Staging) -> None:
    """Delete a job's staged rows, a batch per transaction."""
    for table, key in ((staged_bills, staged_bills.c.seq), (staged_customers, staged_customers.c.reference)):
        while True:
            batch = select(key).where(table.c.job_id == staging.job_id).limit(staging.publish_rows).scalar_subquery()
            deleted = session.execute(delete(table).where(table.c.job_id == staging.job_id, key.in_(batch)))
            staging.checkpoint()
            if deleted.rowcount == 0:
                break


def publish_staged(session: Session, staging: Staging, biller_id: int, now: datetime) -> list[int]:
    """Move a job's staged rows into customers, bills and payment links, one committed batch at a time, except
    the last, which the caller commits with the job's outcome. Returns the lines whose reference another bill
    took after the file was checked (those bills are left out)."""
    job = staged_customers.c.job_id == staging.job_id
    while (upto := _batch_end(session, staged_customers.c.reference, job, staging.publish_rows)) is not None:
        batch = job & (staged_customers.c.reference <= upto)
        _publish_customers(session, batch, biller_id, now)
        session.execute(delete(staged_customers).where(batch))
        staging.checkpoint()
    taken: list[int] = []
    job = staged_bills.c.job_id == staging.job_id
    while (upto := _batch_end(session, staged_bills.c.seq, job, staging.publish_rows)) is not None:
        batch = job & (staged_bills.c.seq <= upto)
        taken += _publish_bills(session, batch)
        session.execute(delete(staged_bills).where(batch))
        if _batch_end(session, staged_bills.c.seq, job, staging.publish_rows) is not None:
            staging.checkpoint()
    return sorted(taken)


def _publish_customers(session: Session, batch, biller_id: int, now: datetime) -> None:
    """Update the known customers of a batch, insert the new ones."""
    staged, customers = staged_customers, Customer.__table__
    # A known customer takes only the values its row gave (an empty cell leaves what is stored).
    given = {
        name: case((staged.c.fields.like(f"%,{name},%"), staged.c[name]), else_=customers.c[name])
        for name in STAGED_CUSTOMER_COLUMNS
    }
    known = (customers.c.biller_id == biller_id) & (customers.c.reference == staged.c.reference)
    session.execute(update(customers).values(**given, updated_at=now).where(batch, known))
    at = literal(now, UTCDateTime())
    new = select(literal(biller_id), staged.c.reference, *[staged.c[n] for n in STAGED_CUSTOMER_COLUMNS], at, at)
    columns = ["biller_id", "reference", *STAGED_CUSTOMER_COLUMNS, "created_at", "updated_at"]
    insert_new = _dialect_insert(session, customers).from_select(columns, new.where(batch))
    session.execute(insert_new.on_conflict_do_nothing(index_elements=["biller_id", "reference"]))


def _publish_bills(session: Session, batch) -> list[int]:
    """Insert a batch's bills and their links; returns the lines whose reference a bill already has."""
    staged, bills, customers = staged_bills, Bill.__table__, Customer.__table__
    same_bill = (bills.c.biller_id == staged.c.biller_id) & (bills.c.reference == staged.c.reference)
    taken_lines = select(staged.c.seq).select_from(staged.join(bills, same_bill)).where(batch)
    taken = session.execute(delete(staged).where(batch, staged.c.seq.in_(taken_lines)).returning(staged.c.seq))
    taken = list(taken.scalars())
    its_customer = (customers.c.biller_id == staged.c.biller_id) & (
        customers.c.reference == staged.c.customer_reference
    )
    rows = select(*[staged.c[name] for name in _BILL_COLUMNS], customers.c.id).select_from(
        staged.join(customers, its_customer)
    )
    session.execute(
        insert(bills).from_select([*_BILL_COLUMNS, "customer_id"], rows.where(batch).order_by(staged.c.seq))
    )
    links = select(staged.c.link_token, staged.c.link_created_at, staged.c.link_expires_at, bills.c.id, literal(0))
    columns = ["token", "created_at", "expires_at", "bill_id", "open_count"]
    session.execute(
        insert(PaymentLink.__table__).from_select(
            columns, links.select_from(staged.join(bills, same_bill)).where(batch)
        )
    )
    return taken


def _dialect_insert(session: Session, table):
    return (postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)


def _batch_end(session: Session, key, where, size: int) -> object | None:
    """The last key of the next batch (keys in order), or None when nothing is staged."""
    first_keys = select(key.label("key")).where(where).order_by(key).limit(size).subquery()
    return session.execute(select(func.max(first_keys.c.key))).scalar()
