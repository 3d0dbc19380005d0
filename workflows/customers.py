"""Customers in: created or updated by reference (the API; imports and bills upsert them on their own way)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from accounts.audit import record_audit
from billing import customers
from billing.schemas import CustomerIn
from models import Biller, Customer
from workflows import Actor


def upsert_customer(
    *, session: Session, actor: Actor, now: datetime, biller: Biller, data: CustomerIn
) -> tuple[Customer, bool]:
    """Create the customer or change the fields sent; audited without the personal data (only which fields)."""
    customer, created = customers.upsert_customer(session=session, biller_id=biller.id, data=data)
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=str(actor),
        action="customer.create" if created else "customer.update",
        subject_type="customer",
        subject_id=customer.id,
        detail={"fields": sorted(data.model_fields_set - {"reference"})},
    )
    return customer, created
