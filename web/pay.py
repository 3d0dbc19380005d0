"""The payment page: GET /p/<token>, the app hand-off, the desktop QR code and the sandbox."""

from __future__ import annotations

import io
import logging
import secrets
from functools import cache
from urllib.parse import urlencode, urlsplit

import segno
from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for
from flask_limiter.util import get_remote_address
from limits import parse as parse_limit
from redis import RedisError

from billing.checkout import ANY_APP, Checkout, parse_rupees
from billing.customers import telegram_link_token
from billing.links import TOKEN_LENGTH, is_token_shaped
from billing.opens import OpenRecorder
from config import current_settings
from errors import InvalidInput
from extensions import limiter
from models import Customer
from models.db import current_db, get_session, request_session, utcnow
from shared_state import current_state
from web.crawlers import is_link_preview
from web.i18n import LANGUAGES, remember_language, render_customer_page
from web.security import INLINE_CSS, INLINE_JS
from workflows import CUSTOMER, Actor
from workflows.checkout import choose_app, open_checkout, show_qr, view_checkout
from workflows.payments import record_payment

bp = Blueprint("pay", __name__, template_folder="templates")
bp.after_request(remember_language)
log = logging.getLogger(__name__)

# A client that keeps guessing tokens is slowed down; a real link is always served, even to that client
# (behind a carrier's NAT one guesser must not block payments for everyone sharing the address).
MISS_LIMIT = parse_limit("20 per minute")


def count_miss() -> None:
    """Count a token that matched no link against this client; past the limit, answer 429 instead of 404."""
    try:
        within_limit = limiter.limiter.hit(MISS_LIMIT, "link-miss", get_remote_address())
    except RedisError as exc:  # tokens are unguessable anyway: an outage must not turn misses into 500s
        log.warning("link-miss counter unavailable: %s", type(exc).__name__)
        within_limit = True
    if not within_limit:
        abort(429)


def open_recorder() -> OpenRecorder:
    """This web process's batching recorder of link opens (write-through in tests, so they read at once)."""
    recorder = current_app.extensions.get("open_recorder")
    if recorder is None:
        batch_size = 1 if current_settings().app_env == "test" else 200
        recorder = current_app.extensions.setdefault("open_recorder", OpenRecorder(current_db(), batch_size=batch_size))
    return recorder


def platform_of(user_agent: str) -> str:
    """android, ios or desktop, from the User-Agent (a ?platform= override wins)."""
    chosen = request.args.get("platform")
    if chosen in ("android", "ios", "desktop"):
        return chosen
    if "Android" in user_agent:
        return "android"
    if any(device in user_agent for device in ("iPhone", "iPad", "iPod")):
        return "ios"
    return "desktop"


def telegram_url(checkout: Checkout) -> str | None:
    """A t.me deep link that ties the customer's Telegram chat to them, when a bot is configured."""
    bot = current_settings().telegram_bot_username
    customer = checkout.customer
    if not bot or customer.telegram_chat_id:
        return None
    if customer.telegram_link_token is None:  # made on the first view, through the session (the page read plain rows)
        customer = get_session().get(Customer, customer.id)
    token = telegram_link_token(session=get_session(), customer=customer)
    return f"https://t.me/{bot.removeprefix('@')}?start={token}"


def app_links(checkout: Checkout, platform: str) -> dict[str, str]:
    """Each offered app's hand-off URL, as url_for builds it, from one url_for call instead of one per app."""
    base = url_for("pay.pay_with_app", token=checkout.link.token)
    app_ids = [ANY_APP, *(app.id for app in checkout.apps)]
    return {app_id: f"{base}?{_hand_off_query(app_id, platform)}" for app_id in app_ids}


@cache
def _hand_off_query(app_id: str, platform: str) -> str:
    """`app=…&platform=…` as werkzeug's url_for encodes it (few apps, three platforms: built once each)."""
    return urlencode({"app": app_id, "platform": platform}, safe="!$'()*,/:;?@")


def link_domain() -> str:
    """The host every genuine link starts with, shown so customers can spot phishing."""
    settings = current_settings()
    return urlsplit(settings.link_base_url or settings.public_base_url).netloc


def _checkout_or_404(token: str, *, count_open: bool = True, commit: bool = True) -> Checkout:
    _check_token_shape(token)
    session = get_session()
    checkout = open_checkout(
        session=session,
        actor=CUSTOMER,
        now=utcnow(),
        token=token,
        settings=current_settings(),
        state=current_state(),
        preview=not count_open or is_link_preview(request.headers.get("User-Agent", "")),
        on_open=open_recorder().record,
    )
    if commit:  # a live fetch's update is kept whatever the route does next
        session.commit()
    return _found(checkout)


def _viewed_checkout_or_404(token: str) -> Checkout:
    """The page's checkout from plain rows (workflows.checkout.view_checkout): no session unless one must write."""
    _check_token_shape(token)
    checkout = view_checkout(
        database=current_db(),
        session=get_session,
        actor=CUSTOMER,
        now=utcnow(),
        token=token,
        settings=current_settings(),
        state=current_state(),
        preview=is_link_preview(request.headers.get("User-Agent", "")),
        on_open=open_recorder().record,
    )
    return _found(checkout)


def _check_token_shape(token: str) -> None:
    if not is_token_shaped(token):
        count_miss()  # no such link, known without asking the database
        abort(404)


def _found(checkout: Checkout | None) -> Checkout:
    if checkout is None:
        count_miss()
        abort(404)
    g.customer_language = checkout.customer.language
    return checkout


def _render(checkout: Checkout, *, error: InvalidInput | None = None, status: int = 200):
    platform = platform_of(request.headers.get("User-Agent", ""))
    telegram = telegram_url(checkout)
    session = request_session()
    if session is not None:
        session.commit()  # a live fetch's update and a Telegram deep-link token made for this page
    html = render_customer_page(
        "pay/page.html",
        c=checkout,
        platform=platform,
        error=error,
        any_app=ANY_APP,
        languages=LANGUAGES,
        inline_css=INLINE_CSS,
        inline_js=INLINE_JS,
        sandbox=current_settings().app_env != "production",
        link_domain=link_domain(),
        telegram_url=telegram,
        offered_apps=[app for app in checkout.apps if app.offered_on(platform)],
        app_links=app_links(checkout, platform),
    )
    return html, status


@bp.get("/p/<token>")
def payment_page(token: str):
    """Show the live bill and the ways to pay it."""
    return _render(_viewed_checkout_or_404(token))


@bp.get("/p/<token>/pay")
def pay_with_app(token: str):
    """Record the app the customer chose and redirect (302) into it; works without JavaScript."""
    if is_link_preview(request.headers.get("User-Agent", "")):
        return redirect(url_for("pay.payment_page", token=token), code=303)  # a crawler chooses no app
    checkout = _checkout_or_404(token)
    try:
        attempt = choose_app(
            session=get_session(),
            actor=CUSTOMER,
            now=utcnow(),
            checkout=checkout,
            app_id=request.args.get("app", ANY_APP),
            platform=platform_of(request.headers.get("User-Agent", "")),
            amount_paise=parse_rupees(request.args.get("amount")),
            settings=current_settings(),
        )
    except InvalidInput as error:
        return _render(checkout, error=error, status=422)
    get_session().commit()
    response = redirect(attempt.redirect_url, code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/p/<token>/qr.svg")
def qr_code(token: str):
    """A UPI QR code of the amount due (on a computer, or to scan from the gallery); not an app choice. A link
    preview gets none: it would be counted as a QR view, with a transaction reference no customer holds."""
    if is_link_preview(request.headers.get("User-Agent", "")):
        abort(404)
    checkout = _checkout_or_404(token, count_open=False)
    try:
        upi_url = show_qr(
            session=get_session(),
            actor=CUSTOMER,
            now=utcnow(),
            checkout=checkout,
            settings=current_settings(),
            platform=request.args.get("platform"),
        )
    except InvalidInput:
        abort(404)
    get_session().commit()
    buffer = io.BytesIO()
    segno.make(upi_url, error="m").save(buffer, kind="svg", scale=5, border=2, title="UPI QR")
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.post("/p/<token>/simulate")
def simulate_payment(token: str):
    """Sandbox only: pay the bill without a bank, through the same payment function as real money."""
    if current_settings().app_env == "production":
        abort(404)
    checkout = _checkout_or_404(token)
    if checkout.state != "payable":
        return redirect(url_for("pay.payment_page", token=token), code=303)
    try:
        amount = parse_rupees(request.form.get("amount")) or checkout.choice.due_paise
        checkout.choice.check(amount)
    except (InvalidInput, ValueError) as exc:
        error = exc if isinstance(exc, InvalidInput) else InvalidInput(str(exc), field="amount")
        return _render(checkout, error=error, status=422)
    session = get_session()
    record_payment(
        session=session,
        actor=Actor("sandbox"),
        now=utcnow(),
        bill=checkout.bill,
        amount_paise=amount,
        reference=f"SANDBOX{secrets.token_hex(6).upper()}",
        source="sandbox",
        app=request.form.get("app") or None,
    )
    session.commit()
    return redirect(url_for("pay.payment_page", token=token), code=303)


def render_message_page(status: int, *, headers: dict[str, str] | None = None):
    """A plain page for a missing link (saying nothing about any bill), a client slowed down, or a database out."""
    return render_customer_page("pay/message.html", status=status, inline_css=INLINE_CSS), status, headers or {}


def register_short_links(app, link_base_url: str | None) -> None:
    """Serve <LINK_BASE_URL>/<token> as well as /p/<token> when a short link domain is configured."""
    if not link_base_url:
        return
    prefix = urlsplit(link_base_url).path.rstrip("/")
    app.add_url_rule(f"{prefix}/<string(length={TOKEN_LENGTH}):token>", "short_link", payment_page)
