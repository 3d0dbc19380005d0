"""The support desk: the customer list and search, a customer's whole story, and the actions taken on it."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, request, url_for
from flask_login import current_user
from sqlmodel import select

from accounts.users import biller_scope, sees_biller
from billing.text import check_date_window, text_problem
from errors import DomainError, InvalidInput
from models import Bill, Biller, Conversation, Customer, CustomerNote
from models.db import get_session, utcnow
from support.customers import PAGE_SIZE, find_customers
from support.labels import channel_label
from support.timeline import customer_timeline as timeline_of
from web.console.base import ActionForm, Done, bp, console_action, render, staff_only
from web.console.timefmt import local_time
from workflows import user
from workflows.notify import notify_bill
from workflows.payments import record_payment
from workflows.reminders import pause_reminders


@bp.get("/customers")
@staff_only
def search_customers():
    """Every customer, newest first, a page at a time; or those matching a phone, name, consumer or bill number."""
    query = (request.args.get("q") or "").strip()[:100]
    page = max(request.args.get("page", type=int) or 1, 1)
    problem = text_problem(query)
    if problem:
        flash(f"Search {problem}.", "error")
        return render("customers.html", query="", results=[], page=1, more=False), 422
    biller_id = biller_scope(current_user)
    results, more = find_customers(
        session=get_session(), biller_id=biller_id, query=query, offset=(page - 1) * PAGE_SIZE
    )
    return render("customers.html", query=query, results=results, page=page, more=more)


def _customer_or_404(customer_id: int) -> Customer:
    customer = get_session().get(Customer, customer_id)
    if customer is None or not sees_biller(current_user, customer.biller_id):
        abort(404)
    return customer


@bp.get("/customers/<int:customer_id>")
@staff_only
def customer_timeline(customer_id: int):
    """Bills, every message with its delivery status, link opens, app choices, payments and notes, newest first."""
    customer = _customer_or_404(customer_id)
    session = get_session()
    bills = session.exec(select(Bill).where(Bill.customer_id == customer.id).order_by(Bill.due_date.desc())).all()
    conversations = session.exec(
        select(Conversation).where(
            Conversation.customer_id == customer.id, Conversation.biller_id == customer.biller_id
        )
    ).all()
    return render(
        "customer.html",
        customer=customer,
        bills=bills,
        events=timeline_of(session=session, customer_id=customer.id),
        conversations=conversations,
        biller=session.get(Biller, customer.biller_id),
        action_form=ActionForm(),
    )


def _bill_of(customer: Customer, bill_id: int) -> Bill:
    bill = get_session().get(Bill, bill_id)
    if bill is None or bill.customer_id != customer.id:
        abort(404)
    return bill


def _back(customer_id: int, **_) -> str:
    return url_for("console.customer_timeline", customer_id=customer_id)


def _on_customer(customer: Customer, message: str) -> Done:
    return Done(
        to=_back(customer.id),
        message=message,
        biller_id=customer.biller_id,
        subject_type="customer",
        subject_id=customer.id,
    )


@bp.post("/customers/<int:customer_id>/bills/<int:bill_id>/resend")
@staff_only
@console_action("bill.resend_link", back=_back)
def resend_link(session, customer_id: int, bill_id: int):
    """Send the bill's link again now (or at the next allowed contact moment)."""
    customer = _customer_or_404(customer_id)
    bill = _bill_of(customer, bill_id)
    message, when = notify_bill(session=session, actor=user(current_user.id), now=utcnow(), bill=bill)
    done = _on_customer(
        customer, f"Link queued on {channel_label(message.channel)} for {local_time(when, bill.biller_id, 'short')}."
    )
    done.audited = False  # the workflow wrote it (bill.notify)
    return done


@bp.post("/customers/<int:customer_id>/bills/<int:bill_id>/snooze")
@staff_only
@console_action("bill.snooze", back=_back)
def snooze_bill(session, customer_id: int, bill_id: int):
    """Pause the bill's reminders until a date (the start of contact hours that day, the biller's time)."""
    customer = _customer_or_404(customer_id)
    bill = _bill_of(customer, bill_id)
    biller = session.get(Biller, bill.biller_id)
    try:
        day = check_date_window(date.fromisoformat(request.form.get("until", "")), field="until")
    except (ValueError, DomainError):
        raise InvalidInput("Give the date as 2026-12-20", field="until") from None
    pause_reminders(session=session, actor=user(current_user.id), now=utcnow(), biller=biller, bills=[bill], day=day)
    return _on_customer(customer, f"Reminders for {bill.reference} paused until {day:%d %b %Y}.")


@bp.post("/customers/<int:customer_id>/bills/<int:bill_id>/mark-paid")
@staff_only
@console_action("bill.mark_paid", back=_back)
def mark_paid(session, customer_id: int, bill_id: int):
    """Record a payment confirmed by other means, with its reference (the same function as every payment)."""
    customer = _customer_or_404(customer_id)
    bill = _bill_of(customer, bill_id)
    if bill.amount_due_paise <= 0:
        raise DomainError(f"{bill.reference} is already paid: nothing is due", field="bill")
    reference = (request.form.get("reference") or "").strip()
    if not reference.isascii() or not reference.isalnum() or len(reference) > 64:
        raise DomainError("Give the payment reference (UTR), letters and digits only", field="reference")
    record_payment(
        session=session,
        actor=user(current_user.id),
        now=utcnow(),
        bill=bill,
        amount_paise=bill.amount_due_paise,
        reference=reference,
        source="console",
    )
    return _on_customer(customer, f"{bill.reference} marked paid.")


@bp.post("/customers/<int:customer_id>/notes")
@staff_only
@console_action("customer.note", back=_back)
def add_note(session, customer_id: int):
    """Keep an internal note on the customer."""
    customer = _customer_or_404(customer_id)
    body = (request.form.get("body") or "").strip()
    if not body:
        raise DomainError("Write the note first", field="body")
    if problem := text_problem(body):
        raise DomainError(f"Note not saved: it {problem}", field="body")
    session.add(CustomerNote(customer_id=customer.id, author_user_id=current_user.id, body=body[:2000]))
    return _on_customer(customer, "Note saved.")
