"""The understanding layer on its own: intents, the never-destructive opt-out rules, slots, and held-out figures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from threading import Barrier, Event

import pytest

from bot.understanding import INTENTS, classify, understand
from bot.understanding.classify import CONFIDENT
from bot.understanding.evaluation import evaluate, read_examples
from bot.understanding.lexicon import concepts_of
from bot.understanding.normalise import normalise
from jobs.inbound import serve_inbound

TODAY = date(2026, 11, 25)  # a Wednesday
HELD_OUT = Path(__file__).parent / "data" / "heldout.tsv"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("मैंने भुगतान कर दिया है", "paid"),
        ("भुगतान कर दिया है", "paid"),
        ("আমি ইতিমধ্যে পরিশোধ করেছি", "paid"),
        ("payment done", "paid"),
        ("मेरा बिल कितना है?", "bill"),
        ("how much do I owe?", "bill"),
        ("bill kitna hai", "bill"),
        ("amar bill koto", "bill"),
        ("kal bhar dunga", "later"),
        ("kal debo", "later"),
        ("৫ তারিখে দেব", "later"),
    ],
)
def test_customers_own_words_reach_the_right_intent(text, intent):
    assert understand(text, today=TODAY).intent == intent


@pytest.mark.parametrize(
    "text", ["STOP", "stop", "Stopall", "UNSUBSCRIBE", "cancel", "END", "quit", "बंद", "বন্ধ", "hi there\nSTOP"]
)
def test_carrier_keywords_alone_on_a_line_always_opt_out(text):
    understanding = understand(text, today=TODAY)
    assert (understanding.intent, understanding.confidence) == ("stop", 1.0)


@pytest.mark.parametrize("text", ["stop sending me these", "मैसेज मत भेजो", "আর মেসেজ পাঠাবেন না"])
def test_free_text_opts_out_when_it_clearly_asks_for_no_more_messages(text):
    assert understand(text, today=TODAY).intent == "stop"


# (script, what the customer writes, the intent): polite and colloquial ways of asking for no more messages, and
# sentences that merely contain their words — a promise to pay, a failed payment, "don't cut my power".
STOP_OR_NOT = [
    ("latin", "Please stop", "stop"),
    ("latin", "please stop sending these", "stop"),
    ("latin", "mat bhejo", "stop"),
    ("latin", "message mat bhejo", "stop"),
    ("latin", "ab mat bhejna", "stop"),
    ("latin", "pathaben na", "stop"),
    ("latin", "End of month I will pay", "later"),
    ("latin", "stop calling me rude, I'll pay Friday", "later"),
    ("latin", "payment stopped midway, money deducted", "complaint"),
    ("latin", "don't stop my electricity, I will pay", "later"),
    ("latin", "bijli mat kaatna, pay kar dunga", "later"),
    ("devanagari", "मत भेजो", "stop"),
    ("devanagari", "मैसेज बंद करो", "stop"),
    ("devanagari", "अब मत भेजना", "stop"),
    ("devanagari", "कृपया बंद करें", "stop"),
    ("devanagari", "भुगतान बीच में रुक गया, पैसे कट गए", "complaint"),
    ("devanagari", "मेरी बिजली मत काटो, पैसे दे दूंगा", "later"),
    ("devanagari", "शुक्रवार को भर दूंगा, फोन करना बंद करो", "later"),
    ("bengali", "আর পাঠাবেন না", "stop"),
    ("bengali", "আর পাঠিও না", "stop"),
    ("bengali", "দয়া করে বন্ধ করুন", "stop"),
    ("bengali", "পেমেন্ট মাঝপথে থেমে গেছে, টাকা কেটে গেছে", "complaint"),
    ("bengali", "কারেন্ট বন্ধ করবেন না, টাকা দিয়ে দেব", "later"),
    ("bengali", "শুক্রবারে দেব, আর ফোন করবেন না", "later"),
]


@pytest.mark.parametrize(
    ("script", "text", "intent"), STOP_OR_NOT, ids=[f"{script}-{n}" for n, (script, _, _) in enumerate(STOP_OR_NOT)]
)
def test_polite_and_colloquial_requests_opt_out_and_sentences_merely_containing_their_words_do_not(
    script, text, intent
):
    understanding = understand(text, today=TODAY)
    assert understanding.intent == intent
    assert understanding.confidence >= CONFIDENT  # acted on, not offered as a choice


@pytest.mark.parametrize(
    ("request_", "for_a_while"),
    [
        ("reminder mat bhejo", "reminder mat bhejo jab tak salary na aaye"),
        ("stop messages", "stop messages until my salary comes"),
        ("मैसेज मत भेजो", "जब तक सैलरी नहीं आती मैसेज मत भेजो"),
        ("মেসেজ পাঠাবেন না", "মাইনে না আসা পর্যন্ত মেসেজ পাঠাবেন না"),
    ],
)
def test_asking_for_no_messages_for_a_while_is_never_an_opt_out(request_, for_a_while):
    assert understand(request_, today=TODAY).intent == "stop"
    assert understand(for_a_while, today=TODAY).intent != "stop"


def test_a_negation_is_a_whole_word_not_part_of_another():
    """রান্না (cooking) ends in না and मतलब (meaning) starts with मत: neither says "no"."""
    assert "__negation__" not in concepts_of(normalise("আজকে কি রান্না হবে")) + concepts_of(normalise("मतलब क्या है"))
    assert "__negation__" in concepts_of(normalise("আর পাঠাবেন না")) and "__negation__" in concepts_of("मत भेजो")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("End of month I will pay", date(2026, 11, 30)),
        ("Stop the reminders for a week", date(2026, 12, 2)),
        ("don't cut my connection, I'll pay tomorrow", date(2026, 11, 26)),
        ("cancel reminders, I will pay on 5th", date(2026, 12, 5)),
        ("quit reminding me till next week", date(2026, 12, 2)),
    ],
)
def test_messages_starting_like_a_stop_but_naming_a_day_are_later_not_opt_outs(text, day):
    understanding = understand(text, today=TODAY)
    assert (understanding.intent, understanding.slots.date) == ("later", day)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("on 5th", date(2026, 12, 5)),
        ("end of month", date(2026, 11, 30)),
        ("kal", date(2026, 11, 26)),
        ("कल", date(2026, 11, 26)),
        ("২ দিন পরে", date(2026, 11, 27)),
        ("next week", date(2026, 12, 2)),
        ("३ दिन बाद", date(2026, 11, 28)),
        ("on the 25th", date(2026, 11, 25)),
        ("12 dec", date(2026, 12, 12)),
        ("I'll pay Friday", date(2026, 11, 27)),
        ("monday ko dunga", date(2026, 11, 30)),
        ("शुक्रवार को", date(2026, 11, 27)),
        ("shukrobare debo", date(2026, 11, 27)),
        ("রবিবার", date(2026, 11, 29)),
        ("budhvar", date(2026, 11, 25)),
    ],
)
def test_dates_are_read_relative_to_the_customers_today(text, day):
    assert understand(text, today=TODAY).slots.date == day


@pytest.mark.parametrize(
    ("text", "app"),
    [
        ("phone pe", "phonepe"),
        ("फोनपे", "phonepe"),
        ("ফোনপে", "phonepe"),
        ("gpay", "gpay"),
        ("Google Pay", "gpay"),
        ("paytm", "paytm"),
        ("I use BHIM", "bhim"),
        ("mobikwick", "mobikwik"),
    ],
)
def test_payment_apps_are_recognised_from_any_spelling(text, app):
    assert understand(text, today=TODAY).slots.app == app


@pytest.mark.parametrize(
    ("text", "language"), [("hindi", "hi"), ("हिंदी में", "hi"), ("বাংলায়", "bn"), ("english please", "en")]
)
def test_languages_are_recognised_in_every_script(text, language):
    assert understand(text, today=TODAY).slots.language == language


def test_a_utr_and_a_link_are_taken_from_the_message():
    slots = understand("paid, UTR ४१२३४५६७८९०१ see https://bbps.io/abc/?lang=hi", today=TODAY).slots
    assert (slots.utr, slots.url) == ("412345678901", "https://bbps.io/abc/?lang=hi")


def test_normalising_folds_digits_case_stretched_letters_invisible_characters_and_emoji():
    assert normalise("Pleeeease\u200b PAY ৫ ₹ 🙏!!") == "pleease pay 5 ₹"


def test_every_answer_is_in_the_stable_intent_vocabulary():
    texts = ["", "???", "🙏", "12345", "asdf qwer", "Hello", "0"]
    assert {understand(text, today=TODAY).intent for text in texts} <= set(INTENTS)


def test_held_out_messages_are_understood_without_a_single_false_opt_out():
    report = evaluate(read_examples(HELD_OUT), today=TODAY)
    assert report.total >= 150
    assert report.false_opt_outs == []
    assert report.missed_opt_outs == []
    assert report.accuracy >= 0.93, report.mistakes
    assert report.slot_accuracy >= 0.9, report.slot_mistakes


def test_threads_reading_their_first_messages_at_once_train_one_model():
    """Eight threads understanding at the same instant, before any model is trained, share one training."""
    classify._trained.cache_clear()
    messages = ["मैंने पहले ही भुगतान कर दिया", "bill kitna hai", "আমি টাকা দিয়ে দিয়েছি", "End of month I will pay"] * 2
    start = Barrier(len(messages))

    def understood(text: str) -> str:
        start.wait()
        return understand(text, today=date(2026, 11, 25)).intent

    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        intents = list(pool.map(understood, messages))
    assert classify._trained.cache_info().misses == 1
    assert intents[:4] == ["paid", "bill", "paid", "later"]


def test_the_workers_inbound_loop_trains_the_model_before_its_first_message(app):
    """The first customer to write after a worker starts does not wait a second for the model to be trained."""
    classify._trained.cache_clear()
    stopped = Event()
    stopped.set()  # the loop prepares, then finds itself stopped before reading any message

    serve_inbound(app=app, stopping=stopped, answered=lambda: None)

    assert classify._trained.cache_info().currsize == 1
