"""Security headers on every response; the payment page's inline CSS is allowed by its hash only."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import Flask, Response

INLINE_CSS = (Path(__file__).parent / "static" / "pay.css").read_text(encoding="utf-8")
_CSS_HASH = base64.b64encode(hashlib.sha256(INLINE_CSS.encode()).digest()).decode()

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; "
    f"style-src 'self' 'sha256-{_CSS_HASH}'; base-uri 'none'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    """Add CSP, no-sniff, no framing, and no Referer (link tokens must not leak to other sites)."""

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
