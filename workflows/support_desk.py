"""Support's tools: canned replies and labels a biller keeps, and labels put on and taken off conversations."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from accounts.audit import record_audit
from models import CannedReply, Conversation, Label
from support import canned_replies, conversation_labels
from workflows import Actor


def _audit(session: Session, actor: Actor, biller_id: int, action: str, subject: tuple[str, int], **detail) -> None:
    record_audit(
        session=session,
        biller_id=biller_id,
        actor=str(actor),
        action=action,
        subject_type=subject[0],
        subject_id=subject[1],
        detail=detail or None,
    )


def save_canned_reply(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    biller_id: int,
    title: str,
    language: str,
    body: str,
    reply: CannedReply | None = None,
) -> CannedReply:
    """Add a canned reply to the biller's, or change one of them."""
    action = "canned_reply.create" if reply is None else "canned_reply.update"
    reply = canned_replies.save_canned_reply(
        session=session, biller_id=biller_id, title=title, language=language, body=body, now=now, reply=reply
    )
    _audit(session, actor, biller_id, action, ("canned_reply", reply.id), language=reply.language)
    return reply


def delete_canned_reply(*, session: Session, actor: Actor, now: datetime, reply: CannedReply) -> None:
    """Remove a canned reply."""
    _audit(session, actor, reply.biller_id, "canned_reply.delete", ("canned_reply", reply.id))
    session.delete(reply)
    session.flush()


def create_label(*, session: Session, actor: Actor, now: datetime, biller_id: int, name: str) -> Label:
    """Add a label to the biller's."""
    label = conversation_labels.create_label(session=session, biller_id=biller_id, name=name, now=now)
    _audit(session, actor, biller_id, "label.create", ("label", label.id))
    return label


def delete_label(*, session: Session, actor: Actor, now: datetime, label: Label) -> None:
    """Remove a label, and with it from every conversation that had it."""
    _audit(session, actor, label.biller_id, "label.delete", ("label", label.id))
    session.delete(label)
    session.flush()


def label_conversation(
    *, session: Session, actor: Actor, now: datetime, conversation: Conversation, label: Label, on: bool
) -> bool:
    """Put the label on the conversation (on=True) or take it off; False when nothing changed."""
    if on:
        changed = conversation_labels.add_label(session=session, conversation=conversation, label=label, now=now)
    else:
        changed = conversation_labels.remove_label(session=session, conversation=conversation, label=label)
    if changed:
        action = "conversation.label" if on else "conversation.unlabel"
        _audit(session, actor, conversation.biller_id, action, ("conversation", conversation.id), label_id=label.id)
    return changed
