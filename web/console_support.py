"""The support desk: find a customer, read their whole story, and act on it."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlmodel import or_, select

from accounts.users import sees_biller
from billing.phones import normalise_phone
from billing.text import check_date_window, text_problem
from channels.outbox import reminder_variables
from channels.rendering import find_template
from errors import DomainError
from models import (
    Bill,
    Biller,
    Conversation,
    Customer,
    CustomerNote,
    LinkEvent,
    OutboundMessage,
    Payment,
)
from models.db import get_session, utcnow
from web.console import ActionForm, audit, bp, conversation_or_404, post_as_agent, render, scoped, staff_only
from workflows import user
from workflows.notify import notify_bill
from workflows.payments import record_payment
from workflows.reminders import pause_reminders

RESULTS_LIMIT = 50


@bp.get("/customers")
@staff_only
def search_customers():
    """Search by phone, name, consumer number or bill number."""
    query = (request.args.get("q") or "").strip()[:100]
    results, problem = [], text_problem(query)
    if problem:
        flash(f"Search {problem}.")
        return render("customers.html", query="", results=results), 422
    if query:
        session = get_session()
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions = [Customer.name.ilike(pattern, escape="\\"), Customer.reference == query]
        with suppress(ValueError):  # not a phone number: search by the other fields
            conditions.append(Customer.phone == normalise_phone(query))
        by_bill = select(Bill.customer_id).where(Bill.reference == query)
        conditions.append(Customer.id.in_(by_bill))
        results = session.exec(
            scoped(select(Customer).where(or_(*conditions)), Customer.biller_id)
            .order_by(Customer.name)
            .limit(RESULTS_LIMIT)
        ).all()
    return render("customers.html", query=query, results=results)


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
    bill_ids = [bill.id for bill in bills]
    events = []
    for message in session.exec(select(OutboundMessage).where(OutboundMessage.customer_id == customer.id)).all():
        label = f"{message.channel} {message.template_key or 'message'}: {message.status}"
        events.append(
            (message.created_at, "message", label + (f" ({message.error_code})" if message.error_code else ""))
        )
    for event in session.exec(select(LinkEvent).where(LinkEvent.bill_id.in_(bill_ids))).all():
        text = "opened the payment link" if event.kind == "opened" else f"{event.kind.replace('_', ' ')}"
        events.append((event.created_at, "link", text + (f": {event.app} on {event.platform}" if event.app else "")))
    for payment in session.exec(select(Payment).where(Payment.bill_id.in_(bill_ids))).all():
        events.append(
            (
                payment.paid_at,
                "payment",
                f"paid {payment.amount_paise / 100:.2f} ({payment.source}, ref {payment.reference})",
            )
        )
    for note in session.exec(select(CustomerNote).where(CustomerNote.customer_id == customer.id)).all():
        events.append((note.created_at, "note", note.body))
    events.sort(key=lambda event: event[0], reverse=True)
    conversations = session.exec(
        select(Conversation).where(
            Conversation.customer_id == customer.id, Conversation.biller_id == customer.biller_id
        )
    ).all()
    return render(
        "customer.html",
        customer=customer,
        bills=bills,
        events=events,
        conversations=conversations,
        biller=session.get(Biller, customer.biller_id),
        action_form=ActionForm(),
    )


def _bill_of(customer: Customer, bill_id: int) -> Bill:
    bill = get_session().get(Bill, bill_id)
    if bill is None or bill.customer_id != customer.id:
        abort(404)
    return bill


def _act(customer_id: int, action: str, do) -> object:
    """Check the form, run the action, audit it, and go back to the customer."""
    customer = _customer_or_404(customer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    try:
        done = do(session, customer)
    except DomainError as exc:
        session.rollback()
        flash(exc.message)
    else:
        audit(
            session,
            customer.biller_id,
            action=action,
            subject_type="customer",
            subject_id=customer.id,
        )
        session.commit()
        flash(done)
    return redirect(url_for("console.customer_timeline", customer_id=customer.id))


@bp.post("/customers/<int:customer_id>/bills/<int:bill_id>/resend")
@staff_only
def resend_link(customer_id: int, bill_id: int):
    """Send the bill's link again now (or at the next allowed contact moment)."""

    def do(session, customer):
        bill = _bill_of(customer, bill_id)
        message, when = notify_bill(session=session, actor=user(current_user.id), now=utcnow(), bill=bill)
        zone = ZoneInfo(session.get(Biller, bill.biller_id).timezone)
        return f"Link queued on {message.channel} for {when.astimezone(zone):%d %b %H:%M}."

    return _act(customer_id, "bill.resend_link", do)


@bp.post("/customers/<int:customer_id>/bills/<int:bill_id>/snooze")
@staff_only
def snooze_bill(customer_id: int, bill_id: int):
    """Pause the bill's reminders until a date (the start of contact hours that day, the biller's time)."""

    def do(session, customer):
        bill = _bill_of(customer, bill_id)
        biller = session.get(Biller, bill.biller_id)
        try:
            day = check_date_window(date.fromisoformat(request.form.get("until", "")), field="until")
        except (ValueError, DomainError):
            raise DomainError("Give the date as 2026-12-20", field="until") from None
        pause_reminders(
            session=session, actor=user(current_user.id), now=utcnow(), biller=biller, bills=[bill], day=day
        )
        return f"Reminders for {bill.reference} paused until {day:%d %b %Y}."

    return _act(customer_id, "bill.snooze", do)


@bp.post("/customers/<int:customer_id>/bills/<int:bill_id>/mark-paid")
@staff_only
def mark_paid(customer_id: int, bill_id: int):
    """Record a payment confirmed by other means, with its reference (the same function as every payment)."""

    def do(session, customer):
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
        return f"{bill.reference} marked paid."

    return _act(customer_id, "bill.mark_paid", do)


@bp.post("/customers/<int:customer_id>/notes")
@staff_only
def add_note(customer_id: int):
    """Keep an internal note on the customer."""

    def do(session, customer):
        body = (request.form.get("body") or "").strip()
        if not body:
            raise DomainError("Write the note first", field="body")
        if problem := text_problem(body):
            raise DomainError(f"Note not saved: it {problem}", field="body")
        session.add(CustomerNote(customer_id=customer.id, author_user_id=current_user.id, body=body[:2000]))
        return "Note saved."

    return _act(customer_id, "customer.note", do)


@bp.post("/conversations/<int:conversation_id>/assign")
@staff_only
def assign_to_me(conversation_id: int):
    """Take the conversation."""
    conversation, customer = conversation_or_404(conversation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    conversation.assigned_user_id = current_user.id
    session.add(conversation)
    audit(
        session,
        customer.biller_id,
        action="conversation.assign",
        subject_type="conversation",
        subject_id=conversation.id,
    )
    session.commit()
    return redirect(url_for("console.conversation", conversation_id=conversation.id))


@bp.post("/conversations/<int:conversation_id>/send-template")
@staff_only
def send_template(conversation_id: int):
    """Outside WhatsApp's window: send one of the biller's approved templates about one of the customer's bills."""
    conversation, customer = conversation_or_404(conversation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    bill = session.get(Bill, request.form.get("bill_id", type=int) or 0)
    key = request.form.get("template") or ""
    if bill is None or bill.customer_id != customer.id or text_problem(key):
        abort(404)
    template = find_template(
        session=session, biller_id=customer.biller_id, key=key, channel="whatsapp", language=customer.language
    )
    if template is None or not template.content_sid:
        flash("That message has no approved WhatsApp template (ContentSid) yet: add one under Templates.")
        return redirect(url_for("console.conversation", conversation_id=conversation.id))
    post_as_agent(
        session,
        conversation,
        customer,
        template_key=key,
        bill=bill,
        variables=reminder_variables(session=session, bill=bill, now=utcnow()),
        action="conversation.template",
    )
    return redirect(url_for("console.conversation", conversation_id=conversation.id))
