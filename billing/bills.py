"""Bills: creation with their link, lookup within a biller, cancellation, and the public shape."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import String, any_, bindparam, exists, func, literal_column, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, select

import events
from billing.amounts import RuleError, amount_choice, check_amount_rule, days_overdue
from billing.billers import biller_today
from billing.customers import customer_public, upsert_customer
from billing.links import link_expiry, link_url, new_token
from billing.schemas import BillBase, BillIn, BillPublic, column_of
from config import Settings
from errors import Conflict, InvalidInput, NotFound
from models import Bill, Biller, Cadence, Customer, PaymentLink
from models.db import utcnow
from models.vocab import PAYABLE_STATUSES, AmountExactness, BillStatus
from models.webhooks import EventType
from scheduler.dunning import initial_reminder


def check_bill_rules(data: BillIn, *, exactness: AmountExactness) -> None:
    """Refuse a bill whose amounts and dates contradict each other, naming the field at fault."""
    try:
        check_amount_rule(
            exactness=exactness,
            amount=data.amount,
            min_amount=data.min_amount,
            max_amount=data.max_amount,
            min_partial_amount=data.min_partial_amount,
        )
    except RuleError as exc:
        raise InvalidInput(exc.message, field=exc.field) from exc
    if data.bill_date and data.bill_date > data.due_date:
        raise InvalidInput("must not be after due_date", field="bill_date")
    if (data.early_payment_amount is None) != (data.early_payment_date is None):
        raise InvalidInput("early_payment_amount and early_payment_date go together", field="early_payment_date")
    if data.early_payment_date and data.early_payment_date > data.due_date:
        raise InvalidInput("must not be after due_date", field="early_payment_date")
    if data.early_payment_amount and data.early_payment_amount > data.amount:
        raise InvalidInput("must not exceed amount", field="early_payment_amount")
    if data.late_payment_amount and data.late_payment_amount < data.amount:
        raise InvalidInput("must not be less than amount", field="late_payment_amount")
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise InvalidInput("must be in the future", field="expires_at")


def bill_link_expiry(data: BillIn, *, settings: Settings, today: date) -> datetime:
    """When the bill's link stops working: as asked, else some days after the due date or after today,
    whichever is later (a bill created after its due date starts overdue, with a link that still works)."""
    if data.expires_at is not None:
        return data.expires_at
    return link_expiry(max(data.due_date, today), settings=settings)


def cadence_ids_by_name(*, session: Session, biller_id: int) -> dict[str, int]:
    """The biller's cadences, name to id."""
    rows = session.exec(select(Cadence.name, Cadence.id).where(Cadence.biller_id == biller_id)).all()
    return dict(rows)


def default_cadence_id(*, session: Session, biller_id: int) -> int | None:
    """The cadence a bill follows when none is named: the one the biller flagged as its default."""
    return session.exec(select(Cadence.id).where(Cadence.biller_id == biller_id, Cadence.is_default)).first()


def resolve_cadence(*, session: Session, biller_id: int, name: str | None) -> int | None:
    """The id of the named cadence (or the biller's default when no name is given)."""
    if name is None:
        return default_cadence_id(session=session, biller_id=biller_id)
    cadence_id = cadence_ids_by_name(session=session, biller_id=biller_id).get(name)
    if cadence_id is None:
        raise InvalidInput("is not one of this biller's cadences", field="cadence")
    return cadence_id


def bill_values(data: BillIn, *, biller: Biller, customer_id: int, cadence_id: int | None) -> dict:
    """The column values of a new bill from its validated input."""
    exactness = data.amount_exactness or AmountExactness(biller.default_amount_exactness)
    return {
        **{column_of(name): getattr(data, name) for name in BillBase.model_fields},
        "biller_id": biller.id,
        "customer_id": customer_id,
        "amount_due_paise": data.amount,
        "amount_exactness": exactness.value,
        "min_partial_amount_paise": data.min_partial_amount,
        "status": BillStatus.OPEN.value,
        "cadence_id": cadence_id,
    }


def create_bill(*, session: Session, biller: Biller, data: BillIn, settings: Settings) -> Bill:
    """Create a bill, its customer (upserted) and its payment link; nothing is sent yet."""
    exactness = data.amount_exactness or AmountExactness(biller.default_amount_exactness)
    check_bill_rules(data, exactness=exactness)
    cadence_id = resolve_cadence(session=session, biller_id=biller.id, name=data.cadence)
    if find_bill(session=session, biller_id=biller.id, reference=data.reference):
        raise Conflict("A bill with this reference already exists", field="reference", code="duplicate")
    customer, _ = upsert_customer(session=session, biller_id=biller.id, data=data.customer)
    bill = Bill(**bill_values(data, biller=biller, customer_id=customer.id, cadence_id=cadence_id))
    initial_reminder(session=session, bill=bill)
    session.add(bill)
    session.flush()
    expires_at = bill_link_expiry(data, settings=settings, today=biller_today(biller, utcnow()))
    session.add(PaymentLink(bill_id=bill.id, token=new_token(), expires_at=expires_at))
    session.flush()
    return bill


def find_bill(*, session: Session, biller_id: int, reference: str) -> Bill | None:
    """The biller's bill with this reference, if any."""
    return session.exec(select(Bill).where(Bill.biller_id == biller_id, Bill.reference == reference)).first()


def bills_by_reference(
    *, session: Session, biller_id: int, references: Collection[str]
) -> dict[str, tuple[Bill, Customer]]:
    """The biller's bills (with their customers) for these references, in one query however many there are."""
    wanted = sorted(set(references))
    if not wanted:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        matches = Bill.reference == any_(bindparam("references", wanted, type_=ARRAY(String)))
    else:
        # One JSON parameter instead of one bound parameter per reference (SQLite caps those).
        listed = func.json_each(bindparam("references", json.dumps(wanted)))
        matches = Bill.reference.in_(select(literal_column("value")).select_from(listed))
    query = select(Bill, Customer).join(Customer, Customer.id == Bill.customer_id)
    rows = session.exec(query.where(Bill.biller_id == biller_id, matches)).all()
    return {bill.reference: (bill, customer) for bill, customer in rows}


def get_bill(*, session: Session, biller_id: int, bill_id: int) -> Bill:
    """The biller's bill with this id, or NotFound (also when it belongs to another biller)."""
    bill = session.get(Bill, bill_id)
    if bill is None or bill.biller_id != biller_id:
        raise NotFound("No bill with that id", field="id")
    return bill


def cancel_bill(*, session: Session, bill: Bill) -> Bill:
    """Cancel an unpaid bill so it takes no payment and gets no reminder; repeating it is harmless."""
    # One conditional statement, so a payment that settles the bill at the same moment is never overwritten.
    cancelled = session.execute(
        update(Bill)
        .where(Bill.id == bill.id, Bill.status.not_in([BillStatus.PAID.value, BillStatus.CANCELLED.value]))
        .values(status=BillStatus.CANCELLED.value, next_reminder_at=None, updated_at=utcnow())
    ).rowcount
    session.refresh(bill)
    if cancelled:
        data = {"bill": bill_event_data(session=session, bill=bill, now=utcnow())}
        events.emit(session, bill.biller_id, EventType.BILL_CANCELLED, data)
    if bill.status == BillStatus.PAID:
        raise Conflict("A paid bill cannot be cancelled", field="status", code="bill_paid")
    return bill


def current_link(*, session: Session, bill_id: int) -> PaymentLink:
    """The bill's payment link (the newest, if it was ever reissued)."""
    return session.exec(
        select(PaymentLink).where(PaymentLink.bill_id == bill_id).order_by(PaymentLink.id.desc())
    ).first()


def bill_public(*, session: Session, bill: Bill, settings: Settings) -> BillPublic:
    """The bill as the API shows it, with its customer and full link URL."""
    customer = session.get(Customer, bill.customer_id)
    cadence = session.get(Cadence, bill.cadence_id) if bill.cadence_id else None
    link = current_link(session=session, bill_id=bill.id)
    today = biller_today(session.get(Biller, bill.biller_id), utcnow())
    choice = amount_choice(bill, today=today)
    return BillPublic(
        **{name: getattr(bill, column_of(name)) for name in BillBase.model_fields},
        id=bill.id,
        customer=customer_public(session=session, customer=customer),
        amount_due=choice.due_paise,
        amount_exactness=AmountExactness(bill.amount_exactness),
        cadence=cadence.name if cadence else None,
        status=BillStatus(bill.status),
        link=link_url(link.token, settings=settings),
        min_partial_amount=bill.min_partial_amount_paise,
        expires_at=link.expires_at,
        amount_due_parts=choice.parts(),
        total_paid=bill.amount_paise - bill.amount_due_paise,
        days_overdue=days_overdue(bill, today=today) if choice.due_paise else 0,
    )


def bill_event_data(*, session: Session, bill: Bill, now: datetime) -> dict:
    """A bill as events tell the biller's systems: `amount_due` is what the page asks at `now`, with its parts and
    the total paid, as in every API answer (a late fee included)."""
    choice = amount_choice(bill, today=biller_today(session.get(Biller, bill.biller_id), now))
    return events.bill_data(session, bill) | {
        "amount_due": choice.due_paise,
        "amount_due_parts": choice.parts(),
        "total_paid": bill.amount_paise - bill.amount_due_paise,
    }


def expire_bills(*, session: Session, now: datetime) -> int:
    """Close open bills whose every payment link has expired: no more reminders, no more payments; tell the
    biller's systems (`bill.expired`). How many."""
    live_link = exists().where(
        PaymentLink.bill_id == Bill.id, (PaymentLink.expires_at.is_(None)) | (PaymentLink.expires_at > now)
    )
    expired = (
        session.execute(
            update(Bill)
            .where(Bill.status.in_([status.value for status in PAYABLE_STATUSES]), ~live_link)
            .values(status=BillStatus.EXPIRED.value, next_reminder_at=None, updated_at=now)
            .returning(Bill.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    for bill_id in expired:
        bill = session.get(Bill, bill_id)
        data = {"bill": bill_event_data(session=session, bill=bill, now=now)}
        events.emit(session, bill.biller_id, EventType.BILL_EXPIRED, data)
    return len(expired)
