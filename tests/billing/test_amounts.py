"""What a customer may pay today under each BBPS amount rule."""

from __future__ import annotations

from datetime import date

import pytest

from billing.amounts import (
    MAX_AMOUNT_PAISE,
    RuleError,
    amount_choice,
    check_amount_rule,
    days_overdue,
    excess_beyond_tolerance,
)
from models import Bill
from models.vocab import AmountExactness

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
        ("EXACT_AND_BELOW", {}, 100, 10000),
        ("EXACT_AND_BELOW", {"min_partial_amount_paise": 2500}, 2500, 10000),
        ("ANY", {}, 100, MAX_AMOUNT_PAISE),
        ("ANY", {"min_partial_amount_paise": 700}, 700, MAX_AMOUNT_PAISE),
        ("RANGE", {"min_amount_paise": 5000, "max_amount_paise": 10000}, 5000, 10000),
        ("RANGE", {"min_amount_paise": 5000, "max_amount_paise": 20000}, 5000, 20000),
    ],
)
def test_each_rule_allows_its_range(exactness, extra, low, high):
    choice = amount_choice(bill(amount_exactness=exactness, **extra), today=DUE)
    assert (choice.min_paise, choice.max_paise, choice.due_paise) == (low, high, 10000)
    assert choice.editable is (exactness != "EXACT")


@pytest.mark.parametrize(
    ("exactness", "amount"),
    [
        ("EXACT", 9999),
        ("EXACT", 10001),
        ("EXACT_AND_ABOVE", 9999),
        ("EXACT_AND_BELOW", 10001),
        ("EXACT_AND_BELOW", 1),  # ₹0.01: below the ₹1 floor
        ("EXACT_AND_BELOW", 99),
        ("ANY", 0),
        ("ANY", 50),
    ],
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


def test_range_allows_its_whole_range_above_the_amount():
    """A ₹1,000 bill with range ₹500–₹2,000 takes ₹1,500 (it used to be capped at the amount)."""
    ranged = bill(
        amount_paise=100000,
        amount_due_paise=100000,
        amount_exactness="RANGE",
        min_amount_paise=50000,
        max_amount_paise=200000,
    )
    choice = amount_choice(ranged, today=DUE)
    choice.check(150000)
    with pytest.raises(RuleError):
        choice.check(200001)
    with pytest.raises(RuleError):
        choice.check(49999)


def test_exact_and_below_floor_never_exceeds_what_is_due():
    partial = bill(amount_exactness="EXACT_AND_BELOW", min_partial_amount_paise=5000, amount_due_paise=3000)
    choice = amount_choice(partial, today=DUE)
    assert (choice.min_paise, choice.max_paise) == (3000, 3000)


def test_late_fee_is_shown_as_a_part_of_the_amount_due():
    late = bill(late_payment_amount_paise=11000)
    choice = amount_choice(late, today=date(2026, 12, 15))
    assert choice.due_paise == 11000
    assert choice.parts() == {"outstanding": 10000, "late_fee": 1000, "early_payment_discount": 0}
    assert days_overdue(late, today=date(2026, 12, 15)) == 5
    assert days_overdue(late, today=DUE) == 0


def test_early_discount_is_shown_as_a_part_of_the_amount_due():
    early = bill(early_payment_amount_paise=9500, early_payment_date=date(2026, 12, 5))
    assert amount_choice(early, today=date(2026, 12, 1)).parts()["early_payment_discount"] == 500


def test_a_settled_bill_asks_for_nothing():
    paid = bill(status="paid", amount_due_paise=0)
    choice = amount_choice(paid, today=DUE)
    assert (choice.due_paise, choice.max_paise) == (0, 0)


@pytest.mark.parametrize(
    ("amount", "allowed", "tolerance", "flagged"),
    [(10000, 10000, 0, 0), (10001, 10000, 0, 1), (10500, 10000, 500, 0), (8_000_000, 10000, 500, 7_990_000)],
)
def test_overpayment_beyond_the_tolerance_is_flagged(amount, allowed, tolerance, flagged):
    assert excess_beyond_tolerance(amount_paise=amount, allowed_paise=allowed, tolerance_paise=tolerance) == flagged


@pytest.mark.parametrize(
    ("exactness", "fields", "field"),
    [
        ("EXACT", {"min_partial_amount": 100}, "min_partial_amount"),
        ("RANGE", {"min_amount": 100, "max_amount": 20000, "min_partial_amount": 100}, "min_partial_amount"),
        ("EXACT_AND_BELOW", {"min_partial_amount": 10001}, "min_partial_amount"),
        ("RANGE", {"min_amount": 100}, "max_amount"),
        ("EXACT", {"max_amount": 100}, "max_amount"),
    ],
)
def test_contradictory_rules_name_the_field(exactness, fields, field):
    values = {"min_amount": None, "max_amount": None, **fields}
    with pytest.raises(RuleError) as raised:
        check_amount_rule(exactness=AmountExactness(exactness), amount=10000, **values)
    assert raised.value.field == field
