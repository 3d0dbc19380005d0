"""How well the bot understands messages it never saw: python -m bench.understanding.

Prints intent accuracy per language and per intent on tests/bot/data/heldout.tsv (never used for training
or tuning), false opt-outs, slot accuracy and classify time per message, each against its goal.
"""

from __future__ import annotations

import random
import time
from datetime import date
from pathlib import Path

HELD_OUT = Path(__file__).resolve().parent.parent / "tests" / "bot" / "data" / "heldout.tsv"
HELD_OUT_TODAY = date(2026, 11, 25)
GOALS = {"accuracy": 0.95, "false_opt_outs": 0, "slot_accuracy": 0.9, "ms_per_message": 5.0}


def main() -> None:
    """Train, evaluate on the held-out set, print the figures and the mistakes."""
    started = time.perf_counter()
    from bot.understanding.classify import _model
    from bot.understanding.evaluation import evaluate, read_examples

    _model()
    print(f"import + train: {time.perf_counter() - started:.2f} s")
    examples = read_examples(HELD_OUT)
    evaluate(examples[:20], today=HELD_OUT_TODAY)  # warm up caches before timing
    report = evaluate(examples, today=HELD_OUT_TODAY)
    print(f"held-out messages: {report.total}")
    for title, buckets in (("language", report.by_language), ("intent", report.by_intent)):
        print(f"\naccuracy by {title}:")
        for name, (right, total) in sorted(buckets.items()):
            print(f"  {name:<11} {right / total:5.2f}  ({right}/{total})")
    ms = report.seconds_per_message * 1000
    print()
    print(f"intent accuracy   {report.accuracy:.3f}   goal >= {GOALS['accuracy']}")
    print(f"false opt-outs    {len(report.false_opt_outs)}       goal {GOALS['false_opt_outs']}")
    print(f"missed opt-outs   {len(report.missed_opt_outs)}")
    slot_goal = GOALS["slot_accuracy"]
    print(f"slot accuracy     {report.slot_accuracy:.3f}   goal >= {slot_goal} ({report.slot_rows} messages)")
    print(
        f"asked back        {report.asked} (of which {report.asked_but_right} were understood right; unknown included)"
    )
    print(f"acted on wrongly  {report.acted_but_wrong} (confident, yet the wrong intent)")
    print(f"classify time     {ms:.2f} ms/message   goal < {GOALS['ms_per_message']}")
    print(f"5-fold cross-validation on the training set: {_cross_validated():.3f} (a second view of unseen text)")
    if report.mistakes:
        print("\nmistakes (text | expected | got):")
        for text, expected, got in report.mistakes:
            print(f"  {text} | {expected} | {got}")
    if report.slot_mistakes:
        print("\nslot mistakes (text | expected | got, filled slots only):")
        for text, expected, got in report.slot_mistakes:
            print(f"  {text} | {_filled(expected)} | {_filled(got)}")


def _cross_validated(folds: int = 5) -> float:
    """Intent accuracy of the model alone (no rules) on each fifth of the training data, trained on the rest."""
    from bot.understanding.classify import _Scorer, training_examples

    examples = training_examples()
    random.Random(13).shuffle(examples)
    right = 0
    for fold in range(folds):
        held = examples[fold::folds]
        model = _Scorer([example for index, example in enumerate(examples) if index % folds != fold])
        right += sum(model.ranked(text)[0][0] == intent for text, intent in held)
    return right / len(examples)


def _filled(slots: dict) -> dict:
    return {name: value for name, value in slots.items() if value is not None}


if __name__ == "__main__":
    main()
