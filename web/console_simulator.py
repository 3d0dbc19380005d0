"""The simulator: be a demo customer on WhatsApp, SMS or Telegram, with console channels only.

Messages typed here go to the same bot engine the webhooks call, and replies through the same outbox
and worker (its console providers), so what you see is what production does, minus the network.
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
from models import Bill, Conversation, ConversationMessage, Customer, OutboundMessage
from models.db import get_session, utcnow
from models.vocab import PAYABLE_STATUSES
from web.console import ActionForm, bp, render, scoped, staff_only
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
        chat = [(m.sent_at or m.created_at, "out", m.body or f"({m.template_key})", m.status) for m in outbound]
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
        flash("This customer has no phone number for SMS or WhatsApp.")
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


@bp.post("/simulator/remind")
@staff_only
def simulator_remind():
    """Send the customer a reminder for their oldest open bill now (or at the next allowed moment)."""
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
        flash("This customer has no open bill.")
        return _back(customer, channel)
    if channel == "telegram" and customer.telegram_chat_id is None:
        customer.telegram_chat_id = SIMULATED_CHAT_BASE + customer.id
        session.add(customer)
    try:
        _, when = notify_bill(session=session, actor=user(current_user.id), now=utcnow(), bill=bill, channels=[channel])
    except DomainError as exc:
        flash(exc.message)
        return _back(customer, channel)
    session.commit()
    if when > utcnow():
        flash(f"Outside contact hours: the reminder will go at {when:%d %b %H:%M} UTC.")
    _deliver()
    return _back(customer, channel)
