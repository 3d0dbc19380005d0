"""The payment link journey: open the link, show the bill, hand the customer to a UPI app."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from billing.amounts import AmountChoice, RuleError, amount_choice, days_overdue
from billing.apps import PaymentApp, apps_for, catalogue
from billing.billers import biller_today
from billing.customers import set_preferred_app
from billing.fetch import FetchOutcome, refresh_bill
from billing.links import link_url
from billing.opens import Open
from billing.outbound import OutboundPolicy
from billing.receipts import Receipt, build_receipt, payments_of
from billing.upi import MODE_QR, android_intent, ios_link, new_transaction_reference, payment_parameters, upi_link
from config import Settings
from errors import InvalidInput
from models import Bill, Biller, Customer, LinkEvent, PaymentLink
from models.db import utcnow
from models.vocab import PAYABLE_STATUSES, BillStatus
from shared_state import SharedState

ANY_APP = "any"
PLATFORMS = ("android", "ios", "desktop")


@dataclass
class Checkout:
    """Everything the payment page shows for one link."""

    link: PaymentLink
    bill: Bill
    biller: Biller
    customer: Customer
    state: str  # payable, paid, cancelled, expired, no_bill_due, unavailable
    choice: AmountChoice | None
    apps: list[PaymentApp]
    fetch: FetchOutcome
    receipt: Receipt | None  # once anything is paid: total paid, balance, receipt number
    days_overdue: int = 0


@cache
def _checkout_rows_statement():
    """The link, its bill, biller and customer by token: built and compiled once, reused by every view."""
    return (
        select(PaymentLink, Bill, Biller, Customer)
        .join(Bill, Bill.id == PaymentLink.bill_id)
        .join(Biller, Biller.id == Bill.biller_id)
        .join(Customer, Customer.id == Bill.customer_id)
        .where(PaymentLink.token == bindparam("token"))
        # The biller's secrets are decrypted only when used: a live fetch loads its secret, the page needs neither.
        .options(defer(Biller.bill_fetch_secret), defer(Biller.payment_webhook_secret))
    )


def load_checkout_rows(*, session: Session, token: str) -> tuple[PaymentLink, Bill, Biller, Customer] | None:
    """The link, its bill, biller and customer in one round trip (this runs on every page view)."""
    return session.execute(_checkout_rows_statement(), {"token": token}).first()


def record_open(*, session: Session, opened: Open) -> None:
    """Count a visit and add it to the bill's timeline, as two plain statements (the caller commits)."""
    session.execute(
        update(PaymentLink)
        .where(PaymentLink.id == opened.link_id)
        .values(open_count=PaymentLink.open_count + 1, last_opened_at=opened.at)
    )
    session.execute(
        insert(LinkEvent).values(link_id=opened.link_id, bill_id=opened.bill_id, kind="opened", created_at=opened.at)
    )


def open_checkout(
    *,
    session: Session,
    token: str,
    settings: Settings,
    state: SharedState,
    now: datetime,
    preview: bool = False,
    on_open: Callable[[Open], None] | None = None,
) -> Checkout | None:
    """Count the visit, fetch the bill live when the biller offers it, and decide what the page may offer (flushes).

    A link preview (a chat app's crawler, not the customer) sees the stored bill: no fetch, no open counted.
    The open goes to `on_open` (the web process's batching recorder); without one it is written at once.
    """
    rows = load_checkout_rows(session=session, token=token)
    if rows is None:
        return None
    link, bill, biller, customer = rows
    fetch = FetchOutcome.NOT_CONFIGURED
    if preview:
        return _checkout(session, link, bill, biller, customer, fetch, biller_today(biller, now))
    opened = Open(link_id=link.id, bill_id=link.bill_id, at=now)
    if on_open is None:
        record_open(session=session, opened=opened)
    else:
        on_open(opened)
    if bill.status in PAYABLE_STATUSES and not _expired(link):
        fetch = refresh_bill(
            session=session,
            bill=bill,
            biller=biller,
            customer=customer,
            timeout=settings.bill_fetch_timeout_seconds,
            policy=OutboundPolicy.from_settings(settings),
            state=state,
            now=now,
        )
    return _checkout(session, link, bill, biller, customer, fetch, biller_today(biller, now))


def _checkout(session, link, bill, biller, customer, fetch: FetchOutcome, today: date) -> Checkout:
    state = _state(bill, link, fetch)
    payments = payments_of(session=session, bill_id=bill.id) if bill.status != BillStatus.OPEN else []
    return Checkout(
        link=link,
        bill=bill,
        biller=biller,
        customer=customer,
        state=state,
        choice=amount_choice(bill, today=today) if state == "payable" else None,
        apps=apps_for(biller.payment_apps, preferred=customer.preferred_app),
        fetch=fetch,
        receipt=build_receipt(bill=bill, biller=biller, customer=customer, payments=payments),
        days_overdue=days_overdue(bill, today=today) if state == "payable" else 0,
    )


def _expired(link: PaymentLink) -> bool:
    return link.expires_at is not None and link.expires_at < utcnow()


def _state(bill: Bill, link: PaymentLink, fetch: FetchOutcome) -> str:
    if bill.status == BillStatus.PAID:
        return "paid"
    if bill.status == BillStatus.CANCELLED:
        return "cancelled"
    if bill.status == BillStatus.EXPIRED or _expired(link):
        return "expired"
    if fetch is FetchOutcome.NO_BILL_DUE:
        return "no_bill_due"
    if fetch is FetchOutcome.CUSTOMER_NOT_FOUND:
        return "unavailable"
    return "payable"


def parse_rupees(text: str | None) -> int | None:
    """An amount typed in rupees ("1245.50", "1,245") as paise; None when nothing was typed."""
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip().replace(",", "").removeprefix("₹"))
    except InvalidOperation:
        raise InvalidInput("must be an amount in rupees, such as 1245.50", field="amount") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or value <= 0:
        raise InvalidInput("must be more than zero, with at most two decimals", field="amount")
    return int(value * 100)


@dataclass(frozen=True)
class PaymentAttempt:
    """One hand-off to a UPI app: where to send the customer and the `tr` the payment will come back with."""

    transaction_reference: str
    redirect_url: str
    upi_url: str


def start_payment(
    *,
    session: Session,
    checkout: Checkout,
    app_id: str,
    platform: str,
    amount_paise: int | None,
    settings: Settings,
) -> PaymentAttempt:
    """Check the amount against the bill's rule, record the app chosen, and build the app's link."""
    if checkout.state != "payable" or checkout.choice is None:
        raise InvalidInput("This bill cannot be paid now", field="bill")
    app = catalogue().get(app_id) if app_id != ANY_APP else None
    if app_id != ANY_APP and (app is None or app.id not in checkout.biller.payment_apps):
        raise InvalidInput("is not a payment app this biller accepts", field="app")
    platform = platform if platform in PLATFORMS else "android"
    choice = checkout.choice
    amount = choice.due_paise if amount_paise is None or not choice.editable else amount_paise
    try:
        choice.check(amount)
    except RuleError as exc:
        raise InvalidInput(exc.message, field="amount") from exc

    reference = new_transaction_reference()
    params = payment_parameters(
        biller=checkout.biller,
        bill=checkout.bill,
        transaction_reference=reference,
        amount_paise=amount,
        minimum_paise=choice.min_paise if choice.editable else None,
        url=link_url(checkout.link.token, settings=settings),
    )
    session.add(
        LinkEvent(
            link_id=checkout.link.id,
            bill_id=checkout.bill.id,
            kind="app_chosen",
            app=app_id,
            platform=platform,
            transaction_reference=reference,
            amount_paise=amount,
        )
    )
    if app is not None:
        set_preferred_app(session=session, customers=[checkout.customer], app_id=app.id)
    session.flush()
    generic = upi_link(params)
    if app is None or platform == "desktop" or not app.offered_on(platform):
        return PaymentAttempt(reference, generic, generic)
    target = ios_link(params, app) if platform == "ios" else android_intent(params, app)
    return PaymentAttempt(reference, target, generic)


def qr_attempt(*, session: Session, checkout: Checkout, settings: Settings, platform: str = "desktop") -> str:
    """The UPI link behind the page's QR code, with a `tr` fixed for this link and amount.

    Showing a QR is not choosing an app: it is recorded once as "qr_shown" (so a payment notice quoting
    its `tr` still finds the bill), never as an app choice, however often the page is viewed.
    """
    if checkout.state != "payable" or checkout.choice is None:
        raise InvalidInput("This bill cannot be paid now", field="bill")
    amount = checkout.choice.due_paise
    digest = hashlib.sha256(f"{checkout.link.token}:{amount}".encode()).hexdigest().upper()
    reference = "CQ" + digest[:18]
    if find_attempt(session=session, transaction_reference=reference) is None:
        try:
            with session.begin_nested():
                session.add(
                    LinkEvent(
                        link_id=checkout.link.id,
                        bill_id=checkout.bill.id,
                        kind="qr_shown",
                        platform=platform if platform in PLATFORMS else "desktop",
                        transaction_reference=reference,
                        amount_paise=amount,
                    )
                )
        except IntegrityError:
            pass  # another view recorded the same QR a moment ago
        session.flush()
    params = payment_parameters(
        biller=checkout.biller,
        bill=checkout.bill,
        transaction_reference=reference,
        amount_paise=amount,
        minimum_paise=checkout.choice.min_paise if checkout.choice.editable else None,
        url=link_url(checkout.link.token, settings=settings),
        mode=MODE_QR,
    )
    return upi_link(params)


def find_attempt(*, session: Session, transaction_reference: str) -> LinkEvent | None:
    """The payment attempt a `tr` was issued for."""
    return session.exec(select(LinkEvent).where(LinkEvent.transaction_reference == transaction_reference)).first()
