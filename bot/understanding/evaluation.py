"""Scoring the understanding layer against a labelled set: what bench/understanding.py and its test report."""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.understanding.classify import CONFIDENT, understand

SLOT_NAMES = ("date", "utr", "app", "language", "url")


@dataclass(frozen=True)
class Example:
    """One labelled message: its intent, language/script and the slots it fills."""

    text: str
    intent: str
    language: str
    slots: dict[str, str | None]


@dataclass
class Report:
    """Accuracy by language and intent, opt-out mistakes, slot accuracy and speed."""

    total: int = 0
    correct: int = 0
    by_language: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_intent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    false_opt_outs: list[str] = field(default_factory=list)
    missed_opt_outs: list[str] = field(default_factory=list)
    asked: int = 0  # below the confidence threshold: the bot would offer choices instead of acting
    asked_but_right: int = 0
    acted_but_wrong: int = 0
    slot_rows: int = 0
    slot_correct: int = 0
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)
    slot_mistakes: list[tuple[str, dict, dict]] = field(default_factory=list)
    seconds_per_message: float = 0.0

    @property
    def accuracy(self) -> float:
        """Share of messages given their labelled intent."""
        return self.correct / self.total if self.total else 0.0

    @property
    def slot_accuracy(self) -> float:
        """Share of messages with any slot (expected or found) whose slots all came out right."""
        return self.slot_correct / self.slot_rows if self.slot_rows else 1.0


def read_examples(path: Path) -> list[Example]:
    """Labelled messages from a TSV file (intent, language, text, slots as name=value;…); # lines are notes."""
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    examples = []
    for row in csv.DictReader(lines, delimiter="\t"):
        pairs = (item.split("=", 1) for item in (row.get("slots") or "").split(";") if item)
        slots = dict.fromkeys(SLOT_NAMES) | dict(pairs)
        examples.append(Example(row["text"], row["intent"], row["language"], slots))
    return examples


def evaluate(examples: list[Example], *, today: date) -> Report:
    """Classify every example as of `today` and score the answers."""
    report = Report()
    started = time.perf_counter()
    answers = [understand(example.text, today=today) for example in examples]
    report.seconds_per_message = (time.perf_counter() - started) / max(len(examples), 1)
    for example, answer in zip(examples, answers, strict=True):
        right = answer.intent == example.intent
        report.total += 1
        report.correct += right
        for bucket in (report.by_language[example.language], report.by_intent[example.intent]):
            bucket[0] += right
            bucket[1] += 1
        unsure = answer.confidence < CONFIDENT or answer.intent == "unknown"
        report.asked += unsure
        report.asked_but_right += unsure and right
        report.acted_but_wrong += not unsure and not right
        if not right:
            report.mistakes.append((example.text, example.intent, answer.intent))
        if answer.intent == "stop" and example.intent != "stop":
            report.false_opt_outs.append(example.text)
        if example.intent == "stop" and answer.intent != "stop":
            report.missed_opt_outs.append(example.text)
        found = answer.slots.as_json()
        if any(found.values()) or any(example.slots.values()):
            report.slot_rows += 1
            report.slot_correct += found == example.slots
            if found != example.slots:
                report.slot_mistakes.append((example.text, example.slots, found))
    return report
