"""The payment link journey: open the link, show the bill, hand the customer to a UPI app."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from billing.amounts import AmountChoice, RuleError, amount_choice, days_overdue
from billing.apps import PaymentApp, apps_for, catalogue, enabled_app_ids
from billing.billers import biller_today
from billing.checkout_rows import PlainRow, load_checkout_rows, read_checkout_rows
from billing.customers import set_preferred_app
from billing.fetch import FetchOutcome, outcome_without_asking, refresh_bill
from billing.links import link_url
from billing.opens import Open, record_open
from billing.outbound import OutboundPolicy
from billing.receipts import Receipt, build_receipt, payments_of
from billing.upi import MODE_QR, android_intent, ios_link, new_transaction_reference, payment_parameters, upi_link
from config import Settings
from errors import InvalidInput
from models import Bill, Biller, Customer, LinkEvent, PaymentLink
from models.db import Database, utcnow
from models.vocab import PAYABLE_STATUSES, BillStatus
from shared_state import SharedState

ANY_APP = "any"
PLATFORMS = ("android", "ios", "desktop")


@dataclass
class Checkout:
    """Everything the payment page shows for one link.

    The link, bill, biller and customer are the models' objects, or on a view of the page their plain rows (the
    same attributes, nothing to write through: billing.checkout_rows).
    """

    link: PaymentLink | PlainRow
    bill: Bill | PlainRow
    biller: Biller | PlainRow
    customer: Customer | PlainRow
    state: str  # payable, paid, cancelled, expired, no_bill_due, unavailable
    choice: AmountChoice | None
    apps: list[PaymentApp]
    fetch: FetchOutcome
    receipt: Receipt | None  # once anything is paid: total paid, balance, receipt number
    days_overdue: int = 0


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

    def refresh() -> FetchOutcome:
        return refresh_bill(
            session=session,
            bill=bill,
            biller=biller,
            customer=customer,
            timeout=settings.bill_fetch_timeout_seconds,
            policy=OutboundPolicy.from_settings(settings),
            state=state,
            now=now,
        )

    def record(opened: Open) -> None:
        record_open(session=session, opened=opened)

    payments = payments_of(session=session, bill_id=bill.id) if bill.status != BillStatus.OPEN else []
    return _open(
        link, bill, biller, customer, payments, now=now, preview=preview, refresh=refresh, on_open=on_open or record
    )


def view_checkout(
    *,
    database: Database,
    session: Callable[[], Session],
    token: str,
    settings: Settings,
    state: SharedState,
    now: datetime,
    preview: bool,
    on_open: Callable[[Open], None],
) -> Checkout | None:
    """open_checkout for a view of the page: the rows read plainly (billing.checkout_rows), no session used.

    A bill due a live fetch is the exception: the biller is asked and the bill rewritten through `session()`,
    exactly as open_checkout does it.
    """
    rows = read_checkout_rows(database=database, token=token)
    if rows is None:
        return None
    link, bill, biller, customer, payments = rows
    if not preview and _fetchable(bill, link):
        known = outcome_without_asking(bill=bill, biller=biller, now=now)
        if known is None:
            return open_checkout(
                session=session(), token=token, settings=settings, state=state, now=now, on_open=on_open
            )
    return _open(
        link,
        bill,
        biller,
        customer,
        payments,
        now=now,
        preview=preview,
        refresh=lambda: outcome_without_asking(bill=bill, biller=biller, now=now),
        on_open=on_open,
    )


def _open(link, bill, biller, customer, payments, *, now, preview, refresh, on_open) -> Checkout:
    fetch = FetchOutcome.NOT_CONFIGURED
    if not preview:
        on_open(Open(link_id=link.id, bill_id=link.bill_id, at=now))
        if _fetchable(bill, link):
            fetch = refresh()
    return _checkout(link, bill, biller, customer, fetch, biller_today(biller, now), payments)


def _fetchable(bill, link) -> bool:
    """Whether a live fetch may change what the page offers: the bill can still be paid through this link."""
    return bill.status in PAYABLE_STATUSES and not _expired(link)


def _checkout(link, bill, biller, customer, fetch: FetchOutcome, today: date, payments: list) -> Checkout:
    state = _state(bill, link, fetch)
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
    if app_id != ANY_APP and (app is None or app.id not in enabled_app_ids(checkout.biller.payment_apps)):
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
