"""Understanding what a customer wrote: normalise, find the slots, pick one intent (issue #13).

Separate from the conversation (bot/router.py and its handlers), which decides what to do about it.
"""

from bot.understanding.classify import INTENTS, Understanding, prepare, understand
from bot.understanding.slots import Slots

__all__ = ["INTENTS", "Slots", "Understanding", "prepare", "understand"]
