"""The simulator: be a demo customer on WhatsApp, SMS or Telegram, with console channels only.

Messages typed here go to the same bot engine the webhooks call, and replies through the same outbox
and worker (its console providers), so what you see is what production does, minus the network. When a
message fails or is withdrawn the page says why in words, and which channel the fallback took.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlmodel import select

from bot.engine import Inbound, handle_inbound
from channels.registry import console_only
from channels.worker import OutboxWorker
from config import current_settings
from errors import DomainError
from models import Bill, Biller, Conversation, ConversationMessage, Customer, OutboundMessage
from models.db import get_session, utcnow
from models.vocab import PAYABLE_STATUSES
from support.labels import channel_label, failure_label, status_label
from web.console.base import ActionForm, bp, render, scoped, staff_only
from web.console.timefmt import local_time
from workflows import user
from workflows.notify import notify_bill

CHANNELS = ("whatsapp", "sms", "telegram")
SIMULATED_CHAT_BASE = 9_000_000_000  # Telegram chat ids given to customers who never connected a real one


def _simulator_allowed() -> None:
    if not console_only(current_settings()):
        abort(404)  # with real providers, typing here would message real people


def _customer(customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = (
        get_session().exec(scoped(select(Customer).where(Customer.id == customer_id), Customer.biller_id)).first()
    )
    if customer is None:
        abort(404)
    return customer


def _address(customer: Customer, channel: str) -> str | None:
    if channel == "telegram":
        return str(customer.telegram_chat_id or SIMULATED_CHAT_BASE + customer.id)
    return customer.phone


def explain(message: OutboundMessage) -> str:
    """What became of a message, in words ('failed: no approved WhatsApp template outside the 24-hour window')."""
    status = status_label(message.status)
    if message.status in ("failed", "undelivered", "cancelled") or (message.status == "queued" and message.error_code):
        return f"{status}: {failure_label(message.error_code)}"
    return status


@bp.get("/simulator")
@staff_only
def simulator():
    """Pick a customer and a channel, and see the chat as they would (delivering what is due first, so a
    receipt for a payment made in the sandbox shows up here as it would on the phone)."""
    _simulator_allowed()
    _deliver()
    session = get_session()
    customers = session.exec(scoped(select(Customer), Customer.biller_id).order_by(Customer.name).limit(100)).all()
    customer = _customer(request.args.get("customer", type=int))
    channel = request.args.get("channel") if request.args.get("channel") in CHANNELS else "whatsapp"
    chat = []
    if customer and _address(customer, channel):
        address = _address(customer, channel)
        outbound = session.exec(
            select(OutboundMessage).where(
                OutboundMessage.channel == channel,
                OutboundMessage.recipient == address,
                OutboundMessage.biller_id == customer.biller_id,
            )
        ).all()
        chat = [(m.sent_at or m.created_at, "out", m.body or f"({m.template_key})", explain(m)) for m in outbound]
        # Only this biller's thread with the phone: never another biller's, nor the person's own.
        thread = select(Conversation.id).where(
            Conversation.channel == channel,
            Conversation.address == address,
            Conversation.biller_id == customer.biller_id,
        )
        inbound = session.exec(
            select(ConversationMessage).where(
                ConversationMessage.conversation_id.in_(thread), ConversationMessage.direction == "in"
            )
        ).all()
        chat += [(m.created_at, "in", m.body, "") for m in inbound]
        chat.sort(key=lambda entry: entry[0])
    return render(
        "simulator.html",
        customers=customers,
        customer=customer,
        channel=channel,
        chat=chat,
        channels=CHANNELS,
        channel_names={name: channel_label(name) for name in CHANNELS},
        action_form=ActionForm(),
        address=customer and _address(customer, channel),
    )


def _back(customer: Customer, channel: str):
    return redirect(url_for("console.simulator", customer=customer.id, channel=channel))


def _deliver() -> None:
    """Send what is due through the console providers, as the worker process would."""
    OutboxWorker(current_app._get_current_object()).run(once=True)


@bp.post("/simulator/say")
@staff_only
def simulator_say():
    """Send a message as the customer; the bot answers as it would on the real channel."""
    _simulator_allowed()
    if not ActionForm().validate_on_submit():
        abort(400)
    customer = _customer(request.form.get("customer", type=int))
    channel = request.form.get("channel") if request.form.get("channel") in CHANNELS else "whatsapp"
    address = _address(customer, channel)
    if address is None:
        flash("This customer has no phone number for SMS or WhatsApp.", "error")
        return _back(customer, channel)
    session = get_session()
    if channel == "telegram" and customer.telegram_chat_id is None:
        customer.telegram_chat_id = int(address)
        session.add(customer)
    inbound = Inbound(
        channel=channel,
        address=address,
        text=(request.form.get("text") or "")[:4096],
        payload=request.form.get("payload") or None,
        received_at=utcnow(),
        provider_message_id=f"sim-{secrets.token_hex(8)}",
    )
    handle_inbound(session=session, inbound=inbound, settings=current_settings())
    session.commit()
    _deliver()
    return _back(customer, channel)


def _story(session, first: OutboundMessage) -> list[str]:
    """The reminder and each fallback it led to, oldest first, each with what became of it."""
    chain = session.exec(
        select(OutboundMessage)
        .where(
            OutboundMessage.bill_id == first.bill_id,
            OutboundMessage.idempotency_key.startswith(first.idempotency_key, autoescape=True),
        )
        .order_by(OutboundMessage.id)
    ).all()
    lines = []
    for message in chain:
        session.refresh(message)
        lines.append(f"{channel_label(message.channel)}: {explain(message)}")
    return lines


@bp.post("/simulator/remind")
@staff_only
def simulator_remind():
    """Send the customer a reminder for their oldest open bill now (or at the next allowed moment), on the chosen
    channel first and then the biller's other channels, as a real reminder falls back; then say what happened."""
    _simulator_allowed()
    if not ActionForm().validate_on_submit():
        abort(400)
    customer = _customer(request.form.get("customer", type=int))
    channel = request.form.get("channel") if request.form.get("channel") in CHANNELS else "whatsapp"
    session = get_session()
    bill = session.exec(
        select(Bill)
        .where(Bill.customer_id == customer.id, Bill.status.in_([status.value for status in PAYABLE_STATUSES]))
        .order_by(Bill.due_date)
    ).first()
    if bill is None:
        flash("This customer has no open bill.", "error")
        return _back(customer, channel)
    if channel == "telegram" and customer.telegram_chat_id is None:
        customer.telegram_chat_id = SIMULATED_CHAT_BASE + customer.id
        session.add(customer)
    order = [channel, *(c for c in session.get(Biller, bill.biller_id).channels_in_order if c != channel)]
    try:
        message, when = notify_bill(
            session=session, actor=user(current_user.id), now=utcnow(), bill=bill, channels=order
        )
    except DomainError as exc:
        flash(f"No reminder sent: {exc.message}.", "error")
        return _back(customer, channel)
    session.commit()
    if when > utcnow():
        flash(f"Outside contact hours: the reminder will go at {local_time(when, bill.biller_id)}.", "info")
        return _back(customer, channel)
    _deliver()
    story = _story(session, message)
    failed = any(" failed" in line or "not sent" in line for line in story)
    flash("Reminder — " + "; then ".join(story) + ".", "error" if failed and len(story) == 1 else "info")
    return _back(customer, channel)
