"""The payment page's two actions: opening a bill's link, and choosing the app to pay it with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from billing import checkout as checkouts
from billing.checkout import Checkout, PaymentAttempt
from billing.opens import Open
from config import Settings
from models.db import Database
from shared_state import SharedState
from workflows import Actor


def open_checkout(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    token: str,
    settings: Settings,
    state: SharedState,
    preview: bool = False,
    on_open: Callable[[Open], None] | None = None,
) -> Checkout | None:
    """Count the visit, fetch the bill live when the biller offers it, and say what the page may offer.

    None for a token that is no link; a link preview (a chat app's crawler) changes nothing. The open goes to
    `on_open` (the web process's batching recorder) when given, else it is written at once.
    """
    return checkouts.open_checkout(
        session=session, token=token, settings=settings, state=state, now=now, preview=preview, on_open=on_open
    )


def view_checkout(
    *,
    database: Database,
    session: Callable[[], Session],
    actor: Actor,
    now: datetime,
    token: str,
    settings: Settings,
    state: SharedState,
    preview: bool,
    on_open: Callable[[Open], None],
) -> Checkout | None:
    """open_checkout for a view of the payment page: the same counting, fetch and offer, read as plain rows in one
    round trip; `session()` is called only when a live fetch must ask the biller and rewrite the bill."""
    return checkouts.view_checkout(
        database=database,
        session=session,
        token=token,
        settings=settings,
        state=state,
        now=now,
        preview=preview,
        on_open=on_open,
    )


def show_qr(
    *, session: Session, actor: Actor, now: datetime, checkout: Checkout, settings: Settings, platform: str | None
) -> str:
    """The UPI link behind the page's QR code; showing it is recorded once, never as an app choice."""
    return checkouts.qr_attempt(session=session, checkout=checkout, settings=settings, platform=platform or "desktop")


def choose_app(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    checkout: Checkout,
    app_id: str,
    platform: str,
    amount_paise: int | None,
    settings: Settings,
) -> PaymentAttempt:
    """The customer picked an app (or any UPI app): check the amount, note the choice and build the app's link."""
    return checkouts.start_payment(
        session=session,
        checkout=checkout,
        app_id=app_id,
        platform=platform,
        amount_paise=amount_paise,
        settings=settings,
    )
