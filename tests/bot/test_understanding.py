"""The understanding layer on its own: intents, the never-destructive opt-out rules, slots, and held-out figures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from threading import Barrier

import pytest

from bot.understanding import INTENTS, classify, understand
from bot.understanding.evaluation import evaluate, read_examples
from bot.understanding.normalise import normalise

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
