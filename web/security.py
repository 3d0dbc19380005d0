"""Security headers on every response; the payment page's inline CSS is allowed by its hash only."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import Flask, Response, request

from billing.apps import catalogue

INLINE_CSS = (Path(__file__).parent / "static" / "pay.css").read_text(encoding="utf-8")
_CSS_HASH = base64.b64encode(hashlib.sha256(INLINE_CSS.encode()).digest()).decode()
# The payment page's one script (the copy button), inline and allowed by its hash like the CSS.
INLINE_JS = (Path(__file__).parent / "static" / "pay.js").read_text(encoding="utf-8")
_JS_HASH = base64.b64encode(hashlib.sha256(INLINE_JS.encode()).digest()).decode()

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; "
    f"style-src 'self' 'sha256-{_CSS_HASH}'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The payment page's form redirects into the customer's UPI app; browsers hold redirects to form-action too.
_APP_SCHEMES = " ".join(
    sorted({"upi:", "intent:"} | {app.ios_scheme.split("//")[0] for app in catalogue().values() if app.ios_scheme})
)
PAYMENT_PAGE_POLICY = CONTENT_SECURITY_POLICY.replace(
    "form-action 'self'", f"form-action 'self' {_APP_SCHEMES}; script-src 'sha256-{_JS_HASH}'"
)
HSTS = "max-age=31536000; includeSubDomains"
# Console pages and API answers carry customers' personal data: no browser or proxy may keep a copy.
NO_STORE_PREFIXES = ("/console", "/api/")


def register_security_headers(app: Flask) -> None:
    """Add CSP, no-sniff, no framing, no Referer (link tokens must not leak), HSTS in production, no-store."""
    production = app.extensions["settings"].is_production

    @app.after_request
    def _headers(response: Response) -> Response:
        on_payment_page = request.blueprint == "pay" or request.endpoint == "short_link"
        policy = PAYMENT_PAGE_POLICY if on_payment_page else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.path.startswith(NO_STORE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response
