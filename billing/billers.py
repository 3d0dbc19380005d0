"""Billers: onboarding with a default cadence, and the API keys that speak for them."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from billing.apps import catalogue
from billing.links import TOKEN_ALPHABET
from billing.upi import PURPOSE_CODES
from errors import Conflict, InvalidInput
from models import ApiKey, Biller, Cadence, CadenceStep
from models.billers import DEFAULT_TIMEZONE
from models.db import utcnow
from models.vocab import AmountExactness, Channel
from scheduler.calendar import indian_states

VPA_PATTERN = re.compile(r"^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9]{1,63}$")
API_KEY_PREFIX = "cpk_"
API_KEY_USE_RESOLUTION = timedelta(minutes=5)
# A Bharat Connect (BBPS) biller id: 14 capitals and digits, e.g. MAHA00000MAH01 (name, zeros, state, serial).
BBPS_BILLER_ID_PATTERN = re.compile(r"[A-Z0-9]{14}")
# Money received above what was due, up to this much, is kept without a ticket: a bill's rounding, not ₹1 lakh.
MAX_OVERPAYMENT_TOLERANCE_PAISE = 1_000_000  # ₹10,000


def biller_today(biller: Biller | None, now: datetime) -> date:
    """The calendar day it is for the biller at `now`, in the biller's own time zone (no biller: the default zone)."""
    return now.astimezone(ZoneInfo(biller.timezone if biller else DEFAULT_TIMEZONE)).date()


# Every new biller starts with this cadence: (days from due date, template).
DEFAULT_CADENCE_STEPS = (
    (-3, "reminder_before_due"),
    (0, "reminder_due_today"),
    (3, "reminder_overdue"),
    (7, "reminder_overdue"),
)


def create_biller(
    *, session: Session, name: str, upi_vpa: str, payee_name: str | None = None, merchant_category_code: str = "4900"
) -> Biller:
    """Onboard a biller with a default reminder cadence."""
    if not name.strip():
        raise InvalidInput("must not be empty", field="name")
    check_payee(upi_vpa=upi_vpa, merchant_category_code=merchant_category_code)
    biller = Biller(
        name=name.strip(),
        upi_vpa=upi_vpa,
        payee_name=(payee_name or name).strip()[:100],
        merchant_category_code=merchant_category_code,
    )
    session.add(biller)
    session.flush()
    add_default_cadence(session=session, biller_id=biller.id)
    return biller


def add_default_cadence(*, session: Session, biller_id: int) -> Cadence:
    """3 days before, on the due date, 3 and 7 days after, at 10:00, WhatsApp → SMS → email."""
    cadence = Cadence(biller_id=biller_id, name="default", is_default=True)
    session.add(cadence)
    session.flush()
    channels = [Channel.WHATSAPP.value, Channel.SMS.value, Channel.EMAIL.value]
    for position, (day_offset, template_key) in enumerate(DEFAULT_CADENCE_STEPS):
        session.add(
            CadenceStep(
                cadence_id=cadence.id,
                position=position,
                day_offset=day_offset,
                send_at=time(10, 0),
                channels=channels,
                template_key=template_key,
            )
        )
    session.flush()
    return cadence


def issue_api_key(*, session: Session, biller_id: int, name: str = "default") -> str:
    """Create an API key for the biller and return it; it is shown once and stored only hashed."""
    prefix = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(10))
    secret = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(32))
    plain = f"{API_KEY_PREFIX}{prefix}_{secret}"
    session.add(ApiKey(biller_id=biller_id, name=name, prefix=prefix, key_hash=_hash_key(plain)))
    session.flush()
    return plain


def authenticate_api_key(*, session: Session, presented: str) -> ApiKey | None:
    """The live API key matching what a client presented, or None."""
    match = re.fullmatch(rf"{API_KEY_PREFIX}([A-Za-z0-9]{{10}})_[A-Za-z0-9]{{32}}", presented)
    if not match:
        return None
    api_key = session.exec(select(ApiKey).where(ApiKey.prefix == match.group(1))).first()
    if api_key is None or api_key.revoked_at is not None:
        return None
    if not hmac.compare_digest(api_key.key_hash, _hash_key(presented)):
        return None
    return api_key


def note_api_key_use(*, session: Session, api_key: ApiKey, now: datetime) -> bool:
    """Keep when the key was last used, to the nearest few minutes (not a write per request); True if it changed."""
    if api_key.last_used_at is not None and now - api_key.last_used_at <= API_KEY_USE_RESOLUTION:
        return False
    api_key.last_used_at = now
    session.add(api_key)
    session.flush()
    return True


def revoke_api_key(*, session: Session, api_key: ApiKey) -> None:
    """Stop a key from working, at once."""
    api_key.revoked_at = utcnow()
    session.add(api_key)
    session.flush()


def _hash_key(plain: str) -> str:
    # API keys carry 190 bits of randomness, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(plain.encode()).hexdigest()


def check_payee(*, upi_vpa: str, merchant_category_code: str) -> None:
    """The payee rules every door applies: a UPI VPA such as biller@bank, a four-digit merchant category code."""
    if not VPA_PATTERN.match(upi_vpa or ""):
        raise InvalidInput("is not a UPI virtual payment address such as biller@bank", field="upi_vpa")
    if not re.fullmatch(r"\d{4}", merchant_category_code or ""):
        raise InvalidInput("must be four digits", field="merchant_category_code")


def update_biller_profile(
    *,
    session: Session,
    biller: Biller,
    name: str,
    upi_vpa: str,
    payee_name: str,
    merchant_category_code: str,
    default_amount_exactness: str,
    payment_apps: list[str],
    contact_hours_start: time,
    contact_hours_end: time,
    skip_sundays: bool,
    skip_public_holidays: bool,
    timezone: str,
    holiday_state: str | None = None,
) -> Biller:
    """Change a biller's payee details, amount rule, apps and contact days under the onboarding rules; flushes."""
    if not name.strip():
        raise InvalidInput("must not be empty", field="name")
    check_payee(upi_vpa=upi_vpa, merchant_category_code=merchant_category_code)
    if not payee_name.strip():
        raise InvalidInput("must not be empty", field="payee_name")
    if default_amount_exactness not in {rule.value for rule in AmountExactness}:
        raise InvalidInput("is not an amount rule", field="default_amount_exactness")
    if not isinstance(payment_apps, list) or not all(isinstance(app, str) for app in payment_apps):
        raise InvalidInput("must be a list of payment app ids", field="payment_apps")
    unknown = [app for app in payment_apps if app not in catalogue()]
    if unknown or not payment_apps:
        raise InvalidInput("must name at least one known payment app", field="payment_apps")
    if contact_hours_start >= contact_hours_end:
        raise InvalidInput("must end after it starts", field="contact_hours_end")
    if timezone not in available_timezones():
        raise InvalidInput("is not a time zone such as Asia/Kolkata", field="timezone")
    if holiday_state and holiday_state not in indian_states():
        raise InvalidInput("is not an Indian state or union territory code such as WB", field="holiday_state")
    biller.name, biller.upi_vpa, biller.payee_name = name.strip(), upi_vpa, payee_name.strip()[:100]
    biller.merchant_category_code, biller.default_amount_exactness = merchant_category_code, default_amount_exactness
    biller.payment_apps = list(dict.fromkeys(payment_apps))
    biller.contact_hours_start, biller.contact_hours_end = contact_hours_start, contact_hours_end
    biller.skip_sundays, biller.skip_public_holidays, biller.timezone = skip_sundays, skip_public_holidays, timezone
    biller.holiday_state = holiday_state or None
    session.add(biller)
    session.flush()
    return biller


def update_payment_options(
    *,
    session: Session,
    biller: Biller,
    bbps_biller_id: str | None,
    upi_purpose: str | None,
    overpayment_tolerance_paise: int,
) -> Biller:
    """Set the Bharat Connect biller id shown for paying from any BBPS app, the UPI `purpose` code sent in every
    intent and QR (None: not sent), and the over-payment kept without a ticket for support; flushes."""
    bbps = (bbps_biller_id or "").strip().upper() or None
    if bbps is not None and not BBPS_BILLER_ID_PATTERN.fullmatch(bbps):
        raise InvalidInput(
            "is not a Bharat Connect biller ID: 14 capital letters and digits, such as MAHA00000MAH01",
            field="bbps_biller_id",
        )
    purpose = (upi_purpose or "").strip() or None
    if purpose is not None and purpose not in PURPOSE_CODES:
        codes = ", ".join(PURPOSE_CODES)
        raise InvalidInput(f"is not an NPCI purpose code for bill payments ({codes})", field="upi_purpose")
    if not 0 <= overpayment_tolerance_paise <= MAX_OVERPAYMENT_TOLERANCE_PAISE:
        raise InvalidInput("must be from ₹0 to ₹10,000", field="overpayment_tolerance_paise")
    biller.bbps_biller_id, biller.upi_purpose = bbps, purpose
    biller.overpayment_tolerance_paise = overpayment_tolerance_paise
    try:
        # The unique index decides whose id it is, for two billers claiming it at once as for one claiming it later.
        with session.begin_nested():
            session.add(biller)
    except IntegrityError:
        raise Conflict("is another biller's Bharat Connect biller ID", field="bbps_biller_id") from None
    return biller
