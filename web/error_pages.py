"""A refusal of the domain shown to a person as a page, not as the API's JSON."""

from __future__ import annotations

from flask import render_template

from errors import DomainError
from web.security import INLINE_CSS


def render_domain_error(error: DomainError):
    """The message of the refusal on a plain page, with its status (the JSON shape is for /api and /webhooks)."""
    return render_template("error.html", error=error, inline_css=INLINE_CSS), error.status
