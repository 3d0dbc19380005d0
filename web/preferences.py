"""One-click unsubscribe (RFC 8058): GET shows a confirmation, POST opts the customer out."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from billing.customers import set_opted_out
from channels.unsubscribe import read_unsubscribe_token
from models.db import get_session
from web.security import INLINE_CSS

bp = Blueprint("preferences", __name__, template_folder="templates")


@bp.get("/u/<token>")
def confirm_unsubscribe(token: str):
    """Ask before opting out, so a mail scanner following links changes nothing."""
    if read_unsubscribe_token(token) is None:
        abort(404)
    return render_template("pay/unsubscribe.html", token=token, done=False, inline_css=INLINE_CSS)


@bp.post("/u/<token>")
def unsubscribe(token: str):
    """Opt out at once; mail clients post here without a page or a CSRF token (the signed token is the proof)."""
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    customer_id, channel = found
    session = get_session()
    set_opted_out(session=session, customer_id=customer_id, channel=channel, opted_out=True)
    session.commit()
    return render_template("pay/unsubscribe.html", token=token, done=True, inline_css=INLINE_CSS)
