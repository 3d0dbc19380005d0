"""The shapes bills and customers take on the way in (API, CSV) and out (API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, get_args

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
PAISE_DESCRIPTION = "Amount in integer paise"
Paise = Annotated[int, Field(gt=0, le=MAX_AMOUNT_PAISE, description=PAISE_DESCRIPTION)]
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


class CustomerBase(BaseModel):
    """A customer's own fields, the same on the way in and out.

    Phone and email are typed apart on each side: on the way in they are checked and normalised, on the way
    out they are shown exactly as stored.
    """

    reference: Reference
    name: PersonName


class CustomerIn(_Input, CustomerBase):
    """A customer as a biller sends it; upserted by reference."""

    phone: Phone | None = None
    email: EmailStr | None = None
    language: Language = Language.ENGLISH
    preferred_channel: Channel | None = None


class BillBase(BaseModel):
    """A bill's own fields, declared once: the same on the way in (BillIn, CSV) and out (BillPublic).

    Amounts are integer paise; in the bills table each amount field `x` is the column `x_paise` (column_of).
    """

    reference: Reference
    amount: Paise
    due_date: BillDate
    bill_date: BillDate | None = None
    period: Annotated[str, StringConstraints(max_length=40)] | None = None
    min_amount: Paise | None = None
    max_amount: Paise | None = None
    early_payment_amount: Paise | None = None
    early_payment_date: BillDate | None = None
    late_payment_amount: Paise | None = None


def column_of(field: str) -> str:
    """The bills-table column that stores a BillBase field: amounts carry their unit, `amount` → `amount_paise`."""
    info = BillBase.model_fields[field]
    in_paise = info.description == PAISE_DESCRIPTION or Paise in get_args(info.annotation)
    return f"{field}_paise" if in_paise else field


class BillIn(_Input, BillBase):
    """A bill as a biller sends it, with its customer inline."""

    customer: CustomerIn
    amount_exactness: AmountExactness | None = None
    cadence: Annotated[str, StringConstraints(min_length=1, max_length=60)] | None = None
    expires_at: AwareDatetime | None = None  # when the link stops working (default: some days after due)
    min_partial_amount: Paise | None = None  # smallest part payment (EXACT_AND_BELOW, ANY); default ₹1


def csv_columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The CSV import's (required, optional) columns, from BillIn: the customer's fields as `customer_<name>`."""
    required: list[str] = []
    optional: list[str] = []
    for name, field in BillIn.model_fields.items():
        if name == "customer":
            continue
        (required if field.is_required() else optional).append(name)
        if name == "reference":  # the customer's columns follow the bill's reference
            for inner, customer_field in CustomerIn.model_fields.items():
                (required if customer_field.is_required() else optional).append(f"customer_{inner}")
    return tuple(required), tuple(optional)


class PaymentIn(_Input):
    """A payment a biller reports against a bill."""

    amount: Paise
    reference: Reference
    app: Annotated[str, StringConstraints(max_length=32)] | None = None


class CustomerPublic(CustomerBase):
    """A customer as the API returns it."""

    phone: str | None
    email: str | None
    language: str
    preferred_app: str | None
    preferred_channel: str | None
    opted_out: list[str]


def _every_field_present(schema: dict) -> None:
    schema["required"] = list(schema["properties"])  # an answer always carries every field, null or not


class BillPublic(BillBase):
    """A bill as the API returns it."""

    model_config = ConfigDict(json_schema_extra=_every_field_present)

    id: int
    customer: CustomerPublic
    amount_due: int
    amount_exactness: AmountExactness
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
