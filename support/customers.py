"""Finding customers: everyone a page at a time, or by phone, name, consumer number or bill number."""

from __future__ import annotations

from contextlib import suppress

from sqlmodel import Session, or_, select

from billing.phones import normalise_phone
from models import Bill, Customer

PAGE_SIZE = 50


def find_customers(
    *, session: Session, biller_id: int | None, query: str = "", offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[list[Customer], bool]:
    """A page of the biller's customers (every biller's when biller_id is None) matching the query if any,
    by name; and whether there are more."""
    statement = select(Customer)
    if biller_id is not None:
        statement = statement.where(Customer.biller_id == biller_id)
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions = [Customer.name.ilike(pattern, escape="\\"), Customer.reference == query]
        with suppress(ValueError):  # not a phone number: search by the other fields
            conditions.append(Customer.phone == normalise_phone(query))
        by_bill = select(Bill.customer_id).where(Bill.reference == query)
        if biller_id is not None:
            by_bill = by_bill.where(Bill.biller_id == biller_id)
        conditions.append(Customer.id.in_(by_bill))
        statement = statement.where(or_(*conditions))
    rows = session.exec(statement.order_by(Customer.name, Customer.id).offset(offset).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit
