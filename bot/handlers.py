"""What the bot does for each thing a customer asks about their bills, payments and support."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlmodel import select

from billing.apps import catalogue
from billing.billers import biller_today
from billing.bills import current_link
from billing.checkout_rows import load_checkout_rows
from billing.complaints import open_complaint
from billing.links import TOKEN_LENGTH, link_url
from billing.money import format_day, format_inr
from bot.texts import menu_choices, say
from bot.turn import Reply, Turn, biller_of
from bot.understanding.lexicon import complaint_category
from bot.understanding.normalise import normalise
from config import Settings
from models import Bill, Biller, Payment
from models.complaints import ComplaintCategory
from models.vocab import PAYABLE_STATUSES
from workflows import CUSTOMER
from workflows.conversations import hand_over as hand_over_conversation
from workflows.conversations import needs_attention
from workflows.reminders import pause_for_payment_claim, pause_reminders

DEFAULT_SNOOZE_DAYS = 3
MAX_BILLS_LISTED = 5


def show_menu(turn: Turn) -> list[Reply]:
    """Everything the bot can do, one option per line (and as buttons where the channel has them)."""
    return [Reply(say("menu", turn.language), menu_choices(turn.language))]


def greet(turn: Turn) -> list[str]:
    """A short hello, not the whole menu."""
    return [say("greeting", turn.language)]


def thank(turn: Turn) -> list[str]:
    """A short you're welcome."""
    return [say("thanks", turn.language)]


def open_bills(turn: Turn) -> list[Bill]:
    """The open bills of the turn's customers: those of the conversation's biller only."""
    ids = [customer.id for customer in turn.customers]
    return list(
        turn.session.exec(
            select(Bill)
            .where(Bill.customer_id.in_(ids), Bill.status.in_([status.value for status in PAYABLE_STATUSES]))
            .order_by(Bill.due_date)
        ).all()
    )


def list_bills(turn: Turn) -> list[str]:
    """Open bills with amount, due date and link."""
    bills = open_bills(turn)
    if not bills:
        return [say("no_bills", turn.language)]
    return ["\n".join(say("bill_line", turn.language, **_bill_values(turn, bill)) for bill in bills[:MAX_BILLS_LISTED])]


def pay(turn: Turn) -> list[str]:
    """The payment link of each open bill, naming the customer's preferred app."""
    bills = open_bills(turn)
    if not bills:
        return [say("no_bills", turn.language)]
    lines = []
    for bill in bills[:MAX_BILLS_LISTED]:
        customer = next(c for c in turn.customers if c.id == bill.customer_id)
        app = catalogue().get(customer.preferred_app or "")
        with_app = say("with_app", turn.language, app=app.name) if app else ""
        lines.append(say("pay_line", turn.language, app=with_app, **_bill_values(turn, bill)))
    return ["\n".join(lines)]


def claim_paid(turn: Turn) -> list[str]:
    """Confirm a payment we already hold by its UTR; otherwise pause reminders 48 hours and tell support."""
    utr = turn.understanding.slots.utr
    payment = _recorded_payment(turn, utr) if utr else None
    if payment is not None:
        biller = turn.session.get(Biller, payment.biller_id)
        amount = format_inr(payment.amount_paise, turn.language)
        return [say("paid_confirmed", turn.language, amount=amount, biller=biller.name, utr=utr)]
    pause_for_payment_claim(
        session=turn.session,
        actor=CUSTOMER,
        now=turn.inbound.received_at,
        bills=open_bills(turn),
        utr=utr,
        channel=turn.inbound.channel,
    )
    needs_attention(conversation=turn.conversation, reason="paid_claim", now=turn.inbound.received_at)
    return [say("paid_ack", turn.language, utr=say("utr_note", turn.language, utr=utr) if utr else "")]


def snooze(turn: Turn) -> list[str]:
    """Pause reminders until the day asked for (3 days by default), no later than the biller allows."""
    biller = biller_of(turn, turn.customers[0])  # the conversation's biller: its customers are all that biller's
    today = biller_today(biller, turn.inbound.received_at)
    wanted = turn.understanding.slots.date or today + timedelta(days=DEFAULT_SNOOZE_DAYS)
    day = pause_reminders(
        session=turn.session,
        actor=CUSTOMER,
        now=turn.inbound.received_at,
        biller=biller,
        bills=open_bills(turn),
        day=wanted,
    )
    return [say("later_ack", turn.language, date=format_day(day, turn.language))]


def hand_over(turn: Turn) -> list[str]:
    """A person takes over; the bot acknowledges once and stays quiet until support hands back."""
    hand_over_conversation(
        session=turn.session, actor=CUSTOMER, now=turn.inbound.received_at, conversation=turn.conversation
    )
    return [say("agent_ack", turn.language)]


def complain(turn: Turn) -> list[str]:
    """Open a complaint ticket in the support inbox, with a category, and give the customer its reference."""
    category = ComplaintCategory(complaint_category(normalise(turn.text)))
    complaint = open_complaint(
        session=turn.session,
        customer=turn.customers[0],
        conversation_id=turn.conversation.id,
        category=category,
        text=turn.inbound.text,
        now=turn.inbound.received_at,
    )
    needs_attention(conversation=turn.conversation, reason="complaint", now=turn.inbound.received_at)
    category_name = say(f"complaint_{category.value}", turn.language)
    return [say("complaint_opened", turn.language, category=category_name, reference=complaint.reference)]


def ask_for_link(turn: Turn) -> list[str]:
    """'Is this genuine?' without a link: ask for it, and say what ours look like."""
    domain = urlsplit(turn.settings.link_base_url or turn.settings.public_base_url).netloc
    return [say("send_link", turn.language, domain=domain)]


def check_link(turn: Turn, link: str) -> list[str]:
    """Say whether a forwarded link is one of ours, and for which biller and bill."""
    token = _our_token(link, turn.settings)
    rows = load_checkout_rows(session=turn.session, token=token) if token else None
    if rows is None:
        return [say("link_fake", turn.language)]
    _, bill, biller, _ = rows
    return [say("link_genuine", turn.language, biller=biller.name, bill=bill.reference)]


def _our_token(link: str, settings: Settings) -> str | None:
    """The token of a link on our short-link or payment-page host; a query (?lang=hi) or a trailing / is fine."""
    parts = urlsplit(link if "://" in link else f"https://{link}")
    for base, prefix in ((settings.link_base_url, ""), (settings.public_base_url, "/p")):
        ours = urlsplit(base or "")
        try:
            same_host = bool(ours.hostname) and (parts.hostname, parts.port) == (ours.hostname, ours.port)
        except ValueError:  # a malformed port: not ours
            return None
        if same_host:
            token = parts.path.rstrip("/").removeprefix(ours.path.rstrip("/") + prefix + "/")
            if len(token) == TOKEN_LENGTH and token.isalnum():
                return token
    return None


def _recorded_payment(turn: Turn, utr: str) -> Payment | None:
    """A payment already recorded with this UTR against one of this customer's bills."""
    ids = [customer.id for customer in turn.customers]
    return turn.session.exec(
        select(Payment)
        .join(Bill, Bill.id == Payment.bill_id)
        .where(Payment.reference == utr, Bill.customer_id.in_(ids))
    ).first()


def _bill_values(turn: Turn, bill: Bill) -> dict[str, str]:
    biller = turn.session.get(Biller, bill.biller_id)
    return {
        "biller": biller.name,
        "amount": format_inr(bill.amount_due_paise, turn.language),
        "due_date": format_day(bill.due_date, turn.language),
        "link": link_url(current_link(session=turn.session, bill_id=bill.id).token, settings=turn.settings),
    }
