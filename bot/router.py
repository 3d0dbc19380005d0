"""Which handler answers a message: a pending numbered choice first, then what the message means.

The states are drawn in bot/conversation.mmd (models.vocab.ConversationState).
"""

from __future__ import annotations

from bot.handlers import (
    ask_for_link,
    check_link,
    claim_paid,
    complain,
    greet,
    hand_over,
    list_bills,
    pay,
    show_menu,
    snooze,
    thank,
)
from bot.preferences import choose_app, choose_language, opt, set_app, set_language
from bot.texts import intent_label, say
from bot.turn import Reply, Turn, biller_of, customer_today
from bot.understanding import Understanding, understand
from bot.understanding.classify import CONFIDENT
from bot.understanding.normalise import normalise
from models.vocab import ConversationState

NEVER_OFFERED = frozenset({"stop", "start", "unknown", "greeting", "thanks", "menu"})


def respond(turn: Turn) -> list[str | Reply]:
    """The replies to one message: a pending numbered choice first, then what the message means."""
    words = normalise(turn.text)
    previous = turn.conversation.state
    if previous == ConversationState.CHOOSING_APP and words.isdigit():
        return choose_app(turn, int(words))
    if previous == ConversationState.CHOOSING_LANGUAGE and words in ("1", "2", "3"):
        turn.understanding = Understanding(turn.text, "language", 1.0)
        return choose_language(turn, ("en", "hi", "bn")[int(words) - 1])
    turn.conversation.state = ConversationState.IDLE
    if turn.inbound.start_payload and turn.customers:
        return [say("connected", turn.language, biller=biller_of(turn, turn.customers[0]).name)]
    turn.understanding = _understand(turn, previous, words)
    intent, slots = turn.understanding.intent, turn.understanding.slots
    if slots.url:
        return check_link(turn, slots.url)
    if intent == "language" and slots.language:
        return choose_language(turn, slots.language)
    unsure = intent == "unknown" or turn.understanding.confidence < CONFIDENT
    if intent in ("stop", "start") and not unsure:
        return opt(turn, intent)
    if not turn.customers:
        return [say("unknown_sender", turn.language)]
    if not words:
        return show_menu(turn)  # a photo, a sticker, nothing readable
    if unsure:
        return clarify(turn, misunderstood_before=ConversationState.offered(previous) is not None)
    return HANDLERS[intent](turn)


def _understand(turn: Turn, previous_state: str, words: str) -> Understanding:
    """A number answering the bot's own "did you mean" list picks from it; anything else is understood afresh."""
    offered = ConversationState.offered(previous_state)
    if offered and words.isdigit() and 1 <= int(words) <= len(offered):
        return Understanding(turn.text, offered[int(words) - 1], 1.0)
    return understand(turn.text, today=customer_today(turn))


def clarify(turn: Turn, *, misunderstood_before: bool) -> list[Reply]:
    """Offer the two or three likeliest readings as numbered choices; after two misses in a row, a person."""
    if misunderstood_before:
        offered: tuple[str, ...] = ("agent", "menu")
        text = say("offer_agent", turn.language)
    else:
        first, *others = (turn.understanding.intent, *turn.understanding.alternatives)
        readings = [first] if first == "stop" else []  # a guess at stop is only ever offered, never acted on
        readings += [intent for intent in (first, *others) if intent not in NEVER_OFFERED]
        readings += [intent for intent in ("bill", "pay", "agent") if intent not in readings]  # always 2-3 choices
        offered = tuple(readings[:3])
        lines = "\n".join(f"{number} {intent_label(intent, turn.language)}" for number, intent in enumerate(offered, 1))
        text = say("did_you_mean", turn.language, options=lines)
    turn.conversation.state = ConversationState.offering(offered)
    return [Reply(text, tuple((intent_label(intent, turn.language), intent) for intent in offered))]


HANDLERS = {
    "bill": list_bills,
    "pay": pay,
    "paid": claim_paid,
    "later": snooze,
    "app": set_app,
    "language": set_language,
    "agent": hand_over,
    "complaint": complain,
    "link_check": ask_for_link,
    "greeting": greet,
    "thanks": thank,
    "menu": show_menu,
}
