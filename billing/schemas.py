"""The shapes bills and customers take on the way in (API, CSV) and out (API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from billing.amounts import MAX_AMOUNT_PAISE
from billing.phones import normalise_phone
from billing.text import EARLIEST_DATE, LATEST_DATE
from models.vocab import AmountExactness, BillStatus, Channel, Language

Reference = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$"),
]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Paise = Annotated[int, Field(gt=0, le=MAX_AMOUNT_PAISE, description="Amount in integer paise")]
Phone = Annotated[str, AfterValidator(normalise_phone)]


def _in_date_window(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


# Bills live this century: a year 1 or 9999 date is a typo, and would overflow link expiry arithmetic.
BillDate = Annotated[
    date,
    AfterValidator(_in_date_window),
    Field(json_schema_extra={"pattern": r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"}),
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerIn(_Input):
    """A customer as a biller sends it; upserted by reference."""

    reference: Reference
    name: PersonName
    phone: Phone | None = None
    email: EmailStr | None = None
    language: Language = Language.ENGLISH
    preferred_channel: Channel | None = None


class BillIn(_Input):
    """A bill as a biller sends it, with its customer inline."""

    reference: Reference
    customer: CustomerIn
    amount: Paise
    due_date: BillDate
    bill_date: BillDate | None = None
    period: Annotated[str, StringConstraints(max_length=40)] | None = None
    amount_exactness: AmountExactness | None = None
    min_amount: Paise | None = None
    max_amount: Paise | None = None
    early_payment_amount: Paise | None = None
    early_payment_date: BillDate | None = None
    late_payment_amount: Paise | None = None
    cadence: Annotated[str, StringConstraints(min_length=1, max_length=60)] | None = None
    expires_at: AwareDatetime | None = None  # when the link stops working (default: some days after due)
    min_partial_amount: Paise | None = None  # smallest part payment (EXACT_AND_BELOW, ANY); default ₹1


class PaymentIn(_Input):
    """A payment a biller reports against a bill."""

    amount: Paise
    reference: Reference
    app: Annotated[str, StringConstraints(max_length=32)] | None = None


class CustomerPublic(BaseModel):
    """A customer as the API returns it."""

    reference: str
    name: str
    phone: str | None
    email: str | None
    language: str
    preferred_app: str | None
    preferred_channel: str | None
    opted_out: list[str]


class BillPublic(BaseModel):
    """A bill as the API returns it."""

    id: int
    reference: str
    customer: CustomerPublic
    amount: int
    amount_due: int
    due_date: date
    bill_date: date | None
    period: str | None
    amount_exactness: AmountExactness
    min_amount: int | None
    max_amount: int | None
    early_payment_amount: int | None
    early_payment_date: date | None
    late_payment_amount: int | None
    cadence: str | None
    status: BillStatus
    link: str
    min_partial_amount: int | None = None
    expires_at: datetime | None = None
    # amount_due is what the page asks today (late fee or early discount applied); these are its parts.
    amount_due_parts: dict[str, int] = {}
    total_paid: int = 0
    days_overdue: int = 0


class ErrorBody(BaseModel):
    """What went wrong, for a person and for a program."""

    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    """Every 4xx answer of the API."""

    error: ErrorBody


class PaymentPublic(BaseModel):
    """A recorded payment as the API returns it."""

    id: int
    bill_id: int
    amount: int
    reference: str
    app: str | None
    source: str
    paid_at: datetime
    duplicate: bool
    overpaid: int
    bill: BillPublic
