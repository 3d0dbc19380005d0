"""The channel-neutral bot: an inbound message in, replies (through the outbox) and actions out.

Conversation state lives in the database, so any web process can answer the next message. Which
conversation a message joins is bot/tenancy.py (drawn in bot/tenancy.mmd); which handler answers it,
bot/router.py (the states in bot/conversation.mmd); the handlers act through the use cases in workflows/.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from billing.customers import record_inbound
from bot import tenancy
from bot.router import respond
from bot.texts import say
from bot.turn import Inbound, Outcome, Reply, Turn
from bot.understanding.normalise import script_language
from channels.outbox import CONFIRMS_OPT_OUT
from config import Settings
from models import Biller, ConversationMessage, Customer
from workflows import CUSTOMER
from workflows.conversations import post_to_conversation

REPLIES_PER_MINUTE = 5
ALWAYS_ANSWERED = frozenset({"stop", "start", "agent", "language"})  # the reply limit never silences these


def handle_inbound(*, session: Session, inbound: Inbound, settings: Settings) -> Outcome:
    """Answer one inbound message; a provider retry of the same message changes nothing.

    The message is answered in the conversation of the biller it belongs to (bot/tenancy.py), or per
    biller when the person is a customer of several, each answer in that biller's own conversation.
    """
    if session.exec(
        select(ConversationMessage.id).where(ConversationMessage.provider_message_id == inbound.provider_message_id)
    ).first():
        return Outcome(duplicate=True)
    linked = _link_telegram(session, inbound) if inbound.start_payload else []
    threads = tenancy.route(session=session, inbound=inbound, linked_biller_id=linked[0].biller_id if linked else None)
    outcome = Outcome()
    sent = 0
    for number, thread in enumerate(threads):
        session.add(
            ConversationMessage(
                conversation_id=thread.conversation.id,
                direction="in",
                body=(thread.text or inbound.text)[:4000],
                # the first copy carries the provider's id (a retry is recognised by it), unless routing kept it
                provider_message_id=inbound.provider_message_id if number == 0 and thread.text is None else None,
                created_at=inbound.received_at,
            )
        )
        turn, replies = _answer(session, settings, inbound, thread)
        for reply in replies:
            _send(turn, reply, sent)
            sent += 1
        outcome.replies += [reply.text for reply in replies]
    return outcome


def _answer(session: Session, settings: Settings, inbound: Inbound, thread: tenancy.Thread) -> tuple[Turn, list[Reply]]:
    """The bot's replies in one conversation, labelled with the biller when the person has several."""
    customers = thread.customers
    for customer in customers:
        record_inbound(session=session, customer_id=customer.id, channel=inbound.channel, at=inbound.received_at)
    conversation = thread.conversation
    conversation.updated_at = inbound.received_at
    session.add(conversation)
    if thread.text is not None:
        inbound = replace(inbound, text=thread.text, payload=None)
    language = (customers[0].language if customers else None) or script_language(inbound.text) or "en"
    turn = Turn(session, settings, inbound, conversation, customers, language)
    if conversation.handed_over_at is not None:
        return turn, []  # a person is answering: the bot stays quiet
    if thread.ask_biller:
        return turn, [_ask_biller(turn, thread.ask_biller)]
    replies = [reply if isinstance(reply, Reply) else Reply(reply) for reply in respond(turn)]
    if (
        replies
        and turn.intent not in ALWAYS_ANSWERED
        and _replies_last_minute(session, conversation.id, inbound.received_at) >= REPLIES_PER_MINUTE
    ):
        return turn, []  # never a flood, never a loop; but a stop, start, handover or language change is confirmed
    if thread.label:
        replies = [
            reply if reply.text.startswith(thread.label) else replace(reply, text=f"{thread.label}: {reply.text}")
            for reply in replies
        ]
    return turn, replies


def _ask_biller(turn: Turn, billers: list[Biller]) -> Reply:
    """Which biller the message is about, by number (and as buttons where the channel has them)."""
    options = "\n".join(f"{number} {biller.name}" for number, biller in enumerate(billers, start=1))
    buttons = tuple((biller.name, str(number)) for number, biller in enumerate(billers, start=1))
    return Reply(say("choose_biller", turn.language, options=options), buttons)


def _link_telegram(session: Session, inbound: Inbound) -> list[Customer]:
    customer = session.exec(select(Customer).where(Customer.telegram_link_token == inbound.start_payload)).first()
    if customer is None:
        return []
    customer.telegram_chat_id = int(inbound.address)
    session.add(customer)
    return [customer]


def _replies_last_minute(session: Session, conversation_id: int, now: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(ConversationMessage)
        .where(
            ConversationMessage.conversation_id == conversation_id,
            ConversationMessage.direction == "out",
            ConversationMessage.author_user_id.is_(None),
            ConversationMessage.created_at > now - timedelta(minutes=1),
        )
    ).one()


def _send(turn: Turn, reply: Reply, index: int) -> None:
    """Queue one reply in the conversation (buttons where the channel shows them)."""
    variables = {"choices": [list(choice) for choice in reply.choices]} if reply.choices else {}
    if reply.confirms_opt_out:
        variables[CONFIRMS_OPT_OUT] = True
    post_to_conversation(
        session=turn.session,
        actor=CUSTOMER,
        now=turn.inbound.received_at,
        conversation=turn.conversation,
        idempotency_key=f"reply:{turn.inbound.provider_message_id}:{index}",
        language=turn.language,
        body=reply.text,
        variables=variables or None,
    )
