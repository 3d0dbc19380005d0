"""UPI deep links per NPCI's linking specification: `upi://pay?pa=…&pn=…&am=…`, and their app variants."""

from __future__ import annotations

import secrets
import string
from urllib.parse import quote

from billing.apps import PaymentApp
from models import Bill, Biller

NOTE_LIMIT = 50
_TR_ALPHABET = string.ascii_uppercase + string.digits


def new_transaction_reference() -> str:
    """A fresh `tr`: unique per attempt, alphanumeric, 20 characters (well inside the 35 allowed)."""
    return "CP" + "".join(secrets.choice(_TR_ALPHABET) for _ in range(18))


def rupees(paise: int) -> str:
    """Paise as the `am` value: rupees with exactly two decimals."""
    return f"{paise // 100}.{paise % 100:02d}"


def payment_parameters(
    *, biller: Biller, bill: Bill, transaction_reference: str, amount_paise: int, minimum_paise: int | None, url: str
) -> list[tuple[str, str]]:
    """The ordered UPI parameters for one payment attempt; `mam` only where the amount may be edited."""
    params = [
        ("pa", biller.upi_vpa),
        ("pn", biller.payee_name),
        ("mc", biller.merchant_category_code),
        ("tr", transaction_reference),
        ("tn", f"Bill {bill.reference}"[:NOTE_LIMIT]),
        ("am", rupees(amount_paise)),
    ]
    if minimum_paise is not None:
        params.append(("mam", rupees(minimum_paise)))
    params += [("cu", "INR"), ("url", url)]
    return params


def encode(params: list[tuple[str, str]], *, encode_at: bool = False) -> str:
    """Percent-encode parameters with spaces as %20 (some apps show '+' literally)."""
    safe = "-_.~/:" if encode_at else "-_.~/:@"
    return "&".join(f"{name}={quote(value, safe=safe)}" for name, value in params)


def upi_link(params: list[tuple[str, str]]) -> str:
    """The generic link every installed UPI app answers on Android (the OS offers a chooser)."""
    return f"upi://pay?{encode(params)}"


def android_intent(params: list[tuple[str, str]], app: PaymentApp) -> str:
    """An Android intent that opens one named app."""
    return f"intent://pay?{encode(params)}#Intent;scheme=upi;package={app.android_package};end"


def ios_link(params: list[tuple[str, str]], app: PaymentApp) -> str:
    """The app's own scheme on iOS, which has no chooser; '@' in the VPA is encoded as %40."""
    return f"{app.ios_scheme}?{encode(params, encode_at=True)}"
