"""What the support inbox lists: conversations that need a person, filtered by who has them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from billing.customers import WHATSAPP_WINDOW
from models import Conversation, Customer, CustomerChannel
from support.conversation_labels import labelled

# mine: assigned to the user; unassigned: nobody has taken it; all: everything waiting.
ASSIGNMENT_FILTERS = {"all": "All waiting", "mine": "Mine", "unassigned": "Unassigned"}


def waiting_conversations(*, show: str = "all", user_id: int | None = None, label_id: int | None = None):
    """A query of (conversation, customer) pairs needing a person, oldest first (the caller scopes it);
    with `label_id`, only the conversations carrying that label."""
    query = (
        select(Conversation, Customer)
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.needs_attention.is_not(None), Conversation.biller_id == Customer.biller_id)
        .order_by(Conversation.attention_since)
    )
    if show == "mine":
        query = query.where(Conversation.assigned_user_id == user_id)
    elif show == "unassigned":
        query = query.where(Conversation.assigned_user_id.is_(None))
    return query if label_id is None else labelled(query, label_id)


def whatsapp_window_closes_at(*, session: Session, customer_id: int, now: datetime) -> datetime | None:
    """When the customer's 24-hour WhatsApp window closes, or None if it is closed already."""
    last = session.exec(
        select(CustomerChannel.last_inbound_at).where(
            CustomerChannel.customer_id == customer_id, CustomerChannel.channel == "whatsapp"
        )
    ).first()
    if last is None or now - last >= WHATSAPP_WINDOW:
        return None
    return last + WHATSAPP_WINDOW
