"""BBPS amount rules: what a customer may pay against a bill, enforced wherever money moves.

The one home of "what is due today" (early or late amount), "how far may the customer change it"
(each exactness rule, the part-payment floor) and "is this over-payment worth a person's look".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import Bill
from models.vocab import PAYABLE_STATUSES, AmountExactness

MAX_AMOUNT_PAISE = 10_000_000_000  # ₹10 crore: far above any retail bill, far below overflow.
MIN_PART_PAYMENT_PAISE = 100  # ₹1: the floor of a part payment when the biller sets none (no ₹0.01 payments)
# Rules under which a customer may pay less than is due, so a minimum part payment means something.
PART_PAYMENT_RULES = (AmountExactness.EXACT_AND_BELOW, AmountExactness.ANY)


class RuleError(ValueError):
    """An amount rule broken by one named field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_amount_rule(
    *,
    exactness: AmountExactness,
    amount: int,
    min_amount: int | None,
    max_amount: int | None,
    min_partial_amount: int | None = None,
) -> None:
    """Raise RuleError naming the field if a bill's amount rule does not hold together."""
    if min_partial_amount is not None:
        if exactness not in PART_PAYMENT_RULES:
            raise RuleError("min_partial_amount", "is only allowed when amount_exactness is EXACT_AND_BELOW or ANY")
        if min_partial_amount > amount:
            raise RuleError("min_partial_amount", "must not exceed amount")
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


def payable_range(*, bill: Bill, due: int) -> tuple[int, int]:
    """The smallest and largest amount (paise) the customer may pay now, given what is due today."""
    exactness = AmountExactness(bill.amount_exactness)
    floor = min(bill.min_partial_amount_paise or MIN_PART_PAYMENT_PAISE, due)
    if exactness is AmountExactness.EXACT:
        return due, due
    if exactness is AmountExactness.EXACT_AND_ABOVE:
        return due, MAX_AMOUNT_PAISE
    if exactness is AmountExactness.EXACT_AND_BELOW:
        return floor, due
    if exactness is AmountExactness.RANGE:
        # The whole range stays open (₹500–₹2,000 on a ₹1,000 bill takes ₹1,500), less what was already paid.
        paid = bill.amount_paise - bill.amount_due_paise
        high = max((bill.max_amount_paise or due) - paid, due)
        return min(bill.min_amount_paise or floor, due), high
    return floor, MAX_AMOUNT_PAISE


@dataclass(frozen=True)
class AmountChoice:
    """What the customer is asked to pay today, how far they may change it, and the parts of the amount."""

    due_paise: int
    min_paise: int
    max_paise: int
    kind: str  # "due", "early" or "late": which of the bill's amounts applies today
    outstanding_paise: int = 0  # what is left of the bill itself
    late_fee_paise: int = 0
    early_discount_paise: int = 0

    @property
    def editable(self) -> bool:
        return self.min_paise != self.max_paise

    def check(self, amount_paise: int) -> None:
        """Refuse an amount outside what the bill's rule allows today."""
        if not self.min_paise <= amount_paise <= self.max_paise:
            raise RuleError("amount", "is outside what this bill allows")

    def parts(self) -> dict[str, int]:
        """The amount due today broken into its parts, as the API shows them (paise)."""
        return {
            "outstanding": self.outstanding_paise,
            "late_fee": self.late_fee_paise,
            "early_payment_discount": self.early_discount_paise,
        }


def amount_choice(bill: Bill, *, today: date) -> AmountChoice:
    """The amount due today (early or late amount when it applies) and the range the rule allows."""
    outstanding = bill.amount_due_paise
    due, kind = outstanding, "due"
    untouched = bill.amount_due_paise == bill.amount_paise
    if untouched and bill.early_payment_amount_paise and bill.early_payment_date and today <= bill.early_payment_date:
        due, kind = bill.early_payment_amount_paise, "early"
    elif untouched and bill.late_payment_amount_paise and today > bill.due_date:
        due, kind = bill.late_payment_amount_paise, "late"
    if bill.status not in PAYABLE_STATUSES or due == 0:
        return AmountChoice(due_paise=0, min_paise=0, max_paise=0, kind="due")
    low, high = payable_range(bill=bill, due=due)
    return AmountChoice(
        due_paise=due,
        min_paise=low,
        max_paise=high,
        kind=kind,
        outstanding_paise=outstanding,
        late_fee_paise=max(due - outstanding, 0),
        early_discount_paise=max(outstanding - due, 0),
    )


def days_overdue(bill: Bill, *, today: date) -> int:
    """Whole days since the due date (0 on or before it); a bill created after its due date starts overdue."""
    return max((today - bill.due_date).days, 0)


def excess_beyond_tolerance(*, amount_paise: int, allowed_paise: int, tolerance_paise: int) -> int:
    """Paise received above what the bill allowed today, beyond the biller's tolerance (0: nothing to flag)."""
    excess = amount_paise - allowed_paise
    return excess if excess > tolerance_paise else 0
