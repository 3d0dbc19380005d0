"""Canned replies: a biller's ready answers per language, with placeholders filled from the customer's open bill."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from billing.amounts import amount_choice
from billing.billers import biller_today
from billing.bills import current_link
from billing.links import link_url
from billing.money import format_inr
from billing.text import text_problem
from config import Settings
from errors import Conflict, InvalidInput, NotFound
from models import Bill, Biller, CannedReply, Customer
from models.db import MAX_ID
from models.vocab import PAYABLE_STATUSES, Language

MAX_TITLE, MAX_BODY = 80, 1600  # a reply is at most what the reply box takes
# What a reply may say in braces, and what it becomes (the bill ones from the customer's earliest open bill).
PLACEHOLDERS = ("name", "link", "amount", "bill")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check_canned_reply(*, title: str, language: str, body: str) -> tuple[str, str]:
    """The title and body stripped, or InvalidInput naming the field at fault."""
    title, body = title.strip(), body.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(f"must be 1 to {MAX_TITLE} characters", field="title")
    if problem := text_problem(title, single_line=True):
        raise InvalidInput(problem, field="title")
    if language not in {language.value for language in Language}:
        raise InvalidInput("is not a language the product speaks (en, hi, bn)", field="language")
    if not body or len(body) > MAX_BODY:
        raise InvalidInput(f"must be 1 to {MAX_BODY} characters", field="body")
    if problem := text_problem(body):
        raise InvalidInput(problem, field="body")
    unknown = sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise InvalidInput(f"uses unknown placeholders {', '.join(unknown)}; known ones are {known}", field="body")
    return title, body


def save_canned_reply(
    *,
    session: Session,
    biller_id: int,
    title: str,
    language: str,
    body: str,
    now: datetime,
    reply: CannedReply | None = None,
) -> CannedReply:
    """Create a reply, or change `reply` (the biller's own); titles are unique per biller and language; flushes."""
    title, body = check_canned_reply(title=title, language=language, body=body)
    clash = session.exec(
        select(CannedReply.id).where(
            CannedReply.biller_id == biller_id, CannedReply.language == language, CannedReply.title == title
        )
    ).first()
    if clash is not None and (reply is None or clash != reply.id):
        raise Conflict("is already used by another reply in this language", field="title")
    if reply is None:
        reply = CannedReply(biller_id=biller_id, created_at=now, title=title, language=language, body=body)
    reply.title, reply.language, reply.body, reply.updated_at = title, language, body, now
    try:
        with session.begin_nested():  # the same title saved twice at once: the unique constraint keeps one
            session.add(reply)
    except IntegrityError:
        raise Conflict("is already used by another reply in this language", field="title") from None
    return reply


def get_canned_reply(*, session: Session, biller_id: int, reply_id: int) -> CannedReply:
    """The biller's reply; another biller's does not exist."""
    reply = session.get(CannedReply, reply_id) if 0 < reply_id <= MAX_ID else None
    if reply is None or reply.biller_id != biller_id:
        raise NotFound("No such canned reply")
    return reply


def list_canned_replies(*, session: Session, biller_id: int) -> list[CannedReply]:
    """The biller's replies by language, then title."""
    query = select(CannedReply).where(CannedReply.biller_id == biller_id)
    return list(session.exec(query.order_by(CannedReply.language, CannedReply.title)).all())


def fill_canned_reply(
    *, session: Session, reply: CannedReply, customer: Customer, settings: Settings, now: datetime
) -> tuple[str, list[str]]:
    """The reply's text for this customer, and the placeholders left as written (no open bill to fill them)."""
    values = {"name": customer.name}
    bill = session.exec(
        select(Bill)
        .where(Bill.customer_id == customer.id, Bill.status.in_([status.value for status in PAYABLE_STATUSES]))
        .order_by(Bill.due_date, Bill.id)
    ).first()
    if bill is not None:
        values["link"] = link_url(current_link(session=session, bill_id=bill.id).token, settings=settings)
        today = biller_today(session.get(Biller, bill.biller_id), now)
        values["amount"] = format_inr(amount_choice(bill, today=today).due_paise, customer.language)
        values["bill"] = bill.reference
    left = sorted({name for name in PLACEHOLDER.findall(reply.body) if name not in values})
    text = PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), reply.body)
    return text, left
