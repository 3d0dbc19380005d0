"""Labels a biller's support staff put on conversations, and the inbox filter by label."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from billing.text import text_problem
from errors import Conflict, InvalidInput, NotFound
from models import Conversation, ConversationLabel, Label
from models.db import MAX_ID

MAX_NAME = 40


def create_label(*, session: Session, biller_id: int, name: str, now: datetime) -> Label:
    """A new label for the biller; names are unique per biller (ignoring case); flushes."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"must be 1 to {MAX_NAME} characters", field="name")
    if problem := text_problem(name, single_line=True):
        raise InvalidInput(problem, field="name")
    taken = {existing.casefold() for existing in session.exec(select(Label.name).where(Label.biller_id == biller_id))}
    if name.casefold() in taken:
        raise Conflict("is already a label", field="name")
    label = Label(biller_id=biller_id, name=name, created_at=now)
    try:
        with session.begin_nested():  # the same name added twice at once: the unique constraint keeps one
            session.add(label)
    except IntegrityError:
        raise Conflict("is already a label", field="name") from None
    return label


def get_label(*, session: Session, biller_id: int | None, label_id: int) -> Label:
    """The biller's label; another biller's does not exist."""
    label = session.get(Label, label_id) if 0 < label_id <= MAX_ID else None
    if label is None or biller_id is None or label.biller_id != biller_id:
        raise NotFound("No such label")
    return label


def biller_labels(*, session: Session, biller_id: int | None) -> list[Label]:
    """The biller's labels by name (none without a biller)."""
    if biller_id is None:
        return []
    return list(session.exec(select(Label).where(Label.biller_id == biller_id).order_by(Label.name)).all())


def add_label(*, session: Session, conversation: Conversation, label: Label, now: datetime) -> bool:
    """Put the label on the conversation (its own biller's labels only); False when it was there already."""
    if label.biller_id != conversation.biller_id:
        raise NotFound("No such label")
    if session.get(ConversationLabel, (conversation.id, label.id)) is not None:
        return False
    session.add(ConversationLabel(conversation_id=conversation.id, label_id=label.id, created_at=now))
    session.flush()
    return True


def remove_label(*, session: Session, conversation: Conversation, label: Label) -> bool:
    """Take the label off the conversation; False when it was not on it."""
    link = session.get(ConversationLabel, (conversation.id, label.id))
    if link is None:
        return False
    session.delete(link)
    session.flush()
    return True


def labels_of(*, session: Session, conversation_ids: list[int]) -> dict[int, list[Label]]:
    """The labels on each of these conversations, by name."""
    found: dict[int, list[Label]] = {conversation_id: [] for conversation_id in conversation_ids}
    if not conversation_ids:
        return found
    rows = session.exec(
        select(ConversationLabel.conversation_id, Label)
        .join(Label, Label.id == ConversationLabel.label_id)
        .where(ConversationLabel.conversation_id.in_(conversation_ids))
        .order_by(Label.name)
    ).all()
    for conversation_id, label in rows:
        found[conversation_id].append(label)
    return found


def labelled(query, label_id: int):
    """Narrow a query of conversations to those carrying the label."""
    return query.where(
        Conversation.id.in_(select(ConversationLabel.conversation_id).where(ConversationLabel.label_id == label_id))
    )
