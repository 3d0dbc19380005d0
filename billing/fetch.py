"""Live bill fetch (the "smart URL"): ask the biller's system for the current bill when a link opens."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

import httpx
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from billing import outbound
from billing.amounts import MAX_AMOUNT_PAISE
from billing.breaker import endpoint_available, record_failure, record_success
from billing.outbound import OutboundPolicy, OutboundRefused
from billing.signatures import sign
from models import Bill, Biller, Customer
from shared_state import SharedState

log = logging.getLogger(__name__)


class FetchOutcome(StrEnum):
    """What the biller's system said about the bill, or that it could not be asked."""

    NOT_CONFIGURED = "not_configured"
    UPDATED = "updated"
    NO_BILL_DUE = "no_bill_due"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    UNAVAILABLE = "unavailable"


class FetchAnswer(BaseModel):
    """The biller endpoint's JSON answer."""

    status: Literal["BILL_AVAILABLE", "NO_BILL_DUE", "CUSTOMER_NOT_FOUND"]
    amount: int | None = None
    due_date: date | None = None
    period: str | None = None


FRESH_FOR = timedelta(seconds=60)  # a live fetch this recent stands for the biller's answer


def outcome_without_asking(*, bill: Bill, biller: Biller, now: datetime) -> FetchOutcome | None:
    """What a live fetch comes to without asking the biller (none configured, or one moments ago); None: ask."""
    if not biller.bill_fetch_url:
        return FetchOutcome.NOT_CONFIGURED
    if bill.fetched_at is not None and now - bill.fetched_at < FRESH_FOR:
        return FetchOutcome.UPDATED  # fetched moments ago: a reload or a second tab need not ask again
    return None


def refresh_bill(
    *,
    session: Session,
    bill: Bill,
    biller: Biller,
    customer: Customer,
    timeout: float,
    policy: OutboundPolicy,
    state: SharedState,
    now: datetime,
) -> FetchOutcome:
    """Update the stored bill from the biller's system; on a failure, or while it keeps failing, leave it as it was."""
    known = outcome_without_asking(bill=bill, biller=biller, now=now)
    if known is not None:
        return known
    if not endpoint_available(state=state, biller_id=biller.id, now=now):
        return FetchOutcome.UNAVAILABLE
    body = json.dumps({"customer_reference": customer.reference, "bill_reference": bill.reference}).encode()
    headers = {"Content-Type": "application/json", "X-Signature": sign(biller.bill_fetch_secret or "", body)}
    try:
        response = outbound.post(biller.bill_fetch_url, policy=policy, content=body, headers=headers, timeout=timeout)
        answer = FetchAnswer.model_validate_json(response.content)
    except OutboundRefused as exc:
        log.warning("bill fetch refused for biller %s: %s", biller.id, exc.message)
        return FetchOutcome.UNAVAILABLE
    except (httpx.HTTPError, ValidationError) as exc:
        log.warning("bill fetch failed for bill %s: %s", bill.id, type(exc).__name__)
        record_failure(state=state, biller_id=biller.id, now=now)
        return FetchOutcome.UNAVAILABLE
    record_success(state=state, biller_id=biller.id)
    if answer.status == "NO_BILL_DUE":
        return FetchOutcome.NO_BILL_DUE
    if answer.status == "CUSTOMER_NOT_FOUND":
        return FetchOutcome.CUSTOMER_NOT_FOUND
    if answer.amount is None or not 0 < answer.amount <= MAX_AMOUNT_PAISE:
        log.warning("bill fetch for bill %s returned no usable amount", bill.id)
        return FetchOutcome.UNAVAILABLE
    bill.amount_due_paise = answer.amount
    bill.amount_paise = max(bill.amount_paise, answer.amount)
    bill.due_date = answer.due_date or bill.due_date
    bill.period = answer.period or bill.period
    bill.fetched_at = bill.updated_at = now
    session.add(bill)
    session.flush()
    return FetchOutcome.UPDATED
