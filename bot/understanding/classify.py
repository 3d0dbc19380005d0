"""A message to one intent with a confidence: safety rules first, then a model trained from shipped examples.

The model is TF-IDF over character n-grams (which survive misspelling and romanised Hindi and Bengali)
plus words and cross-language concept tags (bot/understanding/lexicon.py), into a logistic regression.
It trains from bot/understanding/data/train.tsv on first use in about half a second, so nothing binary
is shipped; classifying then takes a dot product (see `_Scorer`). Opting out is never left to the model.
"""

from __future__ import annotations

import csv
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np

from bot.understanding.lexicon import concepts_of
from bot.understanding.normalise import lines_of, normalise
from bot.understanding.slots import Slots, find_slots

INTENTS = (
    "bill",
    "pay",
    "paid",
    "later",
    "app",
    "language",
    "stop",
    "start",
    "agent",
    "complaint",
    "link_check",
    "greeting",
    "thanks",
    "menu",
    "unknown",
)
CONFIDENT = 0.5  # below this the bot offers its likeliest readings instead of acting on one (see bench.understanding)
TRAINING_DATA = Path(__file__).parent / "data" / "train.tsv"
TRAINING_DAY = date(2026, 1, 14)  # any day: training only needs to know whether a message names a date
# Carrier and WhatsApp keywords, and their Hindi/Bengali equivalents: alone on a line they always opt out.
OPT_OUT_KEYWORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "band", "bandh", "band karo", "bondho"}
    | {"बंद", "बंद करो", "बंद करें", "बन्द", "रोको", "रोकें", "বন্ধ", "বন্ধ করুন", "বন্ধ করো", "থামুন"}
)
# Words that only soften a keyword: "Please stop", "stop it pls", "अब बंद करो", "দয়া করে বন্ধ করুন" still opt out.
_COURTESY = re.compile(
    r"(?<!\S)(?:please|pls|plz|plzz|kindly|now|it|ab|ji|sir|madam|bhai|dada|"
    r"कृपया|प्लीज़|प्लीज|अब|जी|দয়া করে|অনুগ্রহ করে|প্লিজ|এখন)(?!\S)"
)
OPT_IN_KEYWORDS = frozenset({"start", "yes", "unstop", "शुरू", "चालू", "শুরু", "চালু"})
# Twilio answers these itself on SMS (and blocks or unblocks the number).
TWILIO_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "start", "yes", "unstop"})
MENU_NUMBERS = {str(n): intent for n, intent in enumerate(("menu", "bill", "pay", "paid", "later", "app"))}
MENU_NUMBERS |= {"6": "language", "7": "agent", "8": "stop"}
EXACT = {"help": "menu", "info": "menu", "bills": "bill"} | {intent: intent for intent in INTENTS}
_NO_MORE = re.compile(
    r"\b(?:stop|don ?t|do not|dont|no more|never|remove|mat|band|bondho|bondo|na)\b.*"
    r"\b(?:messages?|messaging|msgs?|sms|texts?|texting|reminders?|reminding|notifications?|whatsapp|these|me)\b"
    r"|\b(?:messages?|msgs?|sms|reminders?)\b.*\b(?:mat|band|nahi chahiye|bondho|na)\b"
    r"|\b(?:opt ?out|unsubscribe)\b|\bremove (?:me|my number)\b"
    # "don't send" needs no object: "mat bhejo", "ab mat bhejna", "pathaben na", "मत भेजो", "আর পাঠাবেন না"
    r"|\b(?:stop|quit) sending\b|\b(?:don ?t|do not|never) send(?: (?:anything|any more|anymore|again|it|them))*$"
    r"|\b(?:mat|na) bhej|\bbhej\w* (?:mat|band|bandh)\b"
    r"|\b(?:pathaben|pathabe|pathio|pathiyo|diben) na\b|\bpathano (?:bondho|bondo|bandh)\b"
    r"|(?:मैसेज|मेसेज|संदेश|एसएमएस|रिमाइंडर).*(?:मत|बंद|नहीं चाहिए)|मत भेज|(?<!\S)न भेज|भेज\S* (?:मत|बंद)"
    r"|(?:মেসেজ|বার্তা|এসএমএস|রিমাইন্ডার).*(?:না|বন্ধ)|(?:পাঠাবেন|পাঠাবে|পাঠিও|পাঠিয়ো) না|পাঠানো বন্ধ"
)

_QUESTION = re.compile(r"\b(?:why|kyu|kyun|kyon|keno|kano|did you|have you|will you)\b|क्यों|क्यूँ|কেন")
# "Until my salary comes", "for now": a pause for a while, which "later" offers, not a request for no more messages.
_FOR_A_WHILE = re.compile(
    r"\b(?:till|until|untill|for now|for a while|jab tak|tab tak|abhi ke liye|kuch din|porjonto|kichu din)\b"
    r"|जब तक|अभी के लिए|कुछ दिन|পর্যন্ত|কিছু দিন|কিছুদিন"
)


@dataclass(frozen=True)
class Understanding:
    """What a message means: one intent, how sure we are, its slots and the next likeliest intents."""

    text: str
    intent: str
    confidence: float
    slots: Slots = field(default_factory=Slots)
    alternatives: tuple[str, ...] = ()

    def as_json(self) -> dict:
        """The stable JSON shape of `flask bot classify`."""
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "slots": self.slots.as_json(),
        }


def understand(text: str, *, today: date) -> Understanding:
    """One intent with a confidence, and the slots, for a customer's message on the customer's `today`."""
    slots = find_slots(text, today)
    ruled = _by_rule(text)
    if ruled:
        return Understanding(text, ruled, 1.0, slots)
    words = normalise(text)
    if not words:
        return Understanding(text, "unknown", 1.0, slots)
    ranked = _model().ranked(featured(words, slots))
    if ranked[0][0] == "stop" and not (asks_for_no_more_messages(words) and slots.date is None):
        ranked = [pair for pair in ranked if pair[0] != "stop"]  # never destructive on a guess
        if slots.date is not None:
            ranked.insert(0, ("later", max(ranked[0][1], 0.5)))
    intent, confidence = ranked[0]
    return Understanding(text, intent, confidence, slots, tuple(name for name, _ in ranked[1:4]))


def asks_for_no_more_messages(words: str) -> bool:
    """Free text that clearly asks for no more messages ('stop sending me these', 'मैसेज मत भेजो', 'mat bhejo').

    A question ("why did you stop sending me reminders?") is not a request, nor is a pause for a while
    ("mat bhejo jab tak salary na aaye").
    """
    return bool(_NO_MORE.search(words)) and not _QUESTION.search(words) and not _FOR_A_WHILE.search(words)


def is_carrier_keyword(text: str) -> bool:
    """A message that is just one of the keywords Twilio handles itself on SMS."""
    return normalise(text) in TWILIO_KEYWORDS


def _by_rule(text: str) -> str | None:
    lines = lines_of(text)
    if any(_without_courtesy(line) in OPT_OUT_KEYWORDS for line in lines):
        return "stop"
    words = " ".join(lines)
    if words in OPT_IN_KEYWORDS:
        return "start"
    return MENU_NUMBERS.get(words) or EXACT.get(words)


def _without_courtesy(line: str) -> str:
    return " ".join(_COURTESY.sub(" ", line).split())


def featured(words: str, slots: Slots) -> str:
    """The normalised message with its concept tags and which slots it fills, as the model reads it."""
    filled = [f"__{name}__" for name, value in vars(slots).items() if value is not None]
    return " ".join([words, *concepts_of(words), *filled])


def training_examples() -> list[tuple[str, str]]:
    """(model input, intent) pairs from the shipped training data."""
    with TRAINING_DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(featured(normalise(row["text"]), find_slots(row["text"], TRAINING_DAY)), row["intent"]) for row in rows]


class _Scorer:
    """TF-IDF features into a logistic regression, scored by hand: sklearn's per-call checks cost milliseconds."""

    def __init__(self, examples: list[tuple[str, str]]) -> None:
        # Imported here, at the first message understood: a second of start-up for every process that never
        # reads one (the web server, the CLI, the dunning pass).
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts, labels = zip(*examples, strict=True)
        self.vectorizers = [
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
            TfidfVectorizer(tokenizer=str.split, token_pattern=None, ngram_range=(1, 2), sublinear_tf=True),
        ]
        matrices = [vectorizer.fit_transform(texts) for vectorizer in self.vectorizers]
        model = LogisticRegression(C=20, solver="saga", max_iter=300, tol=1e-3, random_state=0)
        model.fit(hstack(matrices).tocsr(), list(labels))
        self.classes = [str(name) for name in model.classes_]
        self.intercept = model.intercept_
        weights = model.coef_.T
        self.parts = []
        offset = 0
        for vectorizer in self.vectorizers:
            size = len(vectorizer.vocabulary_)
            part_weights = weights[offset : offset + size]
            self.parts.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, part_weights))
            offset += size

    def ranked(self, text: str) -> list[tuple[str, float]]:
        """Every intent with its probability, likeliest first."""
        scores = self.intercept.copy()
        for analyse, vocabulary, idf, weights in self.parts:
            counts: dict[int, int] = {}
            for gram in analyse(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts, dtype=np.int64)
            values = (1 + np.log(np.fromiter(counts.values(), dtype=float))) * idf[indices]
            scores = scores + (values / np.linalg.norm(values)) @ weights[indices]
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        return sorted(zip(self.classes, probabilities.tolist(), strict=True), key=lambda pair: -pair[1])


_TRAINING = threading.Lock()


def prepare() -> None:
    """Train the model now (about a second), so that the first message a process reads does not wait for it."""
    _model()


def _model() -> _Scorer:
    with _TRAINING:  # threads reading their first messages at once train one model, not one each (a second apiece)
        return _trained()


@cache
def _trained() -> _Scorer:
    return _Scorer(training_examples())
