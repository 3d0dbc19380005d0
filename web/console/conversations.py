"""The support inbox, and a customer's conversation: reply, send a template, take it, hand it back."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlmodel import func, select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from accounts.users import biller_scope
from billing.customers import whatsapp_window_open
from billing.text import text_problem
from channels.outbox import reminder_variables
from channels.rendering import find_template
from config import current_settings
from errors import DomainError, NotFound
from models import Bill, Complaint, Conversation, ConversationMessage, Customer, OutboundMessage
from models.db import get_session, utcnow
from models.vocab import Channel
from support.canned_replies import fill_canned_reply, get_canned_reply, list_canned_replies
from support.conversation_labels import biller_labels, labels_of
from support.inbox import ASSIGNMENT_FILTERS, waiting_conversations, whatsapp_window_closes_at
from web.console.base import (
    ActionForm,
    ConsoleForm,
    Done,
    bp,
    chosen_biller_id,
    console_action,
    conversation_or_404,
    render,
    scoped,
    staff_only,
)
from web.i18n import LANGUAGES
from workflows import user
from workflows.conversations import hand_back as hand_back_conversation
from workflows.conversations import post_to_conversation


class ReplyForm(ConsoleForm):
    body = TextAreaField("Reply", validators=[DataRequired(), Length(max=1600)])


@bp.get("/")
@staff_only
def inbox():
    """Conversations that need a person: handovers, 'I already paid' claims, delivery failures."""
    session = get_session()
    show = request.args.get("show") if request.args.get("show") in ASSIGNMENT_FILTERS else "all"
    labels = biller_labels(session=session, biller_id=biller_scope(current_user) or chosen_biller_id())
    label = next((label for label in labels if label.id == request.args.get("label", type=int)), None)
    query = waiting_conversations(show=show, user_id=current_user.id, label_id=label.id if label else None)
    waiting = session.exec(scoped(query, Conversation.biller_id)).all()
    counts: dict[str, int] = {}
    for conversation, _ in waiting:
        counts[conversation.needs_attention] = counts.get(conversation.needs_attention, 0) + 1
    complaints = {
        complaint.conversation_id: complaint
        for complaint in session.exec(
            select(Complaint)
            .where(Complaint.status == "open", Complaint.conversation_id.in_([c.id for c, _ in waiting]))
            .order_by(Complaint.id)
        ).all()
    }
    return render(
        "inbox.html",
        waiting=waiting,
        counts=counts,
        complaints=complaints,
        action_form=ActionForm(),
        show=show,
        filters=ASSIGNMENT_FILTERS,
        labels=labels,
        label=label,
        labels_on=labels_of(session=session, conversation_ids=[c.id for c, _ in waiting]),
    )


def _back(conversation_id: int, **_) -> str:
    return url_for("console.conversation", conversation_id=conversation_id)


@bp.get("/conversations/<int:conversation_id>")
@staff_only
def conversation(conversation_id: int):
    """The customer's story: messages both ways with delivery status, and their bills."""
    conversation, customer = conversation_or_404(conversation_id)
    session = get_session()
    messages = session.exec(
        select(ConversationMessage, OutboundMessage)
        .join(OutboundMessage, OutboundMessage.id == ConversationMessage.outbound_message_id, isouter=True)
        .where(ConversationMessage.conversation_id == conversation.id)
        .order_by(ConversationMessage.id)
    ).all()
    bills = session.exec(select(Bill).where(Bill.customer_id == customer.id).order_by(Bill.due_date.desc())).all()
    now = utcnow()
    closes_at = None
    if conversation.channel == Channel.WHATSAPP:
        closes_at = whatsapp_window_closes_at(session=session, customer_id=customer.id, now=now)
    window_open = conversation.channel != Channel.WHATSAPP or whatsapp_window_open(
        session=session, customer_id=customer.id, now=now
    )
    reply_form = ReplyForm()
    if request.args.get("canned", type=int):
        reply_form.body.data = _canned_text(session, customer, request.args.get("canned", type=int))
    replies = list_canned_replies(session=session, biller_id=customer.biller_id)
    return render(
        "conversation.html",
        conversation=conversation,
        customer=customer,
        messages=messages,
        bills=bills,
        window_open=window_open,
        window_closes_at=closes_at,
        reply_form=reply_form,
        action_form=ActionForm(),
        canned=_by_language(replies, first=customer.language),
        languages=LANGUAGES,
        labels=labels_of(session=session, conversation_ids=[conversation.id])[conversation.id],
        biller_labels=biller_labels(session=session, biller_id=conversation.biller_id),
    )


def _by_language(replies: list, *, first: str) -> list[tuple[str, list]]:
    """Canned replies grouped by language, the customer's own first."""
    groups: dict[str, list] = {}
    for reply in replies:
        groups.setdefault(reply.language, []).append(reply)
    return sorted(groups.items(), key=lambda group: group[0] != first)


def _canned_text(session, customer: Customer, reply_id: int) -> str:
    """A canned reply of the customer's biller, filled in for them (another biller's is 404)."""
    try:
        reply = get_canned_reply(session=session, biller_id=customer.biller_id, reply_id=reply_id)
    except NotFound:
        abort(404)
    text, left = fill_canned_reply(
        session=session, reply=reply, customer=customer, settings=current_settings(), now=utcnow()
    )
    if left:
        names = ", ".join(f"{{{name}}}" for name in left)
        flash(gettext("The customer has no open bill: %(names)s left as written.", names=names), "info")
    return text


def post_as_agent(
    session,
    conversation: Conversation,
    customer: Customer,
    *,
    body: str | None = None,
    template_key: str | None = None,
    bill: Bill | None = None,
    variables: dict | None = None,
) -> None:
    """Queue a message from support in the conversation (free text, or a template about a bill); flushes."""
    sequence = session.exec(
        select(func.count())
        .select_from(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation.id)
    ).one()
    post_to_conversation(
        session=session,
        actor=user(current_user.id),
        now=utcnow(),
        conversation=conversation,
        idempotency_key=f"agent:{conversation.id}:{sequence}:{current_user.id}",
        language=customer.language,
        body=body,
        template_key=template_key,
        bill=bill,
        variables=variables,
    )


def _on_conversation(conversation: Conversation, customer: Customer, message: str | None = None, **extra) -> Done:
    return Done(
        to=_back(conversation.id),
        message=message,
        biller_id=customer.biller_id,
        subject_type="conversation",
        subject_id=conversation.id,
        **extra,
    )


@bp.post("/conversations/<int:conversation_id>/reply")
@staff_only
@console_action("conversation.reply", back=_back)
def reply(session, conversation_id: int):
    """Answer the customer on their channel (free text only inside WhatsApp's 24-hour window)."""
    conversation, customer = conversation_or_404(conversation_id)
    form = ReplyForm()
    if not form.validate():
        abort(400)
    if conversation.channel == Channel.WHATSAPP and not whatsapp_window_open(
        session=session, customer_id=customer.id, now=utcnow()
    ):
        raise DomainError("Outside the 24-hour WhatsApp window: only an approved template can be sent.")
    post_as_agent(session, conversation, customer, body=form.body.data)
    return _on_conversation(conversation, customer)


@bp.post("/conversations/<int:conversation_id>/hand-back")
@staff_only
@console_action("conversation.hand_back", back=_back)
def hand_back(session, conversation_id: int):
    """Give the conversation back to the bot and clear it from the inbox (the workflow writes the audit)."""
    conversation, customer = conversation_or_404(conversation_id)
    hand_back_conversation(session=session, actor=user(current_user.id), now=utcnow(), conversation=conversation)
    done = _on_conversation(conversation, customer, "Handed back to the bot.", audited=False)
    done.to = url_for("console.inbox")
    return done


@bp.post("/conversations/<int:conversation_id>/assign")
@staff_only
@console_action("conversation.assign", back=_back)
def assign_to_me(session, conversation_id: int):
    """Take the conversation."""
    conversation, customer = conversation_or_404(conversation_id)
    conversation.assigned_user_id = current_user.id
    session.add(conversation)
    return _on_conversation(conversation, customer, "Assigned to you.")


@bp.post("/conversations/<int:conversation_id>/send-template")
@staff_only
@console_action("conversation.template", back=_back)
def send_template(session, conversation_id: int):
    """Outside WhatsApp's window: send one of the biller's approved templates about one of the customer's bills."""
    conversation, customer = conversation_or_404(conversation_id)
    bill = session.get(Bill, request.form.get("bill_id", type=int) or 0)
    key = request.form.get("template") or ""
    if bill is None or bill.customer_id != customer.id or text_problem(key):
        abort(404)
    template = find_template(
        session=session, biller_id=customer.biller_id, key=key, channel="whatsapp", language=customer.language
    )
    if template is None or not template.content_sid:
        raise DomainError("That message has no approved WhatsApp template (ContentSid) yet: add one under Templates.")
    post_as_agent(
        session,
        conversation,
        customer,
        template_key=key,
        bill=bill,
        variables=reminder_variables(session=session, bill=bill, now=utcnow()),
    )
    return _on_conversation(conversation, customer, "Template queued.")
