"""UPI deep links per NPCI's linking specification: `upi://pay?pa=…&pn=…&am=…`, and their app variants."""

from __future__ import annotations

import secrets
import string
from urllib.parse import quote

from billing.apps import PaymentApp
from models import Bill, Biller

NOTE_LIMIT = 50
# NPCI UPI linking specification 1.6, `mode`: how the link reaches the payer. Unsigned links only: the
# "secure" modes (02 secure QR, 05 secure intent) need `orgid` and a `sign` made with a key the biller's
# PSP issues, which billers here do not hold, so neither is sent.
MODE_QR = "01"
MODE_INTENT = "04"
# Handles of consumer UPI apps: a VPA there is usually a person's, and intents to personal VPAs fail in
# several apps ("limit exceeded", "security error"). Merchant VPAs on the same handles follow known patterns.
_CONSUMER_HANDLES = {
    "ybl",
    "ibl",
    "axl",
    "okaxis",
    "oksbi",
    "okhdfcbank",
    "okicici",
    "paytm",
    "pthdfc",
    "ptsbi",
    "ptyes",
    "ptaxis",
    "apl",
    "yapl",
    "upi",
    "fbl",
    "waicici",
    "wahdfcbank",
    "wasbi",
    "waaxis",
}
# NPCI's `purpose` codes (UPI linking specification; the list as PSPs publish it, e.g. Juspay's "Purpose Code")
# that a biller collecting its own bills by intent or QR may send. Left out on purpose: 01 (SEBI IPOs, MCC 6211),
# 09 (gifting), 10 (payments made through BBPS itself), 11 (Global UPI), 12-13 (ATM QR), 14 (standing
# instructions), 15 (disbursements), 20 (B2B), 25 (RBI Retail Direct), 41-50 (UPI Lite), 59-76 (delegation,
# international, Lite AutoPay, SBMD): rails a bill's payment link is not on, which apps refuse or mis-limit.
PURPOSE_CODES = {
    "00": "Default",
    "02": "Mutual fund (AMC)",
    "03": "Travel",
    "04": "Hospitality",
    "05": "Hospital",
    "06": "Telecom",
    "07": "Insurance",
    "08": "Education",
}
_MERCHANT_PREFIXES = ("paytmqr", "bharatpe", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "merchant")
_TR_ALPHABET = string.ascii_uppercase + string.digits


def new_transaction_reference() -> str:
    """A fresh `tr`: unique per attempt, alphanumeric, 20 characters (well inside the 35 allowed)."""
    return "CP" + "".join(secrets.choice(_TR_ALPHABET) for _ in range(18))


def rupees(paise: int) -> str:
    """Paise as the `am` value: rupees with exactly two decimals."""
    return f"{paise // 100}.{paise % 100:02d}"


def vpa_looks_personal(vpa: str) -> bool:
    """Whether a VPA looks like a person's rather than a merchant's (a warning for billers, not a rule)."""
    local, _, handle = vpa.strip().lower().partition("@")
    if local.startswith(_MERCHANT_PREFIXES) or ".rzp" in local or "merchant" in local:
        return False
    return local.isdigit() or handle in _CONSUMER_HANDLES


def payment_parameters(
    *,
    biller: Biller,
    bill: Bill,
    transaction_reference: str,
    amount_paise: int,
    minimum_paise: int | None,
    url: str,
    mode: str = MODE_INTENT,
) -> list[tuple[str, str]]:
    """The ordered UPI parameters for one payment attempt; `mam` only where the amount may be edited.

    Sends what the biller can provide: its MCC, the `mode` of hand-off and, when set, its `purpose` code.
    """
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
    params += [("cu", "INR"), ("url", url), ("mode", mode)]
    if biller.upi_purpose:
        params.append(("purpose", biller.upi_purpose))
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
