"""Complaints: opened by customers (through the bot), worked by support in the inbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

import events
from accounts.audit import record_audit
from models import Complaint, Customer
from models.complaints import ComplaintCategory
from models.webhooks import EventType


def open_complaint(
    *,
    session: Session,
    customer: Customer,
    conversation_id: int | None,
    category: ComplaintCategory,
    text: str,
    now: datetime,
) -> Complaint:
    """Open a ticket for the customer's biller; the caller commits."""
    complaint = Complaint(
        biller_id=customer.biller_id,
        customer_id=customer.id,
        conversation_id=conversation_id,
        category=category.value,
        text=text[:1000],
        created_at=now,
    )
    session.add(complaint)
    session.flush()
    record_audit(
        session=session,
        biller_id=customer.biller_id,
        actor="customer",
        action="complaint.opened",
        subject_type="complaint",
        subject_id=complaint.id,
        detail={"category": complaint.category},
    )
    data = {"id": complaint.id, "customer_reference": customer.reference, "category": complaint.category}
    events.emit(session, customer.biller_id, EventType.COMPLAINT_OPENED, {"complaint": data})
    return complaint
