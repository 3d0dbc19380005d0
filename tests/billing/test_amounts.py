"""What a customer may pay today under each BBPS amount rule."""

from __future__ import annotations

from datetime import date

import pytest

from billing.amounts import MAX_AMOUNT_PAISE, RuleError, amount_choice
from models import Bill

DUE = date(2026, 12, 10)


def bill(**fields) -> Bill:
    values = {
        "biller_id": 1,
        "customer_id": 1,
        "reference": "B",
        "due_date": DUE,
        "amount_paise": 10000,
        "amount_due_paise": 10000,
        "amount_exactness": "EXACT",
    }
    values.update(fields)
    return Bill(**values)


@pytest.mark.parametrize(
    ("exactness", "extra", "low", "high"),
    [
        ("EXACT", {}, 10000, 10000),
        ("EXACT_AND_ABOVE", {}, 10000, MAX_AMOUNT_PAISE),
        ("EXACT_AND_BELOW", {}, 1, 10000),
        ("ANY", {}, 1, MAX_AMOUNT_PAISE),
        ("RANGE", {"min_amount_paise": 5000, "max_amount_paise": 10000}, 5000, 10000),
    ],
)
def test_each_rule_allows_its_range(exactness, extra, low, high):
    choice = amount_choice(bill(amount_exactness=exactness, **extra), today=DUE)
    assert (choice.min_paise, choice.max_paise, choice.due_paise) == (low, high, 10000)
    assert choice.editable is (exactness != "EXACT")


@pytest.mark.parametrize(
    ("exactness", "amount"),
    [("EXACT", 9999), ("EXACT", 10001), ("EXACT_AND_ABOVE", 9999), ("EXACT_AND_BELOW", 10001), ("ANY", 0)],
)
def test_amounts_outside_the_rule_are_refused(exactness, amount):
    with pytest.raises(RuleError):
        amount_choice(bill(amount_exactness=exactness), today=DUE).check(amount)


def test_early_payment_amount_applies_until_its_date():
    early = bill(early_payment_amount_paise=9500, early_payment_date=date(2026, 12, 5))
    assert amount_choice(early, today=date(2026, 12, 5)).due_paise == 9500
    assert amount_choice(early, today=date(2026, 12, 6)).due_paise == 10000


def test_late_payment_amount_applies_after_the_due_date():
    late = bill(late_payment_amount_paise=10500)
    assert amount_choice(late, today=DUE).kind == "due"
    choice = amount_choice(late, today=date(2026, 12, 11))
    assert (choice.due_paise, choice.kind) == (10500, "late")


def test_partial_payment_leaves_the_remainder_due():
    partial = bill(amount_due_paise=4000, late_payment_amount_paise=10500)
    choice = amount_choice(partial, today=date(2026, 12, 20))
    assert (choice.due_paise, choice.min_paise, choice.max_paise) == (4000, 4000, 4000)


def test_range_after_partial_payment_never_exceeds_what_is_due():
    ranged = bill(amount_exactness="RANGE", min_amount_paise=5000, max_amount_paise=10000, amount_due_paise=3000)
    choice = amount_choice(ranged, today=DUE)
    assert (choice.min_paise, choice.max_paise) == (3000, 3000)
