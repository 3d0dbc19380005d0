"""BBPS amount rules: what a customer may pay against a bill, enforced wherever money moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import Bill
from models.vocab import AmountExactness

MAX_AMOUNT_PAISE = 10_000_000_000  # ₹10 crore: far above any retail bill, far below overflow.


def check_amount_rule(
    *, exactness: AmountExactness, amount: int, min_amount: int | None, max_amount: int | None
) -> None:
    """Raise RuleError naming the field if a bill's amount rule does not hold together."""
    if exactness is AmountExactness.RANGE:
        if min_amount is None:
            raise RuleError("min_amount", "is required when amount_exactness is RANGE")
        if max_amount is None:
            raise RuleError("max_amount", "is required when amount_exactness is RANGE")
        if min_amount > max_amount:
            raise RuleError("min_amount", "must not be greater than max_amount")
        if not min_amount <= amount <= max_amount:
            raise RuleError("amount", "must lie between min_amount and max_amount")
        return
    for field, value in (("min_amount", min_amount), ("max_amount", max_amount)):
        if value is not None:
            raise RuleError(field, "is only allowed when amount_exactness is RANGE")


def payable_range(
    *, exactness: AmountExactness, amount_due: int, min_amount: int | None, max_amount: int | None
) -> tuple[int, int]:
    """The smallest and largest amount (paise) the customer may pay now, given what is due."""
    if exactness is AmountExactness.EXACT:
        return amount_due, amount_due
    if exactness is AmountExactness.EXACT_AND_ABOVE:
        return amount_due, MAX_AMOUNT_PAISE
    if exactness is AmountExactness.EXACT_AND_BELOW:
        return 1, amount_due
    if exactness is AmountExactness.RANGE:
        return min(min_amount or 1, amount_due), min(max_amount or amount_due, amount_due)
    return 1, MAX_AMOUNT_PAISE


class RuleError(ValueError):
    """An amount rule broken by one named field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class AmountChoice:
    """What the customer is asked to pay today and how far they may change it."""

    due_paise: int
    min_paise: int
    max_paise: int
    kind: str  # "due", "early" or "late": which of the bill's amounts applies today

    @property
    def editable(self) -> bool:
        return self.min_paise != self.max_paise

    def check(self, amount_paise: int) -> None:
        """Refuse an amount outside what the bill's rule allows today."""
        if not self.min_paise <= amount_paise <= self.max_paise:
            raise RuleError("amount", "is outside what this bill allows")


def amount_choice(bill: Bill, *, today: date) -> AmountChoice:
    """The amount due today (early or late amount when it applies) and the range the rule allows."""
    due, kind = bill.amount_due_paise, "due"
    untouched = bill.amount_due_paise == bill.amount_paise
    if untouched and bill.early_payment_amount_paise and bill.early_payment_date and today <= bill.early_payment_date:
        due, kind = bill.early_payment_amount_paise, "early"
    elif untouched and bill.late_payment_amount_paise and today > bill.due_date:
        due, kind = bill.late_payment_amount_paise, "late"
    low, high = payable_range(
        exactness=AmountExactness(bill.amount_exactness),
        amount_due=due,
        min_amount=bill.min_amount_paise,
        max_amount=bill.max_amount_paise,
    )
    return AmountChoice(due_paise=due, min_paise=low, max_paise=high, kind=kind)
